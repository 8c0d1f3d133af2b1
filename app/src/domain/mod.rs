//! The domain: plain Rust with no Leptos in it, compiled for the server and the browser alike,
//! so the browser shows the same rules the server enforces.

pub mod actions;
pub mod change;
pub mod connection_errors;
pub mod demo;
pub mod fleet;
pub mod kms;
pub mod kms_errors;
pub mod navigation;
pub mod notification;
pub mod secret;
pub mod store;
pub mod user;

/// The console's version, shown in the footer and by `/healthz`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
