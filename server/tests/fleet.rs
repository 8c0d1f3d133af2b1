//! The fleet page: all stores of all targets, filters and sorting in the URL, per-target failures.

mod common;

use app::domain::store::TargetRef;
use app::domain::user::{BackendInfo, Secret};
use app::ssr::Services;
use axum::http::StatusCode;
use common::*;
use server::fleet::{KmsFleet, Target};
use std::sync::Arc;

const DEMO: [&str; 7] = [
    "payments-xks",
    "ledger-xks",
    "orders-xks",
    "hsm-archive",
    "hsm-eu-primary",
    "private-xks",
    "hsm-eu-failed",
];

#[tokio::test]
async fn the_list_shows_every_store_of_every_account_and_region() {
    let (router, cookie, _console) = signed_in().await;
    let page = send(&router, get("/", Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    for name in DEMO {
        assert!(page.body.contains(name), "{name} missing");
    }
    assert!(page.body.contains("7 of 7 key stores"), "{}", page.body);
    assert!(page.body.contains("111122223333") && page.body.contains("eu-west-1"));
    // The error code comes with its short meaning; proxies and clusters are shown.
    assert!(
        page.body.contains("XKS_PROXY_ACCESS_DENIED")
            && page.body.contains("the proxy's authorization denies KMS"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("INVALID_CREDENTIALS")
            && page
                .body
                .contains("the proxy does not accept the credential")
    );
    assert!(page
        .body
        .contains("https://proxy-a.xks.sim.internal/payments/kms/xks/v1 (public endpoint)"));
    assert!(page.body.contains("VPC endpoint service"));
    assert!(page.body.contains("cluster cluster-archivevault"));
    assert!(
        page.body.contains("2026-11-08 00:00 UTC"),
        "creation dates are shown"
    );
    assert!(
        !page.body.contains("http-equiv=\"refresh\""),
        "nothing is changing state"
    );
}

fn position(body: &str, name: &str) -> usize {
    body.find(&format!(">{name}<"))
        .unwrap_or_else(|| panic!("{name} not in the table"))
}

#[tokio::test]
async fn filters_and_sorting_live_in_the_url() {
    let (router, cookie, _console) = signed_in().await;
    let page = send(&router, get("/?type=AWS_CLOUDHSM", Some(&cookie))).await;
    assert!(page.body.contains("3 of 7 key stores"), "{}", page.body);
    assert!(page.body.contains(">hsm-archive<") && !page.body.contains(">payments-xks<"));
    assert!(
        page.body
            .contains(r#"<option value="AWS_CLOUDHSM" selected"#),
        "the form shows the filter"
    );

    let page = send(
        &router,
        get("/?state=FAILED&account=000000000000", Some(&cookie)),
    )
    .await;
    assert!(
        page.body.contains("2 of 7 key stores")
            && page.body.contains(">ledger-xks<")
            && page.body.contains(">orders-xks<"),
        "{}",
        page.body
    );

    let page = send(&router, get("/?q=vpce-proxy", Some(&cookie))).await;
    assert!(page.body.contains("1 of 7 key stores") && page.body.contains(">private-xks<"));

    let asc = send(&router, get("/?sort=name", Some(&cookie))).await;
    assert!(position(&asc.body, "hsm-archive") < position(&asc.body, "payments-xks"));
    assert!(
        asc.body.contains(r#"href="/?sort=name&amp;dir=desc""#),
        "a second click sorts the other way: {}",
        asc.body
    );
    let desc = send(&router, get("/?sort=name&dir=desc", Some(&cookie))).await;
    assert!(position(&desc.body, "hsm-archive") > position(&desc.body, "payments-xks"));
    // Sorting keeps the filters.
    let both = send(
        &router,
        get("/?type=EXTERNAL_KEY_STORE&sort=created", Some(&cookie)),
    )
    .await;
    assert!(
        both.body
            .contains(r#"href="/?type=EXTERNAL_KEY_STORE&amp;sort=name""#),
        "{}",
        both.body
    );
}

#[tokio::test]
async fn the_page_refreshes_itself_while_a_store_changes_state() {
    // A transition far longer than the test, so a busy machine still sees CONNECTING.
    let (router, cookie, console) = signed_in_with(&["--sim-transition-ms", "60000"]).await;
    connect_outside_the_console(&console, "cks-0a1b2c3d4e5f60003").await;
    // Pages read the console's copy: a change made outside the console is not there yet...
    let before = send(&router, get("/", Some(&cookie))).await;
    let archive = row_of(&before.body, "hsm-archive");
    assert!(archive.contains(">DISCONNECTED<"), "{archive}");
    assert!(before.body.contains("As of "), "{}", before.body);
    // ...and shows after a Refresh (or the next background read).
    let refresh = send(
        &router,
        call("/api/stores/refresh", &[], Some(&cookie), ORIGIN),
    )
    .await;
    assert_eq!(refresh.status, StatusCode::OK, "{}", refresh.body);
    let page = send(&router, get("/", Some(&cookie))).await;
    let archive = row_of(&page.body, "hsm-archive");
    assert!(archive.contains(">CONNECTING<"), "{archive}");
    assert!(
        page.body.contains(r#"http-equiv="refresh""#),
        "{}",
        page.body
    );
}

/// The table row (`<tr data-testid="store-row">…</tr>`) of the store named `name`.
fn row_of<'a>(page: &'a str, name: &str) -> &'a str {
    page.split(r#"<tr data-testid="store-row""#)
        .skip(1)
        .map(|r| r.split("</tr>").next().unwrap_or(r))
        .find(|r| r.contains(&format!(">{name}<")))
        .unwrap_or_else(|| panic!("no row for {name} in {page}"))
}

/// A console whose fleet is `targets`, listed `page_size` stores per KMS call, beside `sim`'s
/// XKS proxies; signed in as the admin.
async fn console_over(
    sim: &kms_sim::Running,
    targets: Vec<Target>,
    page_size: i32,
) -> (axum::Router, String, server::db::Scratch) {
    let (pool, _scratch) = server::db::scratch().await.unwrap();
    let users = Arc::new(
        server::users::SqliteUsers::new(pool.clone(), Arc::default())
            .await
            .unwrap(),
    );
    users
        .bootstrap_admin(Some(Secret::new(ADMIN_PASSWORD)))
        .await
        .unwrap();
    let stores: Arc<dyn app::ssr::KeyStores> = Arc::new(KmsFleet::new(targets, page_size));
    let workflows = Arc::new(
        server::runs::Runner::open(
            pool.clone(),
            stores.clone(),
            Arc::new(server::preflight::XksPreflight {
                client: sim.xks_client(),
            }),
            server::runs::Timing {
                poll: std::time::Duration::from_millis(50),
                wait_limit: std::time::Duration::from_secs(5),
            },
            server::runs::Outage {
                external_secs: 1,
                cloudhsm_secs: 1,
            },
        )
        .await
        .unwrap(),
    );
    let backend = BackendInfo::Simulator {
        endpoint: sim.kms_url(),
    };
    let services = Services {
        users,
        stores,
        workflows,
        demo: None,
        backend: std::sync::Arc::new(backend.clone()),
        backend_summary: std::sync::Arc::new((&backend).into()),
        sign_in: Default::default(),
        fleet_pages: Default::default(),
    };
    let cfg = config(&["--ephemeral"]);
    let router = server::web::router(server::web::RouterParts {
        config: &cfg,
        pool,
        services,
        live: None,
        oidc: None,
    })
    .await
    .unwrap();
    let cookie = sign_in(&router, "admin", ADMIN_PASSWORD).await;
    (router, cookie, _scratch)
}

#[tokio::test]
async fn a_failing_target_is_reported_beside_the_others() {
    let sim = kms_sim::start(kms_sim::SimConfig {
        initial: kms_sim::Initial::Demo,
        ..Default::default()
    })
    .await
    .unwrap();
    let targets = vec![
        Target {
            reference: TargetRef {
                account: "888888888888".into(),
                region: "us-east-1".into(),
            },
            client: kms_client(&sim.kms_url(), "AKIAUNKNOWN"),
        },
        Target {
            reference: TargetRef {
                account: "000000000000".into(),
                region: "us-east-1".into(),
            },
            client: kms_client(&sim.kms_url(), "test"),
        },
        Target {
            reference: TargetRef {
                account: "999999999999".into(),
                region: "us-east-1".into(),
            },
            client: kms_client("http://127.0.0.1:9", "test"),
        },
    ];
    // One store per page: every target is paged through to its end.
    let (router, cookie, _scratch) = console_over(&sim, targets, 1).await;
    let page = send(&router, get("/", Some(&cookie))).await;
    let listed = kms_client(&sim.kms_url(), "test")
        .describe_custom_key_stores()
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = listed
        .custom_key_stores()
        .iter()
        .filter_map(|s| s.custom_key_store_name())
        .collect();
    assert!(names.len() > 1, "the target holds more than one page");
    for name in names {
        assert!(
            page.body.contains(&format!(">{name}<")),
            "{name} is missing"
        );
    }
    assert!(
        page.body.contains(r#"data-testid="target-failure""#),
        "{}",
        page.body
    );
    assert!(page.body.contains("999999999999 us-east-1: "));
    assert!(
        page.body.contains("KMS could not be reached"),
        "{}",
        page.body
    );
    // A KMS error reads as its meaning and a next step, not as a debug dump.
    assert!(page.body.contains("888888888888 us-east-1: "));
    // Without the simulator's control there is no demo control panel.
    let demo = send(&router, call("/api/demo/world", &[], Some(&cookie), ORIGIN)).await;
    assert_eq!(demo.status, axum::http::StatusCode::NOT_FOUND);
    assert!(demo.body.contains("only with the embedded simulator"));
    assert!(
        page.body.contains(
            "AWS does not recognize the access key of this target. Next: Check the profile"
        ),
        "{}",
        page.body
    );
    assert!(!page.body.contains("ServiceError"), "{}", page.body);
    assert!(
        page.body.contains(">payments-xks<"),
        "the working target is still listed"
    );
}

#[tokio::test]
async fn listing_needs_a_session() {
    let (router, _cookie, _console) = signed_in().await;
    let r = send(&router, call("/api/stores/list", &[], None, ORIGIN)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn reset_demo_brings_the_demo_stores_back() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let first = server::build(
        &config(&["--data-dir", data]),
        Some(Secret::new(ADMIN_PASSWORD)),
    )
    .await
    .unwrap();
    let kms = embedded_client(first.backend.simulator.as_ref().unwrap());
    kms.delete_custom_key_store()
        .custom_key_store_id("cks-0a1b2c3d4e5f60003")
        .send()
        .await
        .unwrap();
    drop(kms);
    drop(first);
    // A restart keeps the change...
    let second = server::build(&config(&["--data-dir", data]), None)
        .await
        .unwrap();
    let cookie = sign_in(&second.router, "admin", ADMIN_PASSWORD).await;
    let page = send(&second.router, get("/", Some(&cookie))).await;
    assert!(page.body.contains("6 of 6 key stores"), "{}", page.body);
    drop(second);
    // ...and --reset-demo undoes it.
    let third = server::build(&config(&["--data-dir", data, "--reset-demo"]), None)
        .await
        .unwrap();
    let cookie = sign_in(&third.router, "admin", ADMIN_PASSWORD).await;
    let page = send(&third.router, get("/", Some(&cookie))).await;
    assert!(
        page.body.contains("7 of 7 key stores") && page.body.contains(">hsm-archive<"),
        "{}",
        page.body
    );
}

/// What a counting KMS saw: calls in flight, the most at once, and calls in all.
#[derive(Default)]
struct Counts {
    in_flight: std::sync::atomic::AtomicUsize,
    most: std::sync::atomic::AtomicUsize,
    calls: std::sync::atomic::AtomicUsize,
}

/// A fake KMS that answers an empty page after a pause, counting its calls.
async fn counting_kms(counts: Arc<Counts>) -> String {
    use std::sync::atomic::Ordering;
    let app = axum::Router::new().fallback(move || {
        let counts = counts.clone();
        async move {
            let (in_flight, most) = (&counts.in_flight, &counts.most);
            counts.calls.fetch_add(1, Ordering::SeqCst);
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            in_flight.fetch_sub(1, Ordering::SeqCst);
            (
                [("content-type", "application/x-amz-json-1.1")],
                r#"{"CustomKeyStores":[],"Truncated":false}"#,
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[tokio::test]
async fn targets_are_queried_concurrently_but_never_more_than_the_bound() {
    use app::ssr::KeyStores;
    // README "The key store list": targets are queried concurrently, up to 64 at a time.
    const README_BOUND: usize = 64;
    let counts = Arc::new(Counts::default());
    let url = counting_kms(counts.clone()).await;
    let targets = (0..README_BOUND + 10)
        .map(|i| Target {
            reference: TargetRef {
                account: format!("{i:012}"),
                region: "us-east-1".into(),
            },
            client: kms_client(&url, "test"),
        })
        .collect();
    let fleet = KmsFleet::new(targets, server::fleet::PAGE_SIZE)
        .fleet()
        .await;
    assert!(fleet.failures.is_empty(), "{:?}", fleet.failures);
    assert_eq!(fleet.targets.len(), README_BOUND + 10);
    let most = counts.most.load(std::sync::atomic::Ordering::SeqCst);
    assert!(most > 1, "targets were queried one after another");
    assert!(
        most <= README_BOUND,
        "{most} targets at once, more than the bound"
    );
    assert_eq!(
        counts.calls.load(std::sync::atomic::Ordering::SeqCst),
        README_BOUND + 10,
        "one call per target"
    );
}

#[tokio::test]
async fn pages_asking_at_the_same_time_share_one_listing_per_target() {
    use app::ssr::KeyStores;
    use std::sync::atomic::Ordering;
    let counts = Arc::new(Counts::default());
    let url = counting_kms(counts.clone()).await;
    let target = Target {
        reference: TargetRef {
            account: "000000000000".into(),
            region: "us-east-1".into(),
        },
        client: kms_client(&url, "test"),
    };
    let fleet = KmsFleet::new(vec![target], server::fleet::PAGE_SIZE);
    let pages = futures::future::join_all((0..8).map(|_| fleet.fleet())).await;
    assert!(pages.iter().all(|p| p.failures.is_empty()));
    assert_eq!(
        counts.calls.load(Ordering::SeqCst),
        1,
        "eight pages at once sent more than one DescribeCustomKeyStores"
    );
    // A finished listing is not reused: the next page asks KMS again.
    fleet.fleet().await;
    assert_eq!(counts.calls.load(Ordering::SeqCst), 2);
}

/// A fake KMS that lists `n` external key stores in one answer.
async fn kms_with_stores(n: usize) -> String {
    let stores: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "CustomKeyStoreId": format!("cks-{i:017}"),
                "CustomKeyStoreName": format!("store-{i:03}"),
                "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
                "ConnectionState": "CONNECTED",
                "CreationDate": 1_790_000_000 + i,
                "XksProxyConfiguration": {
                    "Connectivity": "PUBLIC_ENDPOINT",
                    "UriEndpoint": "https://proxy.example.com",
                    "UriPath": format!("/s{i}/kms/xks/v1"),
                    "AccessKeyId": "AKIAEXAMPLEEXAMPLE12"
                }
            })
        })
        .collect();
    let body = serde_json::json!({"CustomKeyStores": stores, "Truncated": false}).to_string();
    let app = axum::Router::new().fallback(move || {
        let body = body.clone();
        async move { ([("content-type", "application/x-amz-json-1.1")], body) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn rows(body: &str) -> usize {
    body.matches(r#"data-testid="store-row""#).count()
}

#[tokio::test]
async fn a_large_fleet_is_listed_a_page_at_a_time_with_filters_kept() {
    let sim = kms_sim::start(kms_sim::SimConfig::default()).await.unwrap();
    let url = kms_with_stores(app::domain::fleet::PAGE_SIZE * 2 + 20).await;
    let target = Target {
        reference: TargetRef {
            account: "111122223333".into(),
            region: "us-east-1".into(),
        },
        client: kms_client(&url, "test"),
    };
    let (router, cookie, _scratch) =
        console_over(&sim, vec![target], server::fleet::PAGE_SIZE).await;

    let first = send(&router, get("/", Some(&cookie))).await;
    assert_eq!(rows(&first.body), app::domain::fleet::PAGE_SIZE);
    assert!(
        first
            .body
            .contains("120 of 120 key stores · 1–50 on page 1 of 3"),
        "{}",
        first.body
    );
    assert!(first.body.contains(">store-000<") && !first.body.contains(">store-050<"));
    assert!(
        first.body.contains(r#"href="/?page=2" rel="next""#),
        "{}",
        first.body
    );
    assert!(first.body.contains(r#"href="/?page=3" rel="last""#));

    let last = send(&router, get("/?page=3", Some(&cookie))).await;
    assert_eq!(rows(&last.body), 20);
    assert!(last.body.contains(">store-119<") && !last.body.contains(">store-099<"));
    assert!(last.body.contains("101–120 on page 3 of 3"));
    assert!(last.body.contains(r#"href="/?page=2" rel="prev""#));

    // Sorting and filtering keep their place in the pages' links; a new order starts at page 1.
    let sorted = send(&router, get("/?sort=name&dir=desc&page=2", Some(&cookie))).await;
    assert!(sorted.body.contains(">store-069<") && !sorted.body.contains(">store-070<"));
    assert!(sorted
        .body
        .contains(r#"href="/?sort=name&amp;dir=desc&amp;page=3" rel="next""#));
    assert!(
        sorted.body.contains(r#"href="/?sort=name""#),
        "{}",
        sorted.body
    );
    let found = send(&router, get("/?q=store-11", Some(&cookie))).await;
    assert_eq!(rows(&found.body), 10);
    assert!(found.body.contains("10 of 120 key stores"));
    assert!(
        !found.body.contains(r#"data-testid="pager""#),
        "one page needs no pager"
    );

    // The browser's own call for a page gets only that page's rows.
    let api = send(
        &router,
        call(
            "/api/stores/page",
            &[("view[page]", "3")],
            Some(&cookie),
            ORIGIN,
        ),
    )
    .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let page: app::domain::fleet::FleetHtml = serde_json::from_str(&api.body).unwrap();
    assert_eq!(rows(&page.list), 20);
    assert!(page
        .list
        .contains("120 of 120 key stores · 101–120 on page 3 of 3"));
}
