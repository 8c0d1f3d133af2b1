//! One key store's page: every field, the error's meaning, and Connect/Disconnect for operators.

mod common;

use axum::http::StatusCode;
use common::*;

const LEDGER: &str = "/stores/000000000000/us-east-1/cks-0a1b2c3d4e5f60002";
const ARCHIVE: &str = "/stores/000000000000/us-east-1/cks-0a1b2c3d4e5f60003";

async fn console_and_admin() -> (axum::Router, String) {
    console_and_admin_with(&[]).await
}

fn act(store: &str, action: &str, confirm: bool) -> Vec<(&'static str, String)> {
    let parts: Vec<&str> = store.trim_start_matches("/stores/").split('/').collect();
    let mut form = vec![
        ("account", parts[0].to_string()),
        ("region", parts[1].to_string()),
        ("id", parts[2].to_string()),
        ("action", action.to_string()),
    ];
    if confirm {
        form.push(("confirm", "yes".to_string()));
    }
    form
}

fn as_refs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn the_page_shows_every_field_the_error_and_why_actions_are_not_allowed() {
    let (router, cookie) = console_and_admin().await;
    let page = send(&router, get(LEDGER, Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "General configuration",
        "External key store proxy configuration",
        "cks-0a1b2c3d4e5f60002",
        "https://proxy-b.xks.sim.internal",
        "/ledger/kms/xks/v1",
        "LEDGERXKSORIGINALKEY",
        "INVALID_CREDENTIALS",
        "the proxy does not accept the credential",
        "A FAILED store must be disconnected before it can connect again.",
        "all of its KMS keys are unusable",
    ] {
        assert!(page.body.contains(text), "{text} missing");
    }
    // The proxy's secret is never on the page.
    assert!(!page.body.contains("bGVkZ2Vy"), "a secret reached the page");
    let hsm = send(&router, get(ARCHIVE, Some(&cookie))).await;
    assert!(hsm.body.contains("AWS CloudHSM cluster") && hsm.body.contains("cluster-archivevault"));
    assert!(
        hsm.body.contains("BEGIN CERTIFICATE"),
        "the trust anchor is shown"
    );
    assert!(hsm.body.contains("The store is already disconnected."));
}

#[tokio::test]
async fn an_operator_connects_a_store_after_confirming_and_the_state_follows() {
    let (router, cookie) = console_and_admin().await;
    let unconfirmed = act(ARCHIVE, "connect", false);
    let r = send(
        &router,
        call(
            "/api/stores/act",
            &as_refs(&unconfirmed),
            Some(&cookie),
            ORIGIN,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("Confirmation"));

    let form = act(ARCHIVE, "connect", true);
    let r = send(
        &router,
        form_post(
            "/api/stores/act",
            &as_refs(&form),
            Some(&cookie),
            &format!("http://127.0.0.1:3000{ARCHIVE}"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    let page = send(&router, get(ARCHIVE, Some(&cookie))).await;
    assert!(page.body.contains(">CONNECTING<"), "{}", page.body);
    assert!(page.body.contains(r#"http-equiv="refresh""#));
    let mut connected = false;
    for _ in 0..40 {
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        let page = send(&router, get(ARCHIVE, Some(&cookie))).await;
        if page.body.contains(">CONNECTED<") {
            connected = true;
            break;
        }
    }
    assert!(connected, "the store never reached CONNECTED");
}

#[tokio::test]
async fn kms_refusals_read_as_a_meaning_and_a_next_step() {
    let (router, cookie) = console_and_admin().await;
    let form = act(LEDGER, "connect", true);
    let r = send(
        &router,
        call("/api/stores/act", &as_refs(&form), Some(&cookie), ORIGIN),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.body.contains(
            "The key store's connection state does not allow this now. Next: Disconnect the store"
        ),
        "{}",
        r.body
    );
    let missing = send(
        &router,
        get(
            "/stores/000000000000/us-east-1/cks-00000000000000000",
            Some(&cookie),
        ),
    )
    .await;
    assert!(
        missing
            .body
            .contains("does not exist in this account and Region"),
        "{}",
        missing.body
    );
}

#[tokio::test]
async fn only_operators_act_and_viewers_see_the_actions_disabled() {
    let (router, admin) = console_and_admin().await;
    let add = [
        ("username", "vera"),
        ("password", "vera-password-1"),
        ("role", "viewer"),
    ];
    assert_eq!(
        send(&router, call("/api/users/add", &add, Some(&admin), ORIGIN))
            .await
            .status,
        StatusCode::OK
    );
    let vera = sign_in(&router, "vera", "vera-password-1").await;
    let page = send(&router, get(ARCHIVE, Some(&vera))).await;
    assert!(page.body.contains("Your role can only read"));
    for action in ["action-connect", "action-disconnect"] {
        let at = page
            .body
            .find(&format!(r#"data-testid="{action}""#))
            .unwrap();
        let tag_start = page.body[..at].rfind("<fieldset").unwrap();
        let tag = &page.body[tag_start..at];
        assert!(
            tag.contains(" disabled"),
            "{action} is not disabled for a viewer: {tag}"
        );
    }
    let form = act(ARCHIVE, "connect", true);
    let r = send(
        &router,
        call("/api/stores/act", &as_refs(&form), Some(&vera), ORIGIN),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &router,
        call("/api/stores/act", &as_refs(&form), None, ORIGIN),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = send(
        &router,
        call(
            "/api/stores/act",
            &as_refs(&form),
            Some(&admin),
            "http://evil.example",
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn delete_needs_a_disconnected_store_and_its_name_typed() {
    let (router, cookie) = console_and_admin().await;
    let delete = |id: &'static str, name: &'static str| {
        call(
            "/api/stores/delete",
            &[
                ("account", "000000000000"),
                ("region", "us-east-1"),
                ("id", id),
                ("confirm_name", name),
            ],
            Some(&cookie),
            ORIGIN,
        )
    };
    let page = send(&router, get(ARCHIVE, Some(&cookie))).await;
    assert!(page.body.contains("Type hsm-archive to confirm"));
    // payments-xks is CONNECTED.
    let reply = send(&router, delete("cks-0a1b2c3d4e5f60001", "payments-xks")).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert!(reply
        .body
        .contains("Only a DISCONNECTED store can be deleted"));
    let reply = send(&router, delete("cks-0a1b2c3d4e5f60003", "hsm-archivE")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply
        .body
        .contains("type the store's name, hsm-archive, to delete it"));
    let reply = send(&router, delete("cks-0a1b2c3d4e5f60003", "hsm-archive")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.header("location"), "/");
    let gone = send(&router, get(ARCHIVE, Some(&cookie))).await;
    assert!(
        gone.body.contains("There is no key store") || gone.body.contains("does not exist"),
        "{}",
        gone.body
    );
    let audit = send(
        &router,
        get("/audit?store=cks-0a1b2c3d4e5f60003", Some(&cookie)),
    )
    .await;
    assert!(audit.body.contains("deleted"));
}
