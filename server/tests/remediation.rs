//! Guided remediation, Test connection, Create and the demo control panel, through the real
//! router with the embedded simulator.

mod common;

use axum::http::StatusCode;
use common::*;
use std::time::Duration;

const LEDGER: &str = "/stores/000000000000/us-east-1/cks-0a1b2c3d4e5f60002";
const PAYMENTS: &str = "/stores/000000000000/us-east-1/cks-0a1b2c3d4e5f60001";
const EU_PRIMARY: (&str, &str, &str) = ("000000000000", "eu-west-1", "cks-0a1b2c3d4e5f60004");

async fn console_and_admin() -> (axum::Router, String) {
    console_and_admin_with(&["--sim-transition-ms", "100"]).await
}

async fn api(router: &axum::Router, cookie: &str, path: &str, form: &[(&str, &str)]) -> Reply {
    send(router, call(path, form, Some(cookie), ORIGIN)).await
}

async fn demo(router: &axum::Router, cookie: &str, action: &str, target: &str) -> Reply {
    let r = api(
        router,
        cookie,
        "/api/demo/act",
        &[("action", action), ("target", target)],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.body);
    r
}

async fn state_of(
    router: &axum::Router,
    cookie: &str,
    (a, r, i): (&str, &str, &str),
) -> serde_json::Value {
    let reply = api(
        router,
        cookie,
        "/api/stores/get",
        &[("account", a), ("region", r), ("id", i)],
    )
    .await;
    serde_json::from_str(&reply.body).unwrap()
}

/// Disconnects and connects a store, and waits until it settles.
async fn cycle(
    router: &axum::Router,
    cookie: &str,
    store: (&str, &str, &str),
) -> serde_json::Value {
    for action in ["disconnect", "connect"] {
        let r = api(
            router,
            cookie,
            "/api/stores/act",
            &[
                ("account", store.0),
                ("region", store.1),
                ("id", store.2),
                ("action", action),
                ("confirm", "yes"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.body);
        for _ in 0..100 {
            let d = state_of(router, cookie, store).await;
            let s = d["row"]["state"].as_str().unwrap().to_string();
            if !s.ends_with("ING") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    state_of(router, cookie, store).await
}

#[tokio::test]
async fn a_failed_store_has_a_fix_page_with_meaning_causes_checks_and_steps() {
    let (router, cookie) = console_and_admin().await;
    let store = send(&router, get(LEDGER, Some(&cookie))).await;
    assert!(store.body.contains("Fix this store"));
    let page = send(&router, get(&format!("{LEDGER}/fix"), Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    // A credential rotated on the proxy: INVALID_CREDENTIALS, fixed with the new credential.
    for text in [
        "INVALID_CREDENTIALS",
        "The proxy rejected the signature",
        "Likely causes",
        "The credential was rotated on the proxy but not in KMS.",
        "Test the connection",
        "upload the proxy configuration file",
        &format!("href=\"{LEDGER}/edit?fix=1\""),
    ] {
        assert!(page.body.contains(text), "{text} missing");
    }
    // Editing to fix it: the store is connected again at the end unless unticked.
    let edit = send(&router, get(&format!("{LEDGER}/edit?fix=1"), Some(&cookie))).await;
    assert!(
        edit.body
            .contains(r#"name="reconnect" value="yes" checked"#),
        "reconnect not preselected"
    );
    assert!(edit.body.contains("Fixing this store"));
}

#[tokio::test]
async fn test_connection_shows_each_layer_and_checks_the_credential_only_with_the_secret() {
    let (router, cookie) = console_and_admin().await;
    let page = send(&router, get(&format!("{PAYMENTS}/test"), Some(&cookie))).await;
    for layer in ["layer-dns", "layer-tcp", "layer-tls", "layer-http"] {
        assert!(page.body.contains(layer), "{layer} missing");
    }
    assert!(page
        .body
        .contains("The proxy is reachable and answered; enter the secret access key"));
    assert!(page.body.contains("Credential: not checked."));
    let with_secret = api(
        &router,
        &cookie,
        "/api/stores/test-connection",
        &[
            ("account", "000000000000"),
            ("region", "us-east-1"),
            ("id", "cks-0a1b2c3d4e5f60001"),
            ("secret", "cGF5bWVudHMtZGVtby1zZWNyZXQta2V5LWZvci14a3MtMDE="),
        ],
    )
    .await;
    let report: serde_json::Value = serde_json::from_str(&with_secret.body).unwrap();
    assert_eq!(report["passed"], true, "{report}");
    assert_eq!(report["credential_accepted"], true);
    assert_eq!(report["ekms"][0]["health"], "ACTIVE");
    // A proxy taken down fails at TCP, and says so.
    demo(
        &router,
        &cookie,
        "proxy_down",
        "proxy-a.xks.sim.internal /payments",
    )
    .await;
    let page = send(&router, get(&format!("{PAYMENTS}/test"), Some(&cookie))).await;
    assert!(
        page.body
            .contains("connection to proxy-a.xks.sim.internal:443 refused"),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains(r#"data-testid="layer-tcp" class="step-failed""#));
}

#[tokio::test]
async fn demo_faults_show_up_at_the_next_connect_and_a_reconnect_run_fixes_the_store() {
    let (router, cookie) = console_and_admin().await;
    // A locked-out kmsuser: nothing happens until the store connects again.
    demo(&router, &cookie, "lock_out_kmsuser", "cluster-euprimaryhsm").await;
    assert_eq!(
        state_of(&router, &cookie, EU_PRIMARY).await["row"]["state"],
        "CONNECTED"
    );
    let d = cycle(&router, &cookie, EU_PRIMARY).await;
    assert_eq!(d["row"]["state"], "FAILED");
    assert_eq!(d["row"]["error_code"], "USER_LOCKED_OUT");
    let fix = send(
        &router,
        get(
            "/stores/000000000000/eu-west-1/cks-0a1b2c3d4e5f60004/fix",
            Some(&cookie),
        ),
    )
    .await;
    assert!(fix.body.contains("kmsuser is locked out"));
    assert!(fix.body.contains("Reconnect"));
    // Mend it in the cluster, then the catalogue's Reconnect run brings the store back.
    demo(&router, &cookie, "unlock_kmsuser", "cluster-euprimaryhsm").await;
    let r = api(
        &router,
        &cookie,
        "/api/stores/reconnect",
        &[
            ("account", EU_PRIMARY.0),
            ("region", EU_PRIMARY.1),
            ("id", EU_PRIMARY.2),
        ],
    )
    .await;
    let run = r
        .header("location")
        .trim_start_matches("/runs/")
        .to_string();
    assert!(run.parse::<i64>().is_ok(), "{}", r.header("location"));
    let mut status = String::new();
    for _ in 0..200 {
        let v: serde_json::Value = serde_json::from_str(
            &api(&router, &cookie, "/api/runs/get", &[("id", &run)])
                .await
                .body,
        )
        .unwrap();
        status = v["status"].as_str().unwrap().to_string();
        if status != "Running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, "Succeeded");
    assert_eq!(
        state_of(&router, &cookie, EU_PRIMARY).await["row"]["state"],
        "CONNECTED"
    );
    // The store's page lists the run among its recent changes.
    let page = send(
        &router,
        get(
            "/stores/000000000000/eu-west-1/cks-0a1b2c3d4e5f60004",
            Some(&cookie),
        ),
    )
    .await;
    assert!(
        page.body.contains(&format!("href=\"/runs/{run}\"")),
        "the run is not listed"
    );
    assert!(page.body.contains("<td>reconnect</td>"));
    // Losing every HSM shows as INSUFFICIENT_CLOUDHSM_HSMS at the next connect.
    demo(&router, &cookie, "lose_hsms", "cluster-euprimaryhsm").await;
    let d = cycle(&router, &cookie, EU_PRIMARY).await;
    assert_eq!(d["row"]["error_code"], "INSUFFICIENT_CLOUDHSM_HSMS");
    // Reset puts the demo data back.
    demo(&router, &cookie, "reset", "").await;
    assert_eq!(
        state_of(&router, &cookie, EU_PRIMARY).await["row"]["state"],
        "CONNECTED"
    );
}

#[tokio::test]
async fn a_rotated_proxy_credential_is_offered_as_a_configuration_file_to_operators_only() {
    let (router, cookie) = console_and_admin().await;
    let r = demo(
        &router,
        &cookie,
        "rotate_credential",
        "proxy-c.xks.sim.internal /spare",
    )
    .await;
    assert!(r.body.contains("accepts only the new access key"));
    let file = send(
        &router,
        get(
            "/api/demo/proxy-config?host=proxy-c.xks.sim.internal&prefix=/spare",
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.header("content-disposition").starts_with("attachment"));
    let parsed = app::domain::change::parse_proxy_config(file.body.as_bytes()).unwrap();
    assert_eq!(parsed.uri_path.as_deref(), Some("/spare/kms/xks/v1"));
    let (akid, _) = parsed.credential.unwrap();
    assert!(r.body.contains(&akid));
    assert_ne!(akid, "SPAREXKSPROXYACCESSK");
    let anonymous = send(
        &router,
        get(
            "/api/demo/proxy-config?host=proxy-c.xks.sim.internal&prefix=/spare",
            None,
        ),
    )
    .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let unknown = api(
        &router,
        &cookie,
        "/api/demo/act",
        &[("action", "proxy_down"), ("target", "nowhere /x")],
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn create_checks_values_runs_the_preflight_and_makes_a_disconnected_store() {
    let (router, cookie) = console_and_admin().await;
    let spare_secret = "c3BhcmUtZGVtby1zZWNyZXQta2V5LWZvci14a3MtcHJveHk=";
    let form = |secret: &'static str| {
        vec![
            ("target", "000000000000/us-east-1"),
            ("store_type", "EXTERNAL_KEY_STORE"),
            ("name", "spare-xks"),
            ("connectivity", "PUBLIC_ENDPOINT"),
            ("endpoint", "https://proxy-c.xks.sim.internal"),
            ("path", "/spare/kms/xks/v1"),
            ("access_key_id", "SPAREXKSPROXYACCESSK"),
            ("secret", secret),
        ]
    };
    let bad = api(&router, &cookie, "/api/stores/create", &form("short")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad
        .body
        .contains("RawSecretAccessKey must be 43 to 64 characters long"));
    let wrong = api(
        &router,
        &cookie,
        "/api/stores/create",
        &form("d3BhcmUtZGVtby1zZWNyZXQta2V5LWZvci14a3MtcHJveHk="),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::CONFLICT);
    assert!(wrong.body.contains("Preflight failed"), "{}", wrong.body);
    let ok = api(&router, &cookie, "/api/stores/create", &form(spare_secret)).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let page_path = ok.header("location").to_string();
    assert!(page_path.starts_with("/stores/000000000000/us-east-1/cks-"));
    let page = send(&router, get(&page_path, Some(&cookie))).await;
    assert!(page.body.contains("spare-xks"));
    assert!(page.body.contains(r#"state-disconnected">DISCONNECTED"#));
    assert!(!page.body.contains(spare_secret));
    // A CloudHSM store needs its cluster, certificate and password.
    let hsm = api(
        &router,
        &cookie,
        "/api/stores/create",
        &[
            ("target", "000000000000/us-east-1"),
            ("store_type", "AWS_CLOUDHSM"),
            ("name", "vault"),
        ],
    )
    .await;
    assert_eq!(hsm.status, StatusCode::BAD_REQUEST);
    assert!(hsm.body.contains("CloudHsmClusterId") && hsm.body.contains("TrustAnchorCertificate"));
}

#[tokio::test]
async fn each_proxy_fault_fails_the_store_with_its_code_at_the_next_connect() {
    let (router, cookie) = console_and_admin().await;
    let payments = ("000000000000", "us-east-1", "cks-0a1b2c3d4e5f60001");
    let proxy = "proxy-a.xks.sim.internal /payments";
    for (fault, mend, code) in [
        ("proxy_slow", "proxy_fast", "XKS_PROXY_TIMED_OUT"),
        (
            "ekms_unavailable",
            "ekms_available",
            "XKS_PROXY_NOT_REACHABLE",
        ),
        (
            "wrong_certificate",
            "right_certificate",
            "XKS_PROXY_INVALID_TLS_CONFIGURATION",
        ),
        ("proxy_down", "proxy_up", "XKS_PROXY_NOT_REACHABLE"),
    ] {
        demo(&router, &cookie, fault, proxy).await;
        let d = cycle(&router, &cookie, payments).await;
        assert_eq!(d["row"]["state"], "FAILED", "{fault}");
        assert_eq!(d["row"]["error_code"], code, "{fault}");
        demo(&router, &cookie, mend, proxy).await;
        assert_eq!(
            cycle(&router, &cookie, payments).await["row"]["state"],
            "CONNECTED",
            "{mend}"
        );
    }
    // A rotated credential: the store's access key no longer authenticates (the spec: 401
    // AuthenticationFailedException), which KMS reads as INVALID_CREDENTIALS.
    demo(&router, &cookie, "rotate_credential", proxy).await;
    let d = cycle(&router, &cookie, payments).await;
    assert_eq!(d["row"]["error_code"], "INVALID_CREDENTIALS");
}

/// XKS_PROXY_ACCESS_DENIED has its own demo store and its own fix: the proxy's authorization
/// policy, then a reconnect; the credential is not what to change. GetHealthStatus is never
/// denied (the spec's table), so a proxy whose authorization denies KMS still lets it connect.
#[tokio::test]
async fn an_access_denied_store_is_fixed_at_the_proxy_and_reconnected() {
    const ORDERS: &str = "/stores/000000000000/eu-west-1/cks-0a1b2c3d4e5f60007";
    let orders = ("000000000000", "eu-west-1", "cks-0a1b2c3d4e5f60007");
    let proxy = "proxy-d.xks.sim.internal /orders";
    let (router, cookie) = console_and_admin().await;
    let page = send(&router, get(&format!("{ORDERS}/fix"), Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "XKS_PROXY_ACCESS_DENIED",
        "The proxy authenticated KMS, but its authorization denies",
        "authorization policy",
        ">Reconnect<",
    ] {
        assert!(page.body.contains(text), "{text} missing: {}", page.body);
    }
    assert!(
        !page.body.contains("Edit the store"),
        "the credential is not what to change"
    );
    let denies = |r: &Reply| {
        r.body
            .contains(r#""host":"proxy-d.xks.sim.internal","path_prefix":"/orders""#)
            && r.body.contains(r#""denies_kms":true"#)
    };
    let world = api(&router, &cookie, "/api/demo/world", &[]).await;
    assert!(denies(&world), "{}", world.body);
    // Connecting does not notice the denial...
    assert_eq!(
        cycle(&router, &cookie, orders).await["row"]["state"],
        "CONNECTED"
    );
    // ...and the panel lets KMS in again.
    demo(&router, &cookie, "allow_kms", proxy).await;
    let world = api(&router, &cookie, "/api/demo/world", &[]).await;
    assert!(!denies(&world), "{}", world.body);
    demo(&router, &cookie, "deny_kms", proxy).await;
    let world = api(&router, &cookie, "/api/demo/world", &[]).await;
    assert!(denies(&world), "{}", world.body);
}
