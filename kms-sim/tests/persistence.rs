//! State survives restarts, and a transition under way when kms-sim stopped finishes afterwards.

mod common;

use aws_sdk_kms::types::ConnectionStateType;
use common::*;
use std::time::Duration;

#[tokio::test]
async fn a_restart_loses_nothing_and_finishes_a_connect_that_was_under_way() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config();
    cfg.data_dir = Some(dir.path().to_path_buf());
    cfg.connect_duration = Duration::from_secs(30);
    let first = kms_sim::start(cfg.clone()).await.unwrap();
    let kms = client(&first);
    let kept = create_cloudhsm(&kms, "kept").await;
    let xks = create_xks(&kms, "xks").created().await;
    connect(&kms, &kept).await;
    assert_eq!(
        describe(&kms, &kept).await.connection_state(),
        Some(&ConnectionStateType::Connecting)
    );
    let ca = first.ca_pem().to_string();
    drop(first);

    // The same data directory, a new process (the seed is not applied again).
    cfg.initial = kms_sim::Initial::Empty;
    let second = kms_sim::start(cfg).await.unwrap();
    assert_eq!(second.ca_pem(), ca, "the simulator keeps its CA");
    let kms = client(&second);
    assert_eq!(
        settle(&kms, &kept).await.connection_state(),
        Some(&ConnectionStateType::Connected)
    );
    let x = describe(&kms, &xks).await;
    assert_eq!(x.custom_key_store_name(), Some("xks"));
    // The world came back too: the proxy still answers, so the XKS store connects.
    let snapshot = second.sim().snapshot().await;
    assert_eq!(snapshot.world.xks_proxies.len(), 2);
}

#[tokio::test]
async fn reset_starts_again_from_the_initial_data() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config();
    cfg.data_dir = Some(dir.path().to_path_buf());
    let first = kms_sim::start(cfg.clone()).await.unwrap();
    create_cloudhsm(&client(&first), "gone-after-reset").await;
    drop(first);
    cfg.reset = true;
    let second = kms_sim::start(cfg).await.unwrap();
    let stores = client(&second)
        .describe_custom_key_stores()
        .send()
        .await
        .unwrap();
    assert!(stores.custom_key_stores().is_empty());
}
