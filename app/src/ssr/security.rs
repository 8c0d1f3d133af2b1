//! The Content-Security-Policy of every page, with a fresh nonce for Leptos' own inline scripts.

use leptos::nonce::{provide_nonce, use_nonce};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// The policy: our own scripts (the hydration module carries the nonce), our wasm, our CSS.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Called once per page render, before the hydration scripts are written.
pub fn provide_csp_nonce() {
    provide_nonce();
    if let (Some(nonce), Some(resp)) = (use_nonce(), use_context::<ResponseOptions>()) {
        if let Ok(value) = http::HeaderValue::from_str(&content_security_policy(&nonce)) {
            resp.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}
