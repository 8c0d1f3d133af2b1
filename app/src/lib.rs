//! The cks-console UI, its server functions and the domain model shared by server and browser.

pub mod auth;
pub mod change;
pub mod create_page;
pub mod demo;
pub mod edit_page;
pub mod error;
pub mod fix_page;
pub mod fleet;
pub mod home;
pub mod kms_errors;
pub mod model;
pub mod remedy;
pub mod run_page;
pub mod shell;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod store_page;
pub mod stores;

pub use shell::{shell, App};

/// Entry point of the wasm bundle: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
