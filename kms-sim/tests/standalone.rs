//! The `kms-sim` binary with `--demo`, driven as a newcomer would: start it, read its endpoint,
//! and use aws-sdk-kms with test/test.

mod common;

use aws_sdk_kms::types::{ConnectionErrorCodeType, ConnectionStateType, CustomKeyStoreType};
use common::{connect, disconnect, settle, Created};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Sim(Child);

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_binary(extra: &[&str]) -> (Sim, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kms-sim"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--xks-listen",
            "127.0.0.1:0",
            "--ephemeral",
            "--connect-seconds",
            "0",
            "--disconnect-seconds",
            "0",
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kms-sim starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("a first line").unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("the KMS endpoint is printed")
        .to_string();
    let rest: Vec<String> = lines.take(3).map(|l| l.unwrap()).collect();
    assert!(
        rest.iter().any(|l| l.contains("XKS proxy simulator")),
        "{rest:?}"
    );
    (Sim(child), url)
}

fn client(url: &str, region: &str, akid: &str, secret: &str) -> aws_sdk_kms::Client {
    let conf = aws_sdk_kms::Config::builder()
        .behavior_version(aws_sdk_kms::config::BehaviorVersion::latest())
        .region(aws_sdk_kms::config::Region::new(region.to_string()))
        .credentials_provider(aws_sdk_kms::config::Credentials::new(
            akid, secret, None, None, "test",
        ))
        .endpoint_url(url)
        .build();
    aws_sdk_kms::Client::from_conf(conf)
}

#[tokio::test]
async fn the_demo_shows_every_state_across_two_accounts_and_two_regions() {
    let (_sim, url) = start_binary(&["--demo"]);
    let kms = client(&url, "us-east-1", "test", "test");
    let stores = kms.describe_custom_key_stores().send().await.unwrap();
    let states: Vec<_> = stores
        .custom_key_stores()
        .iter()
        .map(|s| {
            (
                s.custom_key_store_type().cloned(),
                s.connection_state().cloned(),
                s.connection_error_code().cloned(),
            )
        })
        .collect();
    assert!(
        states.contains(&(
            Some(CustomKeyStoreType::ExternalKeyStore),
            Some(ConnectionStateType::Connected),
            None
        )),
        "{states:?}"
    );
    // ledger-xks: its proxy rotated the credential, which no longer authenticates.
    assert!(states.contains(&(
        Some(CustomKeyStoreType::ExternalKeyStore),
        Some(ConnectionStateType::Failed),
        Some(ConnectionErrorCodeType::InvalidCredentials)
    )));
    assert!(states.contains(&(
        Some(CustomKeyStoreType::AwsCloudhsm),
        Some(ConnectionStateType::Disconnected),
        None
    )));

    let eu = client(&url, "eu-west-1", "test", "test")
        .describe_custom_key_stores()
        .send()
        .await
        .unwrap();
    assert_eq!(
        eu.custom_key_stores()[0].connection_state(),
        Some(&ConnectionStateType::Connected)
    );
    // orders-xks: its proxy's authorization denies KMS.
    assert!(eu.custom_key_stores().iter().any(|s| {
        s.connection_error_code() == Some(&ConnectionErrorCodeType::XksProxyAccessDenied)
    }));
    let second = client(
        &url,
        "us-east-1",
        "AKIADEMOSECONDACCOUNT",
        "demo-second-account-secret",
    );
    let vpc = second.describe_custom_key_stores().send().await.unwrap();
    let cfg = vpc.custom_key_stores()[0]
        .xks_proxy_configuration()
        .unwrap();
    assert_eq!(
        cfg.connectivity(),
        Some(&aws_sdk_kms::types::XksProxyConnectivityType::VpcEndpointService)
    );
    let failed = client(
        &url,
        "eu-west-1",
        "AKIADEMOSECONDACCOUNT",
        "demo-second-account-secret",
    )
    .describe_custom_key_stores()
    .send()
    .await
    .unwrap();
    assert_eq!(
        failed.custom_key_stores()[0].connection_error_code(),
        Some(&ConnectionErrorCodeType::InvalidCredentials)
    );
}

#[tokio::test]
async fn the_demo_world_behaves_like_its_states_say() {
    let (_sim, url) = start_binary(&["--demo"]);
    let kms = client(&url, "us-east-1", "test", "test");
    let stores = kms.describe_custom_key_stores().send().await.unwrap();
    let by_name = |n: &str| {
        stores
            .custom_key_stores()
            .iter()
            .find(|s| s.custom_key_store_name() == Some(n))
            .unwrap()
            .custom_key_store_id()
            .unwrap()
            .to_string()
    };
    // The healthy store reconnects; the rotated one fails the same way again.
    for (name, state, error) in [
        ("payments-xks", ConnectionStateType::Connected, None),
        (
            "ledger-xks",
            ConnectionStateType::Failed,
            Some(ConnectionErrorCodeType::InvalidCredentials),
        ),
    ] {
        let id = by_name(name);
        disconnect(&kms, &id).await;
        settle(&kms, &id).await;
        connect(&kms, &id).await;
        let s = settle(&kms, &id).await;
        assert_eq!(s.connection_state(), Some(&state), "{name}");
        assert_eq!(s.connection_error_code(), error.as_ref(), "{name}");
    }
    let hsm = by_name("hsm-archive");
    connect(&kms, &hsm).await;
    assert_eq!(
        settle(&kms, &hsm).await.connection_state(),
        Some(&ConnectionStateType::Connected)
    );
}

#[tokio::test]
async fn a_bad_flag_is_one_line_and_exit_code_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_kms-sim"))
        .args(["--listen", "nowhere"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr)
            .trim_end()
            .lines()
            .count(),
        1
    );
    let out = Command::new(env!("CARGO_BIN_EXE_kms-sim"))
        .args([
            "--ephemeral",
            "--listen",
            "127.0.0.1:0",
            "--xks-listen",
            "127.0.0.1:0",
            "--credential",
            "bad",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn a_seed_file_sets_up_the_world_on_first_start() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.json");
    let world = serde_json::json!({
        "clusters": [{
            "id": "cluster-seededcluster", "account": "000000000000", "region": "us-west-2",
            "trustAnchorCertificate": "seeded-ca",
            "hsms": [{ "id": "hsm-1", "availabilityZone": "us-west-2a" }, { "id": "hsm-2", "availabilityZone": "us-west-2b" }],
            "kmsuser": { "password": "seeded-password" }
        }]
    });
    std::fs::write(&seed, world.to_string()).unwrap();
    let (_sim, url) = start_binary(&["--seed", seed.to_str().unwrap()]);
    let kms = client(&url, "us-west-2", "test", "test");
    let id = kms
        .create_custom_key_store()
        .custom_key_store_name("seeded")
        .cloud_hsm_cluster_id("cluster-seededcluster")
        .trust_anchor_certificate("seeded-ca")
        .key_store_password("seeded-password")
        .created()
        .await;
    connect(&kms, &id).await;
    assert_eq!(
        settle(&kms, &id).await.connection_state(),
        Some(&ConnectionStateType::Connected)
    );
    std::fs::write(&seed, "{ not json").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kms-sim"))
        .args(["--ephemeral", "--seed", seed.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("seed file"));
}

/// Without `--admin-token` the admin API is open (a local tool for tests and demos); with one,
/// everything under /_sim but the health check answers 401 unless the request bears the token.
#[tokio::test]
async fn an_admin_token_closes_the_admin_api_to_requests_without_it() {
    let http = reqwest::Client::new();
    let (_open, open_url) = start_binary(&["--demo"]);
    let world = http
        .get(format!("{open_url}/_sim/world"))
        .send()
        .await
        .unwrap();
    assert_eq!(world.status(), 200);

    let (_closed, url) = start_binary(&["--demo", "--admin-token", "s3cret-admin-token"]);
    let world = format!("{url}/_sim/world");
    let status = |r: reqwest::Response| r.status().as_u16();
    assert_eq!(status(http.get(&world).send().await.unwrap()), 401);
    assert_eq!(
        status(http.get(&world).bearer_auth("wrong").send().await.unwrap()),
        401
    );
    let faults = http
        .post(format!("{url}/_sim/xks-proxies/faults"))
        .json(&serde_json::json!({ "host": "proxy-a.xks.sim.internal", "pathPrefix": "/payments", "faults": { "unreachable": true } }))
        .send()
        .await
        .unwrap();
    assert_eq!(status(faults), 401);
    let put = http.put(&world).body("{}").send().await.unwrap();
    assert_eq!(status(put), 401);
    let with_token = http
        .get(&world)
        .bearer_auth("s3cret-admin-token")
        .send()
        .await
        .unwrap();
    assert_eq!(status(with_token), 200);
    // The health check stays open, for readiness probes.
    let health = http.get(format!("{url}/_sim/health")).send().await.unwrap();
    assert_eq!(status(health), 200);
    // The KMS API still takes test/test in the standalone simulator.
    let kms = client(&url, "us-east-1", "test", "test");
    assert!(kms.describe_custom_key_stores().send().await.is_ok());
}

/// `kms-sim | head -1`, or a service manager that closes standard output: the banner is lost,
/// and the simulator still serves.
#[tokio::test]
async fn a_closed_standard_output_does_not_stop_the_simulator() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let child = Command::new(env!("CARGO_BIN_EXE_kms-sim"))
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--xks-listen", "127.0.0.1:0", "--ephemeral", "--demo"])
        .stdout(writer)
        .stderr(Stdio::null())
        .spawn()
        .expect("kms-sim starts");
    let mut sim = Sim(child);
    let kms = client(
        &format!("http://127.0.0.1:{port}"),
        "us-east-1",
        "test",
        "test",
    );
    let mut answer = None;
    for _ in 0..100 {
        if let Some(status) = sim.0.try_wait().unwrap() {
            panic!("kms-sim exited: {status:?}");
        }
        if let Ok(out) = kms.describe_custom_key_stores().send().await {
            answer = Some(out.custom_key_stores().len());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(answer.is_some_and(|n| n > 0), "no answer: {answer:?}");
    // It serves from the moment it listens, a moment before it writes its banner: it is asked
    // again once that moment is well past.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert!(sim.0.try_wait().unwrap().is_none(), "kms-sim exited");
    let again = kms.describe_custom_key_stores().send().await;
    assert!(again.is_ok(), "{again:?}");
}
