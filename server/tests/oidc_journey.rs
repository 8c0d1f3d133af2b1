//! Federated sign-ins, a refusal and a sign-out against the test OpenID provider, with JSON logs at
//! debug level: each is in the audit log with the subject and the groups that decided the role
//! (README "Sign in with your identity provider"), and no client secret, authorization code or ID
//! token appears in any log line, any response, or any byte of the console's database files.
//!
//! One test in this binary: it installs the process's log subscriber.

mod common;

use axum::http::StatusCode;
use common::idp::{AtTheProvider, Browser, IdP, CLIENT_SECRET};
use common::*;

#[tokio::test]
async fn federated_sign_ins_are_audited_and_leave_no_token_behind() {
    let logs = Captured::debug_logs(true);

    let idp = IdP::start();
    let dir = tempfile::tempdir().unwrap();
    let mut flags = idp.flags();
    flags.extend(["--data-dir".to_string(), dir.path().display().to_string()]);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let console = server::build(
        &config(&flags),
        Some(app::domain::user::Secret::new(ADMIN_PASSWORD)),
    )
    .await
    .unwrap();
    let router = console.router.clone();
    let mut bodies = Vec::new();
    let mut tokens = Vec::new();

    let mut olivia = Browser::default();
    let reply = olivia
        .sign_in(&router, "olivia", AtTheProvider::Allow)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    tokens.push(idp.last_id_token().await);
    bodies.push(reply.body);
    let cookie = olivia.session().unwrap();

    let mut nadia = Browser::default();
    let reply = nadia.sign_in(&router, "nadia", AtTheProvider::Allow).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    tokens.push(idp.last_id_token().await);

    for page in ["/users", "/audit", "/login?oidc_error=no-group"] {
        let cookie = (page != "/login?oidc_error=no-group").then_some(cookie.as_str());
        bodies.push(send(&router, get(page, cookie)).await.body);
    }
    let audit = send(&router, call("/api/audit/list", &[], Some(&cookie), ORIGIN)).await;
    bodies.push(audit.body.clone());

    let out = common::idp::sign_out(&router, &cookie).await;
    assert_eq!(out.status, StatusCode::OK);
    bodies.push(out.body);

    // The audit log: the sign-in with subject and groups, the refusal with them, the sign-out.
    let admin = sign_in(&router, "admin", ADMIN_PASSWORD).await;
    let audit = send(&router, call("/api/audit/list", &[], Some(&admin), ORIGIN)).await;
    bodies.push(audit.body.clone());
    let entries: Vec<serde_json::Value> = serde_json::from_str(&audit.body).unwrap();
    let find = |action: &str, user: &str| {
        entries
            .iter()
            .find(|e| e["action"] == action && e["user"] == user)
            .unwrap_or_else(|| panic!("no {action} entry for {user}: {entries:?}"))
            .clone()
    };
    let signed_in = find("signed in", "olivia");
    let detail = signed_in["detail"].as_str().unwrap();
    assert!(detail.contains("subject olivia"), "{detail}");
    assert!(detail.contains("cks-operators"), "{detail}");
    let refused = find("sign-in refused", "nadia");
    let detail = refused["detail"].as_str().unwrap();
    assert!(
        detail.contains("nadia") && detail.contains("staff"),
        "{detail}"
    );
    find("signed out", "olivia");

    // No secret anywhere.
    let mut secrets: Vec<String> = vec![CLIENT_SECRET.to_string()];
    secrets.extend(olivia.codes.iter().cloned());
    secrets.extend(nadia.codes.iter().cloned());
    secrets.extend(tokens.iter().filter(|t| !t.is_empty()).cloned());
    assert!(secrets.len() >= 5, "the secret, two codes and two tokens");
    let clean = |place: &str, bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes);
        for secret in &secrets {
            // A token's signature alone would be enough to find it.
            let needle = secret.rsplit('.').next().unwrap_or(secret);
            assert!(!text.contains(needle), "{place} holds a secret");
        }
    };
    for (i, body) in bodies.iter().enumerate() {
        clean(&format!("response {i}"), body.as_bytes());
    }
    let logged = logs.0.lock().unwrap().clone();
    assert!(!logged.is_empty());
    clean("the log", &logged);
    drop(console);
    drop(router);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            clean(&path.display().to_string(), &std::fs::read(&path).unwrap());
        }
    }
}
