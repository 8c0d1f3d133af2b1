//! Server-only parts of the app: the ports the server implements, request guards, security headers.

pub mod guard;
pub mod ports;
pub mod security;

pub use ports::{services, DemoControl, KeyStores, ProxyProbe, Services, UserDirectory, Workflows};
