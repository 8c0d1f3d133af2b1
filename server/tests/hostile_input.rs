//! Untrusted input never panics the console: control characters, odd encodings and odd values
//! sent to the sign-in and every other form endpoint each get a proper answer.

mod common;

use axum::body::Body;
use axum::http::{header, HeaderValue, Request, StatusCode};
use common::*;

/// Values an attacker or a broken client sends.
const ODD: &[&str] = &[
    "/\r\nX-Injected: yes",
    "/\nLocation: https://evil.example/",
    "\r\n",
    "\0",
    "/%0d%0aX: y",
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\u{7f}",
    "/é/ü",
    "/\u{202e}gnp.exe",
    "\u{feff}/",
    "/\t/",
    "../../etc/passwd",
    "",
    " ",
    "%",
    "%%%",
    "a[b]=c",
    "🔑",
];

fn hostile_values() -> Vec<String> {
    let mut v: Vec<String> = ODD.iter().map(|s| s.to_string()).collect();
    v.push("/".repeat(4096));
    v.push("x".repeat(20_000));
    v
}

/// Each endpoint and the inputs it reads; every input gets each odd value in turn.
const FORMS: &[(&str, &[&str])] = &[
    ("/api/login", &["username", "password", "next"]),
    ("/api/users/add", &["username", "password", "role"]),
    ("/api/users/role", &["username", "role"]),
    ("/api/users/reset-password", &["username", "password"]),
    ("/api/users/remove", &["username"]),
    ("/api/account/password", &["current", "password", "confirm"]),
    (
        "/api/stores/review",
        &[
            "account",
            "region",
            "id",
            "fingerprint",
            "upload",
            "name",
            "connectivity",
            "endpoint",
            "path",
            "access_key_id",
            "secret",
            "reconnect",
        ],
    ),
    (
        "/api/stores/create",
        &[
            "target",
            "store_type",
            "name",
            "connectivity",
            "endpoint",
            "path",
            "override_preflight",
        ],
    ),
    (
        "/api/stores/act",
        &["account", "region", "id", "action", "confirm"],
    ),
    (
        "/api/stores/delete",
        &["account", "region", "id", "confirm_name"],
    ),
    ("/api/stores/get", &["account", "region", "id"]),
    (
        "/api/stores/edit-form",
        &["account", "region", "id", "upload"],
    ),
    (
        "/api/stores/test-connection",
        &["account", "region", "id", "secret"],
    ),
    (
        "/api/stores/page",
        &["view[state]", "view[q]", "view[page]", "view[sort]"],
    ),
    (
        "/api/runs/start",
        &["draft", "confirm", "override_preflight"],
    ),
    ("/api/runs/act", &["run", "action", "password", "secret"]),
    ("/api/runs/get", &["id"]),
    ("/api/reviews/get", &["draft"]),
    ("/api/audit/list", &["store"]),
    ("/api/demo/act", &["action", "target"]),
];

fn assert_answered(what: &str, status: StatusCode) {
    assert!(
        !status.is_server_error(),
        "{what}: answered {status}, a server error"
    );
}

#[tokio::test]
async fn odd_values_in_every_form_get_a_proper_answer_with_and_without_javascript() {
    let (router, cookie) = console_and_admin_with(&[]).await;
    for (path, inputs) in FORMS {
        for input in *inputs {
            for value in hostile_values() {
                let form = [(*input, value.as_str())];
                let what = format!("{path} {input}={value:?}");
                let reply = send(&router, call(path, &form, Some(&cookie), ORIGIN)).await;
                assert_answered(&what, reply.status);
                let reply = send(
                    &router,
                    form_post(path, &form, Some(&cookie), "http://127.0.0.1:3000/"),
                )
                .await;
                assert_answered(&format!("{what} (no JavaScript)"), reply.status);
                if let Some(location) = reply.headers.get(header::LOCATION) {
                    let location = location.to_str().unwrap_or_default();
                    assert!(
                        !location.contains('\n') && !location.contains('\r'),
                        "{what}: {location:?}"
                    );
                }
            }
        }
    }
    // Still serving.
    let page = send(&router, get("/", Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
}

/// The sign-in form, without JavaScript, with the right password and `next`.
fn sign_in_then(next: &str) -> Request<Body> {
    form_post(
        "/api/login",
        &[
            ("username", "admin"),
            ("password", ADMIN_PASSWORD),
            ("next", next),
        ],
        None,
        "http://127.0.0.1:3000/login",
    )
}

#[tokio::test]
async fn a_sign_in_with_a_bad_next_goes_home_and_never_elsewhere() {
    let router = console().await;
    for next in hostile_values() {
        let reply = send(&router, sign_in_then(&next)).await;
        assert_eq!(
            reply.status,
            StatusCode::FOUND,
            "next={next:?}: {}",
            reply.body
        );
        assert_eq!(reply.header("location"), "/", "next={next:?}");
    }
    // A good one is kept as it is.
    let reply = send(
        &router,
        sign_in_then("/stores/000000000000/us-east-1/cks-1?fix=1"),
    )
    .await;
    assert_eq!(
        reply.header("location"),
        "/stores/000000000000/us-east-1/cks-1?fix=1"
    );
}

#[tokio::test]
async fn odd_bytes_in_urls_bodies_and_headers_get_a_proper_answer() {
    let (router, cookie) = console_and_admin_with(&[]).await;
    for path in [
        "/?state=%0d%0a&q=%00&page=-1&sort=%ff",
        "/?page=99999999999999999999999",
        "/stores/%0d%0a/%00/%ff",
        "/stores/a/b/c/edit?upload=%0d%0a&fix=%ff",
        "/login?next=%0d%0aX:%20y",
        "/runs/-1",
        "/runs/99999999999999999999",
        "/review/%2e%2e%2f",
        "/audit?store=%0a",
        "/%ff%fe",
    ] {
        let reply = send(&router, get(path, Some(&cookie))).await;
        assert_answered(path, reply.status);
    }
    // A body that is not UTF-8, and a Referer with bytes beyond ASCII (a plain form post is
    // redirected back to its Referer).
    for body in [
        &b"username=%ff%fe&password=\xff\xfe"[..],
        b"\xff\xff\xff",
        b"a=%",
    ] {
        let request = Request::post("/api/login")
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ORIGIN, ORIGIN)
            .header(header::ACCEPT, "text/html")
            .header(
                header::REFERER,
                HeaderValue::from_bytes(b"http://127.0.0.1:3000/login?\xe9").unwrap(),
            )
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.to_vec()))
            .unwrap();
        let reply = send(&router, request).await;
        assert_answered(&format!("body {body:?}"), reply.status);
    }
}
