//! The frame around the pages: header, footer, health check and HTTP headers.

mod common;

use axum::http::{header, Request, StatusCode};
use common::*;

#[tokio::test]
async fn healthz_answers_without_signing_in() {
    let router = console().await;
    let r = send(&router, get("/healthz", None)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(r#""status":"ok""#), "{}", r.body);
}

#[tokio::test]
async fn the_header_names_the_backend_and_user_and_the_footer_the_version() {
    let router = console().await;
    let cookie = sign_in(&router, "admin", ADMIN_PASSWORD).await;
    let page = send(&router, get("/", Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Embedded simulator"), "{}", page.body);
    assert!(
        page.body
            .contains(r#"href="/account" title="Your account" class="user">admin<!> (<!>operator"#),
        "the header names the signed-in user: {}",
        page.body
    );
    assert!(page
        .body
        .contains(&format!("cks-console {}", env!("CARGO_PKG_VERSION"))));
    assert!(page.body.contains(r#"href="/users""#));
}

#[tokio::test]
async fn pages_carry_a_csp_whose_nonce_matches_their_scripts() {
    let router = console().await;
    let page = send(&router, get("/login", None)).await;
    let csp = page.header("content-security-policy").to_string();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the CSP");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    // Every inline script on the page carries the nonce.
    let scripts = page.body.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(
        page.body.matches(&format!(r#"nonce="{nonce}""#)).count(),
        scripts,
        "{}",
        page.body
    );
    // And it is fresh on every request.
    let other = send(&router, get("/login", None)).await;
    assert_ne!(other.header("content-security-policy"), csp);
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(page.header(name), value, "{name}");
    }
}

#[tokio::test]
async fn responses_are_compressed_when_the_browser_accepts_it() {
    let router = console().await;
    let req = Request::get("/login")
        .header(header::ACCEPT_ENCODING, "br, gzip")
        .body(axum::body::Body::empty())
        .unwrap();
    let r = send(&router, req).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-encoding"), "br");
}

#[tokio::test]
async fn static_assets_are_served_with_cache_headers() {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("pkg")).unwrap();
    std::fs::write(site.path().join("pkg/cks-console.css"), "body{}").unwrap();
    std::fs::write(site.path().join("favicon.svg"), "<svg/>").unwrap();
    let router = console_with(&["--site-root", site.path().to_str().unwrap()]).await;
    let css = send(&router, get("/pkg/cks-console.css", None)).await;
    assert_eq!(css.status, StatusCode::OK);
    // Unhashed names may change with each build: revalidate. (Hashed builds: see end2end.)
    assert_eq!(css.header("cache-control"), "no-cache");
    let icon = send(&router, get("/favicon.svg", None)).await;
    assert_eq!(icon.header("cache-control"), "public, max-age=3600");
}

#[tokio::test]
async fn an_unknown_page_is_a_404_page() {
    let router = console().await;
    let cookie = sign_in(&router, "admin", ADMIN_PASSWORD).await;
    let r = send(&router, get("/no/such/page", Some(&cookie))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("Not found"));
}

#[tokio::test]
async fn oversized_bodies_are_refused_before_any_handler() {
    // README "Security": request bodies are limited to 1 MiB.
    const README_LIMIT: usize = 1024 * 1024;
    let router = console().await;
    let post = |body: String| {
        Request::post("/api/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::CONTENT_LENGTH, body.len())
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    let over = format!("username={}", "x".repeat(README_LIMIT));
    assert_eq!(
        send(&router, post(over)).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    // Just under the limit is read (and refused for what it says, not for its size).
    let under = format!("username={}", "x".repeat(README_LIMIT - 100));
    assert_ne!(
        send(&router, post(under)).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
}

/// A visitor who has not signed in learns nothing about the backend: no account, profile,
/// endpoint or port, neither from the session call nor from the sign-in page.
#[tokio::test]
async fn nothing_about_the_backend_before_sign_in() {
    use app::domain::user::BackendInfo;
    let console = server::build(
        &config(&["--ephemeral"]),
        Some(app::domain::user::Secret::new(ADMIN_PASSWORD)),
    )
    .await
    .unwrap();
    let router = console.router.clone();
    let BackendInfo::Simulator { endpoint } = console.backend.info.clone() else {
        panic!("the default backend is the simulator");
    };
    let port = endpoint.rsplit(':').next().unwrap().trim_end_matches('/');
    let secrets_of_the_backend = [
        endpoint.as_str(),
        port,
        "000000000000",
        "111122223333",
        "Embedded simulator",
    ];
    let session = send(&router, call("/api/session", &[], None, ORIGIN)).await;
    assert_eq!(session.status, StatusCode::OK);
    let login = send(&router, get("/login", None)).await;
    assert_eq!(login.status, StatusCode::OK);
    for (what, body) in [
        ("POST /api/session", &session.body),
        ("GET /login", &login.body),
    ] {
        for secret in secrets_of_the_backend {
            assert!(!body.contains(secret), "{what} shows {secret:?}: {body}");
        }
    }
    let json: serde_json::Value = serde_json::from_str(&session.body).unwrap();
    assert_eq!(json["backend"], serde_json::Value::Null);
    assert_eq!(json["user"], serde_json::Value::Null);
    // The Backend page's own call refuses a visitor, without a word about the backend.
    let backend = send(&router, call("/api/backend", &[], None, ORIGIN)).await;
    assert_eq!(backend.status, StatusCode::UNAUTHORIZED);
    for secret in secrets_of_the_backend {
        assert!(
            !backend.body.contains(secret),
            "POST /api/backend shows {secret:?}"
        );
    }
    // Signed in, the session names the backend as the header does, and the Backend page's call
    // gives its endpoint.
    let cookie = sign_in(&router, "admin", ADMIN_PASSWORD).await;
    let session = send(&router, call("/api/session", &[], Some(&cookie), ORIGIN)).await;
    let json: serde_json::Value = serde_json::from_str(&session.body).unwrap();
    assert_eq!(json["backend"]["label"], "Embedded simulator");
    let backend = send(&router, call("/api/backend", &[], Some(&cookie), ORIGIN)).await;
    assert_eq!(backend.status, StatusCode::OK);
    assert!(backend.body.contains(&endpoint), "{}", backend.body);
}
