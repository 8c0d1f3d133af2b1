//! The fleet watcher (issue "one watcher per target"): pages read the console's copy of each
//! target, so viewers send no DescribeCustomKeyStores of their own; a throttled target keeps its
//! last good rows, marked stale with the reason, and recovers by itself; a target that never
//! answers does not hold up the others; the console reads its own writes.

mod common;

use app::domain::store::TargetRef;
use app::ssr::KeyStores;
use axum::http::StatusCode;
use common::*;
use server::fleet::{KmsFleet, Target};
use server::watch::{FleetWatch, WatchSettings};
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const ANSWER: u8 = 0;
const THROTTLE: u8 = 1;
const HANG: u8 = 2;

/// A fake KMS whose answer the test switches: one connected store, KMS's ThrottlingException
/// (as its JSON protocol spells it), or no answer at all. It counts calls and calls in flight.
#[derive(Default)]
struct FakeKms {
    mode: AtomicU8,
    calls: AtomicUsize,
    in_flight: AtomicUsize,
}

async fn fake_kms(fake: Arc<FakeKms>) -> String {
    let app = axum::Router::new().fallback(move || {
        let fake = fake.clone();
        async move {
            fake.calls.fetch_add(1, Ordering::SeqCst);
            fake.in_flight.fetch_add(1, Ordering::SeqCst);
            let mode = fake.mode.load(Ordering::SeqCst);
            if mode == HANG {
                std::future::pending::<()>().await;
            }
            fake.in_flight.fetch_sub(1, Ordering::SeqCst);
            let json = [("content-type", "application/x-amz-json-1.1")];
            if mode == THROTTLE {
                return (
                    axum::http::StatusCode::BAD_REQUEST,
                    json,
                    r#"{"__type":"ThrottlingException","message":"You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls."}"#,
                );
            }
            (
                axum::http::StatusCode::OK,
                json,
                r#"{"CustomKeyStores":[{"CustomKeyStoreId":"cks-00000000000000001","CustomKeyStoreName":"only","CustomKeyStoreType":"EXTERNAL_KEY_STORE","ConnectionState":"CONNECTED","CreationDate":1.7e9}],"Truncated":false}"#,
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn target(account: &str, url: &str) -> Target {
    Target {
        reference: TargetRef {
            account: account.into(),
            region: "us-east-1".into(),
        },
        client: kms_client(url, "test"),
    }
}

fn quiet() -> WatchSettings {
    WatchSettings {
        refresh_interval: Duration::from_secs(600),
        ..WatchSettings::default()
    }
}

#[tokio::test]
async fn twenty_viewers_send_no_describe_of_their_own() {
    let fake = Arc::new(FakeKms::default());
    let url = fake_kms(fake.clone()).await;
    let watch = FleetWatch::start(
        KmsFleet::new(vec![target("000000000000", &url)], 100),
        quiet(),
    );
    let first = watch.fleet().await;
    assert_eq!(first.stores.len(), 1, "{first:?}");
    assert_eq!(
        fake.calls.load(Ordering::SeqCst),
        1,
        "the watcher's first read"
    );
    let viewers = (0..20).map(|_| {
        let watch = watch.clone();
        async move {
            for _ in 0..10 {
                let fleet = watch.fleet().await;
                assert!(fleet.failures.is_empty(), "{:?}", fleet.failures);
                let d = watch
                    .describe(&fleet.targets[0], "cks-00000000000000001")
                    .await
                    .expect("a viewer sees the store");
                assert_eq!(d.row.state.as_str(), "CONNECTED");
            }
        }
    });
    futures::future::join_all(viewers).await;
    assert_eq!(
        fake.calls.load(Ordering::SeqCst),
        1,
        "200 list views and 200 store views sent DescribeCustomKeyStores of their own"
    );
    let status = &watch.fleet().await.status[0];
    assert!(
        status.age_secs.is_some() && status.stale.is_none(),
        "{status:?}"
    );
}

#[tokio::test]
async fn a_throttled_target_keeps_its_rows_marked_stale_with_the_reason_then_recovers() {
    let fake = Arc::new(FakeKms::default());
    let url = fake_kms(fake.clone()).await;
    let watch = FleetWatch::start(
        KmsFleet::new(vec![target("000000000000", &url)], 100),
        quiet(),
    );
    assert_eq!(watch.fleet().await.stores.len(), 1);

    fake.mode.store(THROTTLE, Ordering::SeqCst);
    watch.refresh().await;
    let fleet = watch.fleet().await;
    assert!(
        fleet.failures.is_empty(),
        "throttling is not an error page: {:?}",
        fleet.failures
    );
    assert_eq!(fleet.stores.len(), 1, "the last good rows stay");
    let reason = fleet.status[0]
        .stale
        .clone()
        .expect("the target is marked stale");
    // The catalogue's meaning of ThrottlingException (app/src/domain/kms_errors.rs).
    assert!(reason.contains("KMS is throttling requests"), "{reason}");
    let d = watch
        .describe(&fleet.targets[0], "cks-00000000000000001")
        .await
        .expect("a store page still shows the last good data");
    assert_eq!(d.row.name, "only");

    // No one presses Refresh: the watcher backs off and tries again by itself.
    fake.mode.store(ANSWER, Ordering::SeqCst);
    let mut recovered = false;
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if watch.fleet().await.status[0].stale.is_none() {
            recovered = true;
            break;
        }
    }
    assert!(recovered, "the target never recovered by itself");
}

#[tokio::test]
async fn a_target_that_never_answers_does_not_hold_up_the_others() {
    let hanging = Arc::new(FakeKms::default());
    hanging.mode.store(HANG, Ordering::SeqCst);
    let hanging_url = fake_kms(hanging.clone()).await;
    let fine = Arc::new(FakeKms::default());
    let fine_url = fake_kms(fine.clone()).await;
    let watch = FleetWatch::start(
        KmsFleet::new(
            vec![
                target("111111111111", &hanging_url),
                target("222222222222", &fine_url),
            ],
            100,
        ),
        quiet(),
    );
    let fleet = watch.fleet().await;
    // The page came back while the first target's read was still waiting for an answer.
    assert_eq!(hanging.in_flight.load(Ordering::SeqCst), 1);
    assert_eq!(fleet.stores.len(), 1, "{fleet:?}");
    assert_eq!(fleet.stores[0].account, "222222222222");
    assert_eq!(fleet.failures.len(), 1);
    assert_eq!(fleet.failures[0].target.account, "111111111111");
    assert!(
        fleet.failures[0].message.contains("still reading"),
        "{}",
        fleet.failures[0].message
    );
}

#[tokio::test]
async fn the_console_reads_its_own_writes() {
    let sim = kms_sim::start(kms_sim::SimConfig {
        initial: kms_sim::Initial::Demo,
        connect_duration: Duration::from_secs(60),
        ..kms_sim::SimConfig::default()
    })
    .await
    .unwrap();
    let watch = FleetWatch::start(
        KmsFleet::new(server::backend::simulator_targets(&sim), 100),
        quiet(),
    );
    let account_a = TargetRef {
        account: "000000000000".into(),
        region: "us-east-1".into(),
    };
    // hsm-archive is the demo data's DISCONNECTED CloudHSM store (README, `--demo`).
    const ARCHIVE: &str = "cks-0a1b2c3d4e5f60003";
    let before = watch.describe(&account_a, ARCHIVE).await.unwrap();
    assert_eq!(before.row.state.as_str(), "DISCONNECTED");
    watch.connect(&account_a, ARCHIVE).await.unwrap();
    // No refresh interval has passed (it is ten minutes here): the read after the change shows it.
    let after = watch.describe(&account_a, ARCHIVE).await.unwrap();
    assert_eq!(after.row.state.as_str(), "CONNECTING");
    let listed = watch.fleet().await;
    let row = listed.stores.iter().find(|r| r.id == ARCHIVE).unwrap();
    assert_eq!(row.state.as_str(), "CONNECTING");
}

/// README "The key store list": the embedded simulator enforces KMS's quota (5 requests per
/// second per operation, account and Region), and the console stays within it.
#[tokio::test]
async fn twenty_viewers_and_a_run_within_the_quota_see_no_error() {
    use std::sync::atomic::AtomicBool;
    let (router, cookie) = console_and_admin_with(&["--sim-transition-ms", "500"]).await;
    const ARCHIVE_PAGE: &str = "/stores/000000000000/us-east-1/cks-0a1b2c3d4e5f60003";
    let done = Arc::new(AtomicBool::new(false));
    let viewers: Vec<_> = (0..20)
        .map(|i| {
            let (router, cookie, done) = (router.clone(), cookie.clone(), done.clone());
            tokio::spawn(async move {
                let mut seen = 0;
                while !done.load(Ordering::SeqCst) || seen < 2 {
                    let path = if i % 2 == 0 { "/" } else { ARCHIVE_PAGE };
                    let page = send(&router, get(path, Some(&cookie))).await;
                    assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
                    for sign in ["target-failure", "target-stale", "role=\"alert\"", "hrottl"] {
                        assert!(
                            !page.body.contains(sign),
                            "{path} shows {sign}: {}",
                            page.body
                        );
                    }
                    seen += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                seen
            })
        })
        .collect();

    let run = reconnect_hsm_archive(&router, &cookie).await;
    let mut status = String::new();
    for _ in 0..600 {
        let reply = send(
            &router,
            call("/api/runs/get", &[("id", &run)], Some(&cookie), ORIGIN),
        )
        .await;
        let view: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        status = view["status"].as_str().unwrap_or_default().to_string();
        if status != "Running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    done.store(true, Ordering::SeqCst);
    assert_eq!(status, "Succeeded");
    let mut views = 0;
    for v in viewers {
        views += v.await.expect("a viewer saw an error");
    }
    assert!(views >= 40, "{views} page views");
    let page = send(&router, get(ARCHIVE_PAGE, Some(&cookie))).await;
    assert!(page.body.contains(">CONNECTED<"), "{}", page.body);
}

/// The live pages' event stream: signed-in users only; an event when the watcher reads a change.
#[tokio::test]
async fn a_live_page_hears_of_a_change_made_outside_the_console() {
    use futures::StreamExt;
    let (router, cookie, console) = signed_in().await;

    let stranger = send(&router, get("/api/events", None)).await;
    assert_eq!(stranger.status, StatusCode::UNAUTHORIZED);

    let mut events = open_events(&router, &cookie).await;

    // Another tool connects hsm-archive; the console notices at its next read (here: Refresh).
    connect_outside_the_console(&console, "cks-0a1b2c3d4e5f60003").await;
    let refresh = send(
        &router,
        call("/api/stores/refresh", &[], Some(&cookie), ORIGIN),
    )
    .await;
    assert_eq!(refresh.status, StatusCode::OK);
    let heard = tokio::time::timeout(Duration::from_secs(30), async {
        let mut text = String::new();
        while let Some(chunk) = events.next().await {
            text.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
            if text.contains("event: fleet") {
                return text;
            }
        }
        text
    })
    .await
    .expect("an event within 30 s");
    assert!(heard.contains("event: fleet\ndata: "), "{heard}");
}

/// README "Changing a store": an open run page follows its run without polling. The event
/// stream names the run each time one of its steps starts or ends, or its status moves.
#[tokio::test]
async fn the_event_stream_names_a_run_at_each_step() {
    use futures::StreamExt;
    let (router, cookie, _console) = signed_in_with(&["--sim-transition-ms", "500"]).await;
    let mut events = open_events(&router, &cookie).await;

    let run = reconnect_hsm_archive(&router, &cookie).await;
    let ours = format!("event: run\ndata: {run}\n");

    // Read the stream until the run has ended; each event for the run is counted.
    let mut text = String::new();
    let mut heard = 0;
    let view = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let chunk = events.next().await.expect("the stream stays open").unwrap();
            text.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(at) = text.find(&ours) {
                heard += 1;
                text.drain(..at + ours.len());
            }
            let reply = send(
                &router,
                call("/api/runs/get", &[("id", &run)], Some(&cookie), ORIGIN),
            )
            .await;
            let view: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
            if view["status"] != "Running" {
                return view;
            }
        }
    })
    .await
    .expect("the run ends within 60 s");
    assert_eq!(view["status"], "Succeeded", "{view}");
    // Every step that ran started and ended, and the run's status moved: an event for each.
    let ran = view["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| !s["started_ms"].is_null())
        .count();
    assert!(ran >= 2, "{view}");
    let wanted = 2 * ran + 1;
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        while heard < wanted {
            let Some(Ok(chunk)) = events.next().await else {
                return;
            };
            text.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(at) = text.find(&ours) {
                heard += 1;
                text.drain(..at + ours.len());
            }
        }
    })
    .await;
    assert!(heard >= wanted, "{heard} run events for {ran} steps");
}

/// Starts the run that reconnects hsm-archive (DISCONNECTED in the demo: it connects the store
/// and waits for CONNECTED); returns the run's id.
async fn reconnect_hsm_archive(router: &axum::Router, cookie: &str) -> String {
    let r = send(
        router,
        call(
            "/api/stores/reconnect",
            &[
                ("account", "000000000000"),
                ("region", "us-east-1"),
                ("id", "cks-0a1b2c3d4e5f60003"),
            ],
            Some(cookie),
            ORIGIN,
        ),
    )
    .await;
    let run = r
        .header("location")
        .trim_start_matches("/runs/")
        .to_string();
    assert!(run.parse::<i64>().is_ok(), "{} {}", r.status, r.body);
    run
}

/// The live pages' event stream, as a signed-in browser opens it.
async fn open_events(router: &axum::Router, cookie: &str) -> axum::body::BodyDataStream {
    use tower::ServiceExt;
    let res = router
        .clone()
        .oneshot(get("/api/events", Some(cookie)))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    // README "Behind a reverse proxy": a proxy that honours it (nginx) passes events on at once.
    assert_eq!(res.headers()["x-accel-buffering"], "no");
    res.into_body().into_data_stream()
}
