//! Authorization as a table, built from the router's own list of server functions, so a new one
//! cannot be missed: for every `/api` endpoint, a visitor with no session gets 401, a viewer gets
//! 403 on anything that changes state, and another origin gets 403.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;

/// What an endpoint is: who may call it. A server function missing here fails the test until it
/// is classified, with arguments that reach its checks.
enum Access {
    /// Anyone: signing in and out, and the session every page asks for.
    Public,
    /// Any signed-in user; changes nothing.
    Read,
    /// Operators only.
    Change,
    /// Any signed-in user, on their own account only (their password).
    Own,
}

const STORE: &[(&str, &str)] = &[
    ("account", "000000000000"),
    ("region", "us-east-1"),
    ("id", "cks-0a1b2c3d4e5f60001"),
];

/// Every server function: its access and arguments of the right shape (so the request reaches
/// the role check, not an argument error).
fn table(path: &str) -> Option<(Access, Vec<(&'static str, &'static str)>)> {
    use Access::*;
    let with_store = |extra: &[(&'static str, &'static str)]| {
        STORE.iter().chain(extra).copied().collect::<Vec<_>>()
    };
    Some(match path.trim_start_matches("/api/") {
        "login" => (
            Public,
            vec![("username", "nobody"), ("password", "not-a-password")],
        ),
        "session" => (Public, vec![]),
        // The Backend page's list of targets: accounts and profiles are for signed-in users.
        "backend" => (Read, vec![]),
        // Signing out when not signed in changes nothing.
        "logout" => (Public, vec![]),
        "users/list" => (Read, vec![]),
        "account/password" => (
            Own,
            vec![
                ("current", "not-the-password"),
                ("password", "long-enough-pw2"),
                ("confirm", "long-enough-pw2"),
            ],
        ),
        "users/role" => (Change, vec![("username", "vera"), ("role", "operator")]),
        "users/reset-password" => (
            Change,
            vec![("username", "vera"), ("password", "long-enough-pw3")],
        ),
        "users/remove" => (Change, vec![("username", "vera")]),
        "users/add" => (
            Change,
            vec![
                ("username", "zed"),
                ("password", "long-enough-pw1"),
                ("role", "viewer"),
            ],
        ),
        "stores/list" => (Read, vec![]),
        "stores/page" => (Read, vec![("view[page]", "1")]),
        // Any signed-in user may ask the watcher to read again: it changes nothing.
        "stores/refresh" => (Read, vec![]),
        "stores/get" | "stores/runs" | "stores/edit-form" | "stores/test-connection" => {
            (Read, with_store(&[]))
        }
        "stores/act" => (
            Change,
            with_store(&[("action", "disconnect"), ("confirm", "yes")]),
        ),
        "stores/delete" => (Change, with_store(&[("confirm_name", "payments-xks")])),
        "stores/reconnect" => (Change, with_store(&[])),
        "stores/review" => (
            Change,
            with_store(&[("fingerprint", "x"), ("name", "renamed")]),
        ),
        "stores/create" => (
            Change,
            vec![
                ("target", "000000000000/us-east-1"),
                ("store_type", "EXTERNAL_KEY_STORE"),
                ("name", "new-store"),
            ],
        ),
        "stores/upload-config" => (Change, vec![]),
        "reviews/get" => (Change, vec![("draft", "no-such-draft")]),
        "runs/start" => (Change, vec![("draft", "no-such-draft"), ("confirm", "yes")]),
        "runs/get" => (Read, vec![("id", "1")]),
        "runs/act" => (Change, vec![("run", "1"), ("action", "leave")]),
        "audit/list" => (Read, vec![]),
        // Operators only, though it changes nothing: where notifications went, and why not.
        "notifications/list" => (Change, vec![]),
        "demo/world" => (Read, vec![]),
        "demo/act" => (Change, vec![("action", "reset"), ("target", "")]),
        _ => return None,
    })
}

/// The request a browser sends: a form, or for the upload a multipart body with a file.
fn request(path: &str, form: &[(&str, &str)], cookie: Option<&str>, origin: &str) -> Request<Body> {
    if !path.ends_with("stores/upload-config") {
        return call(path, form, cookie, origin);
    }
    let boundary = "cks-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.json\"\r\nContent-Type: application/json\r\n\r\n{{\"XksProxyUriPath\": \"/team/kms/xks/v1\"}}\r\n--{boundary}--\r\n"
    );
    let mut b = Request::post(path)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, origin)
        .header(header::ACCEPT, "application/json")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        );
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn every_api_endpoint_checks_the_session_the_role_and_the_origin() {
    let (router, operator) = console_and_admin_with(&[]).await;
    // A viewer, added by the operator.
    let viewer = add_user(&router, &operator, "vera", "vera-password-1", "viewer").await;

    let mut paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .filter(|p| p.starts_with("/api/"))
        .collect();
    paths.sort();
    paths.dedup();
    // Signing out ends the viewer's session: last.
    paths.sort_by_key(|p| p.ends_with("/logout"));
    assert!(
        paths.len() >= 20,
        "the router's server functions: {paths:?}"
    );
    let unclassified: Vec<&String> = paths.iter().filter(|p| table(p).is_none()).collect();
    assert!(
        unclassified.is_empty(),
        "classify these server functions in this test's table: {unclassified:?}"
    );

    for path in &paths {
        let (access, form) = table(path).unwrap();
        // No session.
        let r = send(&router, request(path, &form, None, ORIGIN)).await;
        match access {
            Access::Public => assert_ne!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.body),
            Access::Read | Access::Change | Access::Own => {
                assert_eq!(
                    r.status,
                    StatusCode::UNAUTHORIZED,
                    "{path} without a session: {}",
                    r.body
                )
            }
        }
        // A viewer.
        let r = send(&router, request(path, &form, Some(&viewer), ORIGIN)).await;
        match access {
            Access::Change => {
                assert_eq!(
                    r.status,
                    StatusCode::FORBIDDEN,
                    "{path} as a viewer: {}",
                    r.body
                );
                assert!(r.body.contains("Forbidden"), "{path}: {}", r.body);
            }
            // Signing in with wrong credentials is refused whoever asks.
            Access::Public => {}
            Access::Read | Access::Own => assert!(
                !matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN),
                "{path} as a viewer: {} {}",
                r.status,
                r.body
            ),
        }
        // Another site, with the operator's cookie.
        let r = send(
            &router,
            request(path, &form, Some(&operator), "https://evil.example"),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{path} from another origin: {}",
            r.body
        );
    }
}
