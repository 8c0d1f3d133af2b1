//! The six operations end to end through aws-sdk-kms: the happy paths and the state machine.

mod common;

use aws_sdk_kms::types::{ConnectionStateType, CustomKeyStoreType};
use common::*;

#[tokio::test]
async fn a_cloudhsm_store_is_created_disconnected_then_connects_disconnects_and_is_deleted() {
    let sim = start().await;
    let kms = client(&sim);
    let id = create_cloudhsm(&kms, "hsm-store").await;
    assert!(id.starts_with("cks-") && id.len() == 21, "{id}");
    let s = describe(&kms, &id).await;
    assert_eq!(
        s.connection_state(),
        Some(&ConnectionStateType::Disconnected)
    );
    assert_eq!(
        s.custom_key_store_type(),
        Some(&CustomKeyStoreType::AwsCloudhsm)
    );
    assert_eq!(s.cloud_hsm_cluster_id(), Some(CLUSTER));
    assert_eq!(s.trust_anchor_certificate(), Some(CA));
    let created = s.creation_date().unwrap().secs();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        (now - created).abs() < 60,
        "CreationDate {created} is not now ({now})"
    );

    connect(&kms, &id).await;
    assert_eq!(
        settle(&kms, &id).await.connection_state(),
        Some(&ConnectionStateType::Connected)
    );
    disconnect(&kms, &id).await;
    assert_eq!(
        settle(&kms, &id).await.connection_state(),
        Some(&ConnectionStateType::Disconnected)
    );
    kms.delete_custom_key_store()
        .custom_key_store_id(&id)
        .send()
        .await
        .unwrap();
    let gone = kms
        .describe_custom_key_stores()
        .custom_key_store_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&gone), "CustomKeyStoreNotFoundException");
}

#[tokio::test]
async fn connect_and_disconnect_pass_through_connecting_and_disconnecting() {
    let mut config = config();
    // Long enough that a busy machine still describes the store before the transition ends
    // (300 ms failed a CI run); `settle` waits up to about 15 s.
    config.connect_duration = std::time::Duration::from_secs(3);
    config.disconnect_duration = std::time::Duration::from_secs(3);
    let sim = kms_sim::start(config).await.unwrap();
    let kms = client(&sim);
    let id = create_cloudhsm(&kms, "slow").await;
    connect(&kms, &id).await;
    assert_eq!(
        describe(&kms, &id).await.connection_state(),
        Some(&ConnectionStateType::Connecting)
    );
    assert_eq!(
        settle(&kms, &id).await.connection_state(),
        Some(&ConnectionStateType::Connected)
    );
    disconnect(&kms, &id).await;
    assert_eq!(
        describe(&kms, &id).await.connection_state(),
        Some(&ConnectionStateType::Disconnecting)
    );
    // Connect is refused while DISCONNECTING, Disconnect too.
    let e = kms
        .connect_custom_key_store()
        .custom_key_store_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "CustomKeyStoreInvalidStateException");
    let e = kms
        .disconnect_custom_key_store()
        .custom_key_store_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "CustomKeyStoreInvalidStateException");
    assert_eq!(
        settle(&kms, &id).await.connection_state(),
        Some(&ConnectionStateType::Disconnected)
    );
    // Watching a slow transition keeps to KMS's quota: no call was throttled, so none depended on
    // the SDK's retries to pass.
    let counts = sim.sim().quotas.counts();
    assert!(counts.iter().all(|c| c.throttled == 0), "{counts:?}");
}

#[tokio::test]
async fn an_xks_store_with_a_public_endpoint_is_checked_against_the_proxy_and_describes_without_its_secret(
) {
    let sim = start().await;
    let kms = client(&sim);
    let id = create_xks(&kms, "xks").created().await;
    let s = describe(&kms, &id).await;
    let xks = s.xks_proxy_configuration().unwrap();
    assert_eq!(xks.access_key_id(), Some(AKID));
    assert_eq!(xks.uri_endpoint(), Some("https://proxy.xks.sim.internal"));
    assert_eq!(xks.uri_path(), Some("/team/kms/xks/v1"));
    assert!(xks.vpc_endpoint_service_name().is_none());
    connect(&kms, &id).await;
    assert_eq!(
        settle(&kms, &id).await.connection_state(),
        Some(&ConnectionStateType::Connected)
    );
}

#[tokio::test]
async fn an_xks_store_behind_a_vpc_endpoint_service_connects_through_it() {
    let sim = start().await;
    let kms = client(&sim);
    let id = create_vpc(
        &kms,
        "private",
        "https://vpce.xks.sim.internal",
        VPC_SERVICE,
    )
    .created()
    .await;
    let s = describe(&kms, &id).await;
    let xks = s.xks_proxy_configuration().unwrap();
    assert_eq!(xks.vpc_endpoint_service_name(), Some(VPC_SERVICE));
    assert_eq!(
        xks.vpc_endpoint_service_owner(),
        Some("000000000000"),
        "the owner defaults to the caller"
    );
    connect(&kms, &id).await;
    assert_eq!(
        settle(&kms, &id).await.connection_state(),
        Some(&ConnectionStateType::Connected)
    );
}

#[tokio::test]
async fn update_lets_connected_stores_change_only_name_path_and_credential() {
    let sim = start().await;
    let kms = client(&sim);
    change_world(&sim, |w| w.xks_proxies.push(proxy(PROXY_HOST, "/other"))).await;
    let id = create_xks(&kms, "xks").created().await;
    connect(&kms, &id).await;
    settle(&kms, &id).await;
    // Allowed while CONNECTED.
    kms.update_custom_key_store()
        .custom_key_store_id(&id)
        .new_custom_key_store_name("renamed")
        .xks_proxy_uri_path("/other/kms/xks/v1")
        .xks_proxy_authentication_credential(xks_credential(AKID, SECRET))
        .send()
        .await
        .unwrap();
    let s = describe(&kms, &id).await;
    assert_eq!(s.custom_key_store_name(), Some("renamed"));
    assert_eq!(
        s.xks_proxy_configuration().unwrap().uri_path(),
        Some("/other/kms/xks/v1")
    );
    // Needs DISCONNECTED.
    let e = kms
        .update_custom_key_store()
        .custom_key_store_id(&id)
        .xks_proxy_uri_endpoint("https://other.xks.sim.internal")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "CustomKeyStoreInvalidStateException");
    assert!(
        e.as_service_error()
            .unwrap()
            .to_string()
            .contains("XksProxyUriEndpoint"),
        "{e:?}"
    );
}

#[tokio::test]
async fn update_of_a_cloudhsm_password_and_cluster_needs_disconnected_and_a_related_cluster() {
    let sim = start().await;
    let kms = client(&sim);
    change_world(&sim, |w| {
        let mut related = cluster("cluster-relatedcluster", CA);
        related.lineage = Some("x".into());
        w.clusters.push(related);
        w.clusters.push(cluster(
            "cluster-unrelatedcluster",
            "-----BEGIN CERTIFICATE-----\nother\n-----END CERTIFICATE-----",
        ));
    })
    .await;
    let id = create_cloudhsm(&kms, "hsm").await;
    connect(&kms, &id).await;
    settle(&kms, &id).await;
    let e = kms
        .update_custom_key_store()
        .custom_key_store_id(&id)
        .key_store_password("new-password")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "CustomKeyStoreInvalidStateException");
    kms.update_custom_key_store()
        .custom_key_store_id(&id)
        .new_custom_key_store_name("hsm-renamed")
        .send()
        .await
        .unwrap();
    disconnect(&kms, &id).await;
    settle(&kms, &id).await;
    let e = kms
        .update_custom_key_store()
        .custom_key_store_id(&id)
        .cloud_hsm_cluster_id("cluster-unrelatedcluster")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "CloudHsmClusterNotRelatedException");
    kms.update_custom_key_store()
        .custom_key_store_id(&id)
        .cloud_hsm_cluster_id("cluster-relatedcluster")
        .key_store_password("new-password")
        .send()
        .await
        .unwrap();
    assert_eq!(
        describe(&kms, &id).await.cloud_hsm_cluster_id(),
        Some("cluster-relatedcluster")
    );
}

#[tokio::test]
async fn stores_are_kept_per_account_and_region() {
    let mut config = config();
    config.credentials.push(
        "AKIAOTHERACCOUNTKEY:other-secret:111122223333"
            .parse()
            .unwrap(),
    );
    let sim = kms_sim::start(config).await.unwrap();
    create_cloudhsm(&client(&sim), "mine").await;
    let same = client(&sim)
        .describe_custom_key_stores()
        .send()
        .await
        .unwrap();
    assert_eq!(same.custom_key_stores().len(), 1);
    let other_region = client_with(&sim, "eu-west-1", "test", "test")
        .describe_custom_key_stores()
        .send()
        .await
        .unwrap();
    assert!(other_region.custom_key_stores().is_empty());
    let other_account = client_with(&sim, "us-east-1", "AKIAOTHERACCOUNTKEY", "other-secret")
        .describe_custom_key_stores()
        .send()
        .await
        .unwrap();
    assert!(other_account.custom_key_stores().is_empty());
}

#[tokio::test]
async fn pages_follow_markers_to_the_end_and_forged_markers_are_refused() {
    let mut config = config();
    config.quota = 20;
    config.initial = kms_sim::Initial::Seed({
        let mut w = world();
        for i in 0..7 {
            w.clusters.push(cluster(
                &format!(
                    "cluster-pagecluster{}",
                    ["a", "b", "c", "d", "e", "f", "g"][i]
                ),
                CA,
            ));
        }
        w
    });
    let sim = kms_sim::start(config).await.unwrap();
    let kms = client(&sim);
    for (i, letter) in ["a", "b", "c", "d", "e", "f", "g"].iter().enumerate() {
        kms.create_custom_key_store()
            .custom_key_store_name(format!("store-{i}"))
            .cloud_hsm_cluster_id(format!("cluster-pagecluster{letter}"))
            .trust_anchor_certificate(CA)
            .key_store_password(KMSUSER_PASSWORD)
            .send()
            .await
            .unwrap();
    }
    let all: Vec<String> = kms
        .describe_custom_key_stores()
        .limit(3)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.custom_key_store_name().unwrap().to_string())
        .collect();
    assert_eq!(
        all,
        (0..7).map(|i| format!("store-{i}")).collect::<Vec<_>>()
    );
    let first = kms
        .describe_custom_key_stores()
        .limit(3)
        .send()
        .await
        .unwrap();
    assert!(first.truncated());
    let marker = first.next_marker().unwrap();
    let forged = format!("{}x", &marker[..marker.len() - 1]);
    let e = kms
        .describe_custom_key_stores()
        .marker(forged)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidMarkerException");
}
