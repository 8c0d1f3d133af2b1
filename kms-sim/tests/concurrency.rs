//! Many clients at once on one store: no lost update, no impossible state, no crash.

mod common;

use aws_sdk_kms::types::ConnectionStateType;
use common::*;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_updates_connects_and_disconnects_keep_the_store_consistent() {
    let mut cfg = config();
    // A load test of kms-sim itself: KMS's request quota would refuse most of these calls.
    cfg.request_quota = 0;
    cfg.connect_duration = Duration::from_millis(5);
    cfg.disconnect_duration = Duration::from_millis(5);
    let sim = kms_sim::start(cfg).await.unwrap();
    let kms = client(&sim);
    let id = create_cloudhsm(&kms, "busy").await;
    let mut tasks = Vec::new();
    for i in 0..60 {
        let kms = kms.clone();
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            let r = match i % 3 {
                0 => kms
                    .update_custom_key_store()
                    .custom_key_store_id(&id)
                    .new_custom_key_store_name(format!("name-{i}"))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| code(&e)),
                1 => kms
                    .connect_custom_key_store()
                    .custom_key_store_id(&id)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| code(&e)),
                _ => kms
                    .disconnect_custom_key_store()
                    .custom_key_store_id(&id)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| code(&e)),
            };
            (i, r)
        }));
    }
    let mut renamed = Vec::new();
    for t in tasks {
        let (i, r) = t.await.unwrap();
        match r {
            Ok(()) if i % 3 == 0 => renamed.push(format!("name-{i}")),
            Ok(()) => {}
            // The only acceptable refusal: the state did not allow it at that moment.
            Err(code) => assert_eq!(code, "CustomKeyStoreInvalidStateException", "call {i}"),
        }
    }
    let s = settle(&kms, &id).await;
    assert!(matches!(
        s.connection_state(),
        Some(ConnectionStateType::Connected | ConnectionStateType::Disconnected)
    ));
    // The final name is one that a successful rename wrote: no update was torn or lost.
    if !renamed.is_empty() {
        assert!(
            renamed.contains(&s.custom_key_store_name().unwrap().to_string()),
            "{:?}",
            s.custom_key_store_name()
        );
    }
    let all = kms.describe_custom_key_stores().send().await.unwrap();
    assert_eq!(all.custom_key_stores().len(), 1);
    assert!(s.connection_error_code().is_none());
}

/// Twenty creates at once, each of its own proxy path, ten names each used twice: every create
/// is one KMS could accept, so only the quota (5) and the names stop them. However they race,
/// exactly five stores exist afterwards, with five names.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_never_exceed_the_quota_or_share_a_name() {
    let mut cfg = config();
    cfg.request_quota = 0;
    cfg.quota = 5;
    if let kms_sim::Initial::Seed(world) = &mut cfg.initial {
        world
            .xks_proxies
            .extend((0..20).map(|i| proxy(PROXY_HOST, &format!("/team{i}"))));
    }
    let sim = kms_sim::start(cfg).await.unwrap();
    let kms = client(&sim);
    let mut tasks = Vec::new();
    for i in 0..20 {
        let kms = kms.clone();
        tasks.push(tokio::spawn(async move {
            create_xks(&kms, &format!("s{}", i % 10))
                .xks_proxy_uri_path(format!("/team{i}/kms/xks/v1"))
                .send()
                .await
                .map_err(|e| code(&e))
        }));
    }
    let mut created = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => created += 1,
            Err(code) => assert!(
                ["LimitExceededException", "CustomKeyStoreNameInUseException"]
                    .contains(&code.as_str()),
                "{code}"
            ),
        }
    }
    assert_eq!(created, 5, "the quota of 5 is reached, and not passed");
    let stores = kms.describe_custom_key_stores().send().await.unwrap();
    assert_eq!(stores.custom_key_stores().len(), 5);
    let mut names: Vec<_> = stores
        .custom_key_stores()
        .iter()
        .map(|s| s.custom_key_store_name().unwrap())
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(
        names.len(),
        stores.custom_key_stores().len(),
        "two stores share a name"
    );
}
