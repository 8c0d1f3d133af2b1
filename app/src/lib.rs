//! The cks-console UI, its server functions and the domain model shared by server and browser.
//!
//! - `domain/`: plain Rust, no Leptos: KMS's enums, stores, the fleet view, changes and plans,
//!   the catalogues. The browser and the server apply the same rules.
//! - `pages/`: one file per route, each with its server functions.
//! - `widgets/`: components several pages share.
//! - `api.rs`: server functions several pages call; `session.rs`: the visitor's session.
//! - `ssr/` (server only): the ports the `server` crate implements, guards, security headers.
//!
//! `docs/ARCHITECTURE.md` has the whole picture.

// Leptos views are deeply nested types; a non-incremental wasm build of the pages needs more
// than the default depth to lay them out.
#![recursion_limit = "256"]

pub mod api;
pub mod domain;
pub mod error;
pub mod pages;
pub mod session;
pub mod shell;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod widgets;

pub use domain::VERSION;
pub use shell::{shell, App};

/// Entry point of the wasm bundle: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Lazy: a page outside the first download loads its chunk before it hydrates.
    leptos::mount::hydrate_lazy(App);
}
