//! Failure notifications (README "Notifications"): the watcher's findings become audit entries
//! and JSON events POSTed to each --notify-webhook, retried until the receiver takes them.
//! One test here installs the process's log subscriber.

mod common;

use axum::http::StatusCode;
use clap::Parser;
use common::*;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A receiver that refuses its first delivery (as a receiver restarting would) and keeps the
/// rest.
#[derive(Default)]
struct Receiver {
    refused: Mutex<usize>,
    kept: Mutex<Vec<serde_json::Value>>,
}

async fn receiver(r: Arc<Receiver>) -> String {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::Json<serde_json::Value>| {
            let r = r.clone();
            async move {
                let mut refused = r.refused.lock().unwrap();
                if *refused == 0 {
                    *refused += 1;
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                r.kept.lock().unwrap().push(body.0);
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

async fn api(router: &axum::Router, cookie: &str, path: &str, form: &[(&str, &str)]) {
    let r = send(router, call(path, form, Some(cookie), ORIGIN)).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
}

async fn wait_for(r: &Receiver, event: &str) -> serde_json::Value {
    for _ in 0..300 {
        if let Some(v) = r.kept.lock().unwrap().iter().find(|v| v["event"] == event) {
            return v.clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no {event} event; got {:?}", r.kept.lock().unwrap());
}

#[tokio::test]
async fn a_failing_store_and_an_unreadable_target_are_told_and_audited() {
    let logs = Captured::debug_logs(false);
    let received = Arc::new(Receiver::default());
    // A webhook's URL often carries its token: it must not reach the log.
    let url = format!("{}?token=HOOK-TOKEN-6c1e", receiver(received.clone()).await);
    let (router, cookie) = console_and_admin_with(&[
        "--notify-webhook",
        &url,
        "--public-url",
        "https://cks.example.com/",
        "--sim-transition-ms",
        "300",
    ])
    .await;

    // KMS goes down in one account and Region: the target cannot be read.
    api(
        &router,
        &cookie,
        "/api/demo/act",
        &[("action", "kms_down"), ("target", "111122223333/eu-west-1")],
    )
    .await;
    let down = wait_for(&received, "target_unreadable").await;
    assert_eq!(down["account"], "111122223333");
    assert_eq!(down["region"], "eu-west-1");
    assert!(
        down["meaning"].as_str().unwrap().contains("Next:"),
        "{down}"
    );
    assert_eq!(
        *received.refused.lock().unwrap(),
        1,
        "the first delivery was refused, then retried"
    );
    api(
        &router,
        &cookie,
        "/api/demo/act",
        &[("action", "kms_up"), ("target", "111122223333/eu-west-1")],
    )
    .await;
    wait_for(&received, "target_readable").await;

    // hsm-archive's cluster loses its HSMs; connecting the store fails it (README, demo panel).
    api(
        &router,
        &cookie,
        "/api/demo/act",
        &[("action", "lose_hsms"), ("target", "cluster-archivevault")],
    )
    .await;
    api(
        &router,
        &cookie,
        "/api/stores/act",
        &[
            ("account", "000000000000"),
            ("region", "us-east-1"),
            ("id", "cks-0a1b2c3d4e5f60003"),
            ("action", "connect"),
            ("confirm", "yes"),
        ],
    )
    .await;
    let failed = wait_for(&received, "store_failed").await;
    assert_eq!(failed["store_id"], "cks-0a1b2c3d4e5f60003");
    assert_eq!(failed["store_name"], "hsm-archive");
    assert_eq!(failed["state"], "FAILED");
    assert!(failed["error_code"].is_string(), "{failed}");
    assert!(failed["meaning"].is_string(), "{failed}");
    assert_eq!(
        failed["fix_url"],
        "https://cks.example.com/stores/000000000000/us-east-1/cks-0a1b2c3d4e5f60003/fix"
    );

    // The audit log has all three, attributed to the console's watcher.
    let audit = send(&router, get("/audit", Some(&cookie))).await;
    for action in ["target_unreadable", "target_readable", "store_failed"] {
        assert!(
            audit.body.contains(action),
            "{action} not audited: {}",
            audit.body
        );
    }

    // The refused delivery was logged, by the receiver's host and without its token.
    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    let failed_line = logged
        .lines()
        .find(|l| l.contains("notification not delivered"))
        .expect("the failed delivery is logged");
    assert!(failed_line.contains("127.0.0.1"), "{failed_line}");
    assert!(
        !logged.contains("HOOK-TOKEN"),
        "the webhook's token reached the log"
    );
}

#[test]
fn a_webhook_is_an_http_url_and_nothing_else() {
    for bad in [
        "ftp://example.com/x",
        "not a url",
        "http://exa\tmple.com/hook",
        "https://",
    ] {
        let err = server::config::Config::try_parse_from(["cks-console", "--notify-webhook", bad]);
        assert!(err.is_err(), "{bad:?} was accepted");
    }
    let ok = server::config::Config::try_parse_from([
        "cks-console",
        "--notify-webhook",
        "https://hooks.example.com/a",
        "--notify-webhook",
        "http://127.0.0.1:9/b",
    ])
    .unwrap();
    assert_eq!(ok.notify_webhooks.len(), 2);
}

/// README "Notifications": a webhook that cannot be reached is retried, then shown as failed on
/// the Notifications page with its last error; the page is for operators, and names the receiver
/// by host only (its query holds a token here).
#[tokio::test]
async fn a_delivery_that_never_arrives_is_on_the_notifications_page() {
    // A port nobody listens on: every attempt is refused.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let url = format!("http://127.0.0.1:{port}/hook?token=HOOK-TOKEN-9d2f");
    let (router, admin) = console_and_admin_with(&["--notify-webhook", &url]).await;
    let viewer = add_user(&router, &admin, "vera", "vera-password-1", "viewer").await;

    let before = send(&router, get("/notifications", Some(&admin))).await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(
        before.body.contains("No notifications sent yet."),
        "{}",
        before.body
    );

    api(
        &router,
        &admin,
        "/api/demo/act",
        &[("action", "kms_down"), ("target", "111122223333/eu-west-1")],
    )
    .await;
    // Six attempts, 1 + 2 + 4 + 8 + 16 s apart: the last ends about 31 s later.
    let receiver = format!("http://127.0.0.1:{port}");
    let mut page = String::new();
    let mut retrying_seen = false;
    for _ in 0..60 {
        page = send(&router, get("/notifications", Some(&admin)))
            .await
            .body;
        retrying_seen |= page.contains(">retrying<");
        if page.contains(">failed<") {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    assert!(retrying_seen, "no attempt shown before the last: {page}");
    assert!(
        page.contains("1 notification could not be delivered."),
        "{page}"
    );
    for shown in [
        "target_unreadable",
        "111122223333 eu-west-1",
        receiver.as_str(),
        ">6<",
        "could not connect to the receiver",
    ] {
        assert!(page.contains(shown), "{shown} not on the page: {page}");
    }
    assert!(
        !page.contains("HOOK-TOKEN"),
        "the webhook's token is on the page"
    );
    assert!(!page.contains("/hook"), "the webhook's path is on the page");

    // Viewers neither see the page's link nor read it.
    let home = send(&router, get("/", Some(&viewer))).await;
    assert!(
        !home.body.contains("href=\"/notifications\""),
        "{}",
        home.body
    );
    let operator_home = send(&router, get("/", Some(&admin))).await;
    assert!(operator_home.body.contains("href=\"/notifications\""));
    let refused = send(&router, get("/notifications", Some(&viewer))).await;
    assert!(
        !refused.body.contains("target_unreadable"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("can only read"), "{}", refused.body);
}
