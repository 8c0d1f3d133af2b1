//! The backends: the embedded kms-sim (reached with aws-sdk-kms like AWS) and AWS itself.

mod common;

use common::*;

#[tokio::test]
async fn the_embedded_simulator_is_kms_over_http_with_the_demo_data() {
    let console = server::build(
        &config(&["--ephemeral"]),
        Some(app::domain::user::Secret::new(ADMIN_PASSWORD)),
    )
    .await
    .unwrap();
    let sim = console
        .backend
        .simulator
        .as_ref()
        .expect("the sim backend is the default");
    let kms = embedded_client(sim);
    let stores = kms.describe_custom_key_stores().send().await.unwrap();
    let names: Vec<_> = stores
        .custom_key_stores()
        .iter()
        .filter_map(|s| s.custom_key_store_name())
        .collect();
    assert!(
        names.contains(&"payments-xks") && names.contains(&"ledger-xks"),
        "{names:?}"
    );
}

/// README "Configuration": `--sim-credentials-file` hands the simulator's keys to other tools, in
/// a file only its owner can read, as an AWS shared credentials file with a profile per account.
#[tokio::test]
async fn the_simulator_credentials_file_lets_another_tool_call_kms() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim-credentials");
    let console = server::build(
        &config(&[
            "--ephemeral",
            "--sim-credentials-file",
            path.to_str().unwrap(),
        ]),
        Some(app::domain::user::Secret::new(ADMIN_PASSWORD)),
    )
    .await
    .unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    let text = std::fs::read_to_string(&path).unwrap();
    // The profile of the demo's second account, as the AWS CLI would read it.
    let profile = text
        .split("[cks-sim-111122223333]")
        .nth(1)
        .expect("a profile for 111122223333");
    let value = |key: &str| {
        profile
            .lines()
            .find_map(|l| l.strip_prefix(key)?.trim_start().strip_prefix('='))
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| panic!("{key} in {text}"))
    };
    let endpoint = console.backend.simulator.as_ref().unwrap().kms_url();
    assert!(text.contains(&endpoint), "{text}");
    let kms = kms_client_with(
        &endpoint,
        &value("aws_access_key_id"),
        &value("aws_secret_access_key"),
    );
    // A wrong key would be refused (UnrecognizedClientException).
    kms.describe_custom_key_stores()
        .send()
        .await
        .expect("the keys in the file are accepted");
}

/// The embedded simulator is the console's alone: its KMS API refuses the well-known test/test
/// key and its admin API refuses a request without the token made at this start.
#[tokio::test]
async fn the_embedded_simulator_is_private_to_the_console() {
    let console = server::build(
        &config(&["--ephemeral"]),
        Some(app::domain::user::Secret::new(ADMIN_PASSWORD)),
    )
    .await
    .unwrap();
    let sim = console.backend.simulator.as_ref().unwrap();
    assert!(sim.kms_addr().ip().is_loopback() && sim.xks_addr().ip().is_loopback());
    let refused = kms_client(&sim.kms_url(), "test")
        .describe_custom_key_stores()
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        refused.as_service_error().and_then(|e| e.meta().code()),
        Some("UnrecognizedClientException")
    );
    let http = reqwest::Client::new();
    for path in ["/_sim/world", "/_sim/xks-proxies/faults"] {
        let get = http
            .get(format!("{}{path}", sim.kms_url()))
            .send()
            .await
            .unwrap();
        let post = http
            .post(format!("{}{path}", sim.kms_url()))
            .json(&serde_json::json!({ "host": "proxy-a.xks.sim.internal", "pathPrefix": "/payments", "faults": { "unreachable": true } }))
            .send()
            .await
            .unwrap();
        assert_eq!(get.status().as_u16(), 401, "GET {path}");
        assert_eq!(post.status().as_u16(), 401, "POST {path}");
    }
    // A second console's simulator has keys of its own: nothing is fixed between starts.
    let other = server::build(&config(&["--ephemeral"]), None)
        .await
        .unwrap();
    let other_sim = other.backend.simulator.as_ref().unwrap();
    assert_ne!(
        sim.credentials()[0].access_key_id,
        other_sim.credentials()[0].access_key_id
    );
    // The console itself reaches it (the demo control goes through the simulator in process).
    let cookie = sign_in(&console.router, "admin", ADMIN_PASSWORD).await;
    let page = send(&console.router, get("/", Some(&cookie))).await;
    assert!(page.body.contains("7 of 7 key stores"), "{}", page.body);
}

#[tokio::test]
async fn the_aws_backend_names_each_target_and_says_why_an_account_is_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let config_file = dir.path().join("config");
    std::fs::write(&config_file, "[profile audit]\nregion = eu-west-1\n").unwrap();
    let credentials = dir.path().join("credentials");
    std::fs::write(
        &credentials,
        "[audit]\naws_access_key_id = test\naws_secret_access_key = test\n",
    )
    .unwrap();
    // This test binary has no other test, so changing its environment is safe.
    std::env::set_var("AWS_CONFIG_FILE", &config_file);
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &credentials);
    // STS is unreachable; KMS is a kms-sim started on its own, named by AWS_ENDPOINT_URL_KMS.
    let standalone = kms_sim::start(kms_sim::SimConfig {
        initial: kms_sim::Initial::Demo,
        ..Default::default()
    })
    .await
    .unwrap();
    std::env::set_var("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    std::env::set_var("AWS_ENDPOINT_URL_KMS", standalone.kms_url());
    std::env::set_var("AWS_MAX_ATTEMPTS", "1");
    let console = server::build(
        &config(&[
            "--ephemeral",
            "--backend",
            "aws",
            "--target",
            "audit@eu-west-1",
        ]),
        Some(app::domain::user::Secret::new(ADMIN_PASSWORD)),
    )
    .await
    .unwrap();
    let app::domain::user::BackendInfo::Aws { targets } = &console.backend.info else {
        panic!("expected the AWS backend");
    };
    assert_eq!(targets.len(), 1);
    assert_eq!(targets[0].profile, "audit");
    assert_eq!(targets[0].region, "eu-west-1");
    assert_eq!(targets[0].account, None);
    assert!(targets[0].problem.as_deref().is_some_and(|p| !p.is_empty()));
    let cookie = sign_in(&console.router, "admin", ADMIN_PASSWORD).await;
    let page = send(&console.router, get("/", Some(&cookie))).await;
    assert!(
        page.body.contains("AWS · account unknown eu-west-1"),
        "{}",
        page.body
    );
    assert!(console.backend.simulator.is_none());
    assert!(page.body.contains(">hsm-eu-primary<"), "{}", page.body);
}

/// The data directory and every file of state or keys in it are the owner's alone, whatever
/// the umask: directories 0700, files 0600.
#[cfg(unix)]
#[tokio::test]
async fn the_data_directory_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("new").join("data");
    let data_flag = data.display().to_string();
    let console = server::build(
        &common::config(&["--data-dir", &data_flag]),
        Some(app::domain::user::Secret::new(common::ADMIN_PASSWORD)),
    )
    .await
    .unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    let mut checked = 0;
    let mut dirs = vec![data.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                assert_eq!(mode(&path), 0o700, "{}", path.display());
                dirs.push(path);
            } else {
                assert_eq!(mode(&path), 0o600, "{}", path.display());
                checked += 1;
            }
        }
    }
    // The console's database, kms-sim's, and the simulator CA's key at least.
    assert!(checked >= 3, "{checked} files");
    drop(console);
}
