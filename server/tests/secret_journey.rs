//! One secret followed through the whole console: a proxy configuration file is uploaded, reviewed
//! with a preflight, run, the run fails, and it is resumed with the secret typed again. With JSON
//! logs at debug level, the secret (and the admin's password) must then appear in no log line, no
//! response, and no byte of the console's database files, sessions included.
//!
//! One test in this binary: it installs the process's log subscriber.

mod common;

use axum::http::StatusCode;
use common::*;
use std::time::Duration;

/// A secret that exists only in this test (the demo proxy is given it as a new credential).
const SECRET: &str = "am91cm5leS1zZWNyZXQtdGhhdC1tdXN0LW5ldmVyLWxlYWstMDE=";
const ACCESS_KEY: &str = "JOURNEYXKSACCESSKEYZ";

/// Every form a secret could take on its way: as typed, percent-encoded in a form body, and
/// JSON-escaped.
fn forms_of(secret: &str) -> Vec<String> {
    let encoded = percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
        .to_string();
    vec![
        secret.to_string(),
        encoded,
        serde_json::to_string(secret).unwrap(),
    ]
}

fn assert_clean(place: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for secret in [SECRET, ADMIN_PASSWORD] {
        for form in forms_of(secret) {
            assert!(
                !text.contains(form.as_str()),
                "{place} holds a secret ({form})"
            );
        }
    }
}

#[tokio::test]
async fn a_secret_leaves_no_trace_from_upload_to_resumed_run() {
    let logs = Captured::debug_logs(true);

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let console = server::build(
        &config(&["--data-dir", data, "--sim-transition-ms", "200"]),
        Some(app::domain::user::Secret::new(ADMIN_PASSWORD)),
    )
    .await
    .unwrap();
    let router = console.router.clone();
    let sim = console.backend.simulator.as_ref().unwrap().sim().clone();
    // The proxy behind payments-xks learns the new credential (a rotation in progress).
    sim.mutate(|st| {
        let proxy = st
            .world
            .xks_proxies
            .iter_mut()
            .find(|p| p.host == "proxy-a.xks.sim.internal" && p.path_prefix == "/payments")
            .expect("the demo's payments proxy");
        proxy.credentials.push(kms_sim::model::XksCredential {
            access_key_id: ACCESS_KEY.into(),
            raw_secret_access_key: SECRET.into(),
        });
        proxy.credentials.drain(..proxy.credentials.len() - 2);
        Ok(())
    })
    .await
    .unwrap();

    let mut responses: Vec<String> = Vec::new();
    let cookie = sign_in(&router, "admin", ADMIN_PASSWORD).await;

    // 1. The upload, without JavaScript: the form is prefilled, the secret stays on the server.
    let file = format!(
        r#"{{"XksProxyUriPath": "/payments/kms/xks/v1",
  "XksProxyAuthenticationCredential": {{"AccessKeyId": "{ACCESS_KEY}", "RawSecretAccessKey": "{SECRET}"}}}}"#
    );
    let reply = send(&router, upload(&cookie, file.as_bytes())).await;
    assert_eq!(reply.status, StatusCode::FOUND, "{}", reply.body);
    let location = reply.header("location").to_string();
    let upload_id = location
        .split("upload=")
        .nth(1)
        .expect(&location)
        .to_string();
    let page = send(&router, get(&location, Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    let fingerprint = fingerprint_in(&page.body);
    responses.push(page.body);

    // 2. The review, with the preflight that probes the proxy with the uploaded secret.
    let reply = send(
        &router,
        review_payments(
            &cookie,
            &fingerprint,
            &upload_id,
            "/payments/kms/xks/v1",
            ACCESS_KEY,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let review = reply.header("location").to_string();
    let draft = review.trim_start_matches("/review/").to_string();
    responses.push(reply.body);
    let page = send(&router, get(&review, Some(&cookie))).await;
    assert!(
        page.body.contains("Passed. "),
        "the preflight used the secret"
    );
    responses.push(page.body);

    // 3. The run fails: KMS refuses the update (the credential changes while connected).
    fail(&sim, &["UpdateCustomKeyStore"]).await;
    let reply = send(
        &router,
        call(
            "/api/runs/start",
            &[("draft", &draft), ("confirm", "yes")],
            Some(&cookie),
            ORIGIN,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let run = reply
        .header("location")
        .trim_start_matches("/runs/")
        .to_string();
    responses.push(reply.body);
    let status = wait_for_end(&router, &cookie, &run, &mut responses).await;
    assert_eq!(status, "Failed");

    // 4. Resumed with the secret typed again, the run completes.
    fail(&sim, &[]).await;
    let reply = send(
        &router,
        call(
            "/api/runs/act",
            &[("run", &run), ("action", "resume"), ("secret", SECRET)],
            Some(&cookie),
            ORIGIN,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    responses.push(reply.body);
    let status = wait_for_end(&router, &cookie, &run, &mut responses).await;
    assert_eq!(status, "Succeeded");
    for page in [
        format!("/runs/{run}"),
        "/audit".into(),
        PAYMENTS_EDIT.into(),
    ] {
        responses.push(send(&router, get(&page, Some(&cookie))).await.body);
    }

    // The secret was there to find: the simulator (which plays AWS) holds it.
    assert!(sim.world().xks_proxies.iter().any(|p| p
        .credentials
        .iter()
        .any(|c| c.raw_secret_access_key == SECRET)));
    // Nowhere in the console.
    for (i, body) in responses.iter().enumerate() {
        assert_clean(&format!("response {i}"), body.as_bytes());
    }
    let logged = logs.0.lock().unwrap().clone();
    assert!(
        String::from_utf8_lossy(&logged).contains("\"level\":\"DEBUG\""),
        "debug logs were captured"
    );
    assert_clean("the log", &logged);
    drop(console);
    drop(router);
    let mut files = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        // The console's own files; kms-sim/ plays AWS, which keeps the credential it was given.
        if path.is_file() {
            assert_clean(&path.display().to_string(), &std::fs::read(&path).unwrap());
            files += 1;
        }
    }
    assert!(files >= 1, "the console's database was scanned");
}

/// KMS answers these operations with KMSInternalException (none: every one works again).
async fn fail(sim: &kms_sim::service::Sim, operations: &[&str]) {
    let operations: Vec<String> = operations.iter().map(|o| o.to_string()).collect();
    sim.mutate(move |st| {
        st.world.failing_operations = operations;
        Ok(())
    })
    .await
    .unwrap();
}

/// Polls the run until it stops; its status as the JSON names it.
async fn wait_for_end(
    router: &axum::Router,
    cookie: &str,
    run: &str,
    responses: &mut Vec<String>,
) -> String {
    for _ in 0..300 {
        let reply = send(
            router,
            call("/api/runs/get", &[("id", run)], Some(cookie), ORIGIN),
        )
        .await;
        let view: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        responses.push(reply.body);
        let status = view["status"].as_str().unwrap_or_default().to_string();
        if status != "Running" {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("run {run} did not stop");
}
