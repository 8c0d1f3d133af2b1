//! The edit page and the proxy configuration upload through the real router: the field/state
//! matrix as rendered, the multipart upload without JavaScript and its refusals, and the review.

mod common;

use axum::http::{header, StatusCode};
use common::*;

const ARCHIVE_EDIT: &str = "/stores/000000000000/us-east-1/cks-0a1b2c3d4e5f60003/edit";
const NEW_SECRET: &str = "cGF5bWVudHMtZGVtby1yb3RhdGVkLXNlY3JldC1mb3IteGtzLTI=";

async fn console_and_admin() -> (axum::Router, String) {
    console_and_admin_with(&[]).await
}

fn good_file() -> String {
    format!(
        r#"{{"XksProxyUriPath": "/payments-v2/kms/xks/v1", "Note": "x",
  "XksProxyAuthenticationCredential": {{"AccessKeyId": "PAYMENTSXKSROTATEDKY", "RawSecretAccessKey": "{NEW_SECRET}"}}}}"#
    )
}

#[tokio::test]
async fn the_edit_page_marks_each_field_for_the_stores_state() {
    let (router, cookie) = console_and_admin().await;
    let page = send(&router, get(PAYMENTS_EDIT, Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    let badge = |field: &str| {
        let marker = format!("data-testid=\"badge-{field}\" class=\"edit-badge ");
        let at = page
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("{field} has no badge"));
        let rest = &page.body[at + marker.len()..];
        rest[..rest.find('"').unwrap()].to_string()
    };
    // A CONNECTED XKS store (reference §6).
    for f in ["name", "path", "credential"] {
        assert_eq!(badge(f), "now", "{f}");
    }
    for f in ["connectivity", "endpoint"] {
        assert_eq!(badge(f), "needs-disconnected", "{f}");
    }
    for f in ["vpc_name", "vpc_owner"] {
        assert_eq!(badge(f), "not-applicable", "{f}");
    }
    assert!(page
        .body
        .contains("Applies only with VPC_ENDPOINT_SERVICE connectivity."));
    assert!(
        !page.body.contains("badge-password"),
        "no CloudHSM fields on an XKS store"
    );
    // A DISCONNECTED CloudHSM store: its three fields, all editable now.
    let page = send(&router, get(ARCHIVE_EDIT, Some(&cookie))).await;
    for f in ["name", "password", "cluster_id"] {
        assert!(
            page.body.contains(&format!(
                "data-testid=\"badge-{f}\" class=\"edit-badge now\""
            )),
            "{f}"
        );
    }
    assert!(!page.body.contains("badge-endpoint"));
}

#[tokio::test]
async fn an_upload_without_javascript_prefills_the_form_but_never_renders_the_secret() {
    let (router, cookie) = console_and_admin().await;
    let reply = send(&router, upload(&cookie, good_file().as_bytes())).await;
    assert_eq!(reply.status, StatusCode::FOUND, "{}", reply.body);
    let location = reply.header("location").to_string();
    assert!(
        location.starts_with(&format!("{PAYMENTS_EDIT}?upload=")),
        "{location}"
    );
    let page = send(&router, get(&location, Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    // In the inputs themselves, so the form works without JavaScript.
    assert!(page
        .body
        .contains(r#"name="path" type="text" value="/payments-v2/kms/xks/v1""#));
    assert!(page
        .body
        .contains(r#"name="access_key_id" type="text" value="PAYMENTSXKSROTATEDKY""#));
    assert!(page.body.contains("Unknown key \"Note\" was ignored."));
    assert!(page
        .body
        .contains("from the uploaded file (kept on the server)"));
    assert!(!page.body.contains(NEW_SECRET), "the secret is in the page");
    // The review takes the secret from the upload, and shows it only as changed.
    let upload_id = location.split("upload=").nth(1).unwrap();
    let fingerprint = fingerprint_in(&page.body);
    let reply = send(
        &router,
        review_payments(
            &cookie,
            &fingerprint,
            upload_id,
            "/payments-v2/kms/xks/v1",
            "PAYMENTSXKSROTATEDKY",
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let review = reply.header("location").to_string();
    assert!(review.starts_with("/review/"), "{review}");
    let page = send(&router, get(&review, Some(&cookie))).await;
    assert!(page.body.contains("PAYMENTSXKSROTATEDKY / secret changed"));
    assert!(
        page.body.contains("Passed. "),
        "the preflight used the uploaded secret"
    );
    assert!(!page.body.contains(NEW_SECRET));
}

#[tokio::test]
async fn bad_files_are_refused_with_a_precise_message_and_change_nothing() {
    let (router, cookie) = console_and_admin().await;
    let cases: [(Vec<u8>, &str); 5] = [
        (
            b"{\n  \"XksProxyUriPath\": \"/kms/xks/v1\",\n  oops\n}".to_vec(),
            "at line 3, column 3",
        ),
        (
            br#"{"XksProxyUriPath": 7}"#.to_vec(),
            "XksProxyUriPath must be a string, not a number.",
        ),
        (
            br#"{"XksProxyUriPath": "/nope"}"#.to_vec(),
            "Proxy configuration file: XksProxyUriPath must be 10 to 128",
        ),
        (b"{\"XksProxyUriPath\": \"\xff\xfe\"}".to_vec(), "not UTF-8"),
        (vec![b' '; 70 * 1024], "larger than 64 KiB"),
    ];
    for (file, expected) in cases {
        let reply = send(&router, upload(&cookie, &file)).await;
        assert_eq!(reply.status, StatusCode::FOUND);
        let location = reply.header("location").to_string();
        assert!(location.contains("__err="), "{location}");
        // The edit page shows the message server_fn put in the URL.
        let path = location.trim_start_matches(ORIGIN);
        let page = send(&router, get(path, Some(&cookie))).await;
        assert!(page.body.contains(expected), "{expected} not in the page");
    }
    // Not multipart at all: refused before the upload is parsed.
    let mut req = upload(&cookie, b"{}");
    req.headers_mut()
        .insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
    let reply = send(&router, req).await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // The store is unchanged.
    let page = send(&router, get(PAYMENTS_EDIT, Some(&cookie))).await;
    assert!(page.body.contains("/payments/kms/xks/v1"));
}

#[tokio::test]
async fn viewers_cannot_review_changes_and_bad_values_are_named() {
    let (router, cookie) = console_and_admin().await;
    let reply = send(
        &router,
        call(
            "/api/stores/review",
            &[
                ("account", "000000000000"),
                ("region", "us-east-1"),
                ("id", "cks-0a1b2c3d4e5f60001"),
                ("fingerprint", "0000000000000000"),
                ("name", "payments-xks"),
                ("endpoint", "https://proxy-a.xks.sim.internal:443"),
            ],
            Some(&cookie),
            ORIGIN,
        ),
    )
    .await;
    // The form was loaded before the store looked like this (stale fingerprint).
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    let page = send(&router, get(PAYMENTS_EDIT, Some(&cookie))).await;
    let fingerprint = fingerprint_in(&page.body);
    let reply = send(
        &router,
        call(
            "/api/stores/review",
            &[
                ("account", "000000000000"),
                ("region", "us-east-1"),
                ("id", "cks-0a1b2c3d4e5f60001"),
                ("fingerprint", &fingerprint),
                ("name", "payments-xks"),
                ("connectivity", "PUBLIC_ENDPOINT"),
                ("endpoint", "https://proxy-a.xks.sim.internal:443"),
                ("path", "/payments/kms/xks/v1"),
                ("access_key_id", "PAYMENTSXKSROTATEDKY"),
            ],
            Some(&cookie),
            ORIGIN,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply
            .body
            .contains("XksProxyUriEndpoint must be https:// and a host name"),
        "{}",
        reply.body
    );
    assert!(reply
        .body
        .contains("RawSecretAccessKey: KMS replaces the credential whole"));
    // A viewer is refused before anything is checked.
    send(
        &router,
        call(
            "/api/users/add",
            &[
                ("username", "vera"),
                ("password", "vera-password-1"),
                ("role", "viewer"),
            ],
            Some(&cookie),
            ORIGIN,
        ),
    )
    .await;
    let viewer = sign_in(&router, "vera", "vera-password-1").await;
    let reply = send(
        &router,
        call(
            "/api/stores/review",
            &[
                ("account", "000000000000"),
                ("region", "us-east-1"),
                ("id", "x"),
                ("fingerprint", "x"),
                ("name", "x"),
            ],
            Some(&viewer),
            ORIGIN,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_audit_log_records_connects_and_filters_by_store() {
    let (router, cookie) = console_and_admin().await;
    let reply = send(
        &router,
        call(
            "/api/stores/act",
            &[
                ("account", "000000000000"),
                ("region", "us-east-1"),
                ("id", "cks-0a1b2c3d4e5f60003"),
                ("action", "connect"),
                ("confirm", "yes"),
            ],
            Some(&cookie),
            ORIGIN,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let page = send(
        &router,
        get("/audit?store=cks-0a1b2c3d4e5f60003", Some(&cookie)),
    )
    .await;
    assert_eq!(page.body.matches(r#"data-testid="audit-row""#).count(), 1);
    assert!(
        page.body.contains("<td>admin</td><td>connect"),
        "{}",
        page.body
    );
    assert!(page.body.contains("hsm-archive"));
    let other = send(
        &router,
        get("/audit?store=cks-0a1b2c3d4e5f60001", Some(&cookie)),
    )
    .await;
    assert!(other.body.contains("No entries."));
    let all = send(&router, get("/audit", Some(&cookie))).await;
    assert_eq!(all.body.matches(r#"data-testid="audit-row""#).count(), 1);
}
