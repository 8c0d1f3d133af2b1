//! The Content-Security-Policy of every page, with a fresh nonce for Leptos' own inline scripts.
//!
//! The nonce is made per request by the server's middleware, which also writes the header on the
//! HTML it answers with; the page renders with the same nonce through Leptos' context. The header
//! so never depends on the render reaching the response options.

use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};

/// The policy: our own scripts (the hydration module carries the nonce), our wasm, our CSS.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// This request's nonce, as the middleware put it in the request's extensions.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

impl CspNonce {
    /// A fresh random nonce.
    pub fn fresh() -> CspNonce {
        CspNonce(Nonce::new().to_string())
    }
}

/// Called in the context of every render: the page's scripts carry the request's nonce.
pub fn provide_request_nonce() {
    let nonce =
        use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(value)) = nonce {
        provide_context(Nonce::from_value(value));
    }
}
