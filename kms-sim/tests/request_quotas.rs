//! KMS's request quotas (AWS KMS Developer Guide, "Request quotas"): 5 requests per second for
//! each custom key store operation, per account and Region; a request over it is refused with
//! ThrottlingException. Seen through aws-sdk-kms with its retries off, as a client sees KMS.

mod common;

use aws_sdk_kms::config::retry::RetryConfig;
use aws_sdk_kms::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_kms::Client;
use common::*;
use std::time::Duration;

/// The quota the guide states, per operation, account and Region.
const KMS_QUOTA: usize = 5;

fn no_retries(sim: &kms_sim::Running, region: &str, akid: &str, secret: &str) -> Client {
    Client::from_conf(
        aws_sdk_kms::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .credentials_provider(Credentials::new(akid, secret, None, None, "test"))
            .endpoint_url(sim.kms_url())
            .retry_config(RetryConfig::disabled())
            .build(),
    )
}

/// The error code of each of `n` Describe calls sent at once (None: answered), in the order they
/// finished. They are sent together, not one after another, so that a slow machine still sends
/// them within a token's refill time (200 ms).
async fn describe_burst(kms: &Client, n: usize) -> Vec<Option<String>> {
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..n {
        let kms = kms.clone();
        calls.spawn(async move {
            match kms.describe_custom_key_stores().send().await {
                Ok(_) => None,
                Err(e) => Some(
                    e.as_service_error()
                        .and_then(|s| s.meta().code())
                        .unwrap_or("no service error")
                        .to_string(),
                ),
            }
        });
    }
    calls.join_all().await
}

fn throttled(results: &[Option<String>]) -> usize {
    results
        .iter()
        .filter(|r| r.as_deref() == Some("ThrottlingException"))
        .count()
}

#[tokio::test]
async fn a_burst_of_six_has_one_throttled_and_the_quota_refills() {
    let sim = kms_sim::start(config()).await.unwrap();
    let kms = no_retries(&sim, "us-east-1", "test", "test");
    let burst = describe_burst(&kms, KMS_QUOTA + 1).await;
    // Five are answered; the one over the quota is throttled.
    let answered = burst.iter().filter(|r| r.is_none()).count();
    assert_eq!((answered, throttled(&burst)), (KMS_QUOTA, 1), "{burst:?}");
    // As KMS words it.
    let e = kms.describe_custom_key_stores().send().await.unwrap_err();
    let message = e.as_service_error().and_then(|s| s.meta().message());
    assert_eq!(
        message,
        Some("You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.")
    );
    // Each operation has its own quota: Connect still answers (with its own error).
    let connect = kms
        .connect_custom_key_store()
        .custom_key_store_id("cks-0000000000000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        connect.as_service_error().and_then(|s| s.meta().code()),
        Some("CustomKeyStoreNotFoundException")
    );
    // So does another Region.
    let eu = no_retries(&sim, "eu-west-1", "test", "test");
    assert_eq!(throttled(&describe_burst(&eu, KMS_QUOTA).await), 0);
    // A second later the quota is full again.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let again = describe_burst(&kms, KMS_QUOTA + 1).await;
    assert_eq!(throttled(&again), 1, "{again:?}");
}

#[tokio::test]
async fn the_admin_api_sets_the_quota_of_one_account_and_region_at_run_time() {
    let sim = kms_sim::start(config()).await.unwrap();
    let http = reqwest::Client::new();
    let set = |region: &str, rate: u32| {
        http.post(format!("{}/_sim/request-quotas", sim.kms_url()))
            .json(&serde_json::json!({ "account": "000000000000", "region": region, "requestsPerSecond": rate }))
            .send()
    };
    assert_eq!(set("us-east-1", 2).await.unwrap().status(), 204);
    let kms = no_retries(&sim, "us-east-1", "test", "test");
    let burst = describe_burst(&kms, 3).await;
    assert_eq!(throttled(&burst), 1, "{burst:?}");
    // 0 turns it off there; other Regions keep KMS's quota.
    assert_eq!(set("us-east-1", 0).await.unwrap().status(), 204);
    assert_eq!(throttled(&describe_burst(&kms, 30).await), 0);
    let eu = no_retries(&sim, "eu-west-1", "test", "test");
    assert_eq!(throttled(&describe_burst(&eu, KMS_QUOTA + 1).await), 1);
}

#[tokio::test]
async fn a_request_quota_of_zero_turns_the_quota_off() {
    let mut cfg = config();
    cfg.request_quota = 0;
    let sim = kms_sim::start(cfg).await.unwrap();
    let kms = no_retries(&sim, "us-east-1", "test", "test");
    assert_eq!(throttled(&describe_burst(&kms, 40).await), 0);
}

/// README "kms-sim": `GET /_sim/request-counts` tells how many requests of each operation an
/// account and Region sent, admitted and throttled: how a benchmark counts a client's calls.
#[tokio::test]
async fn the_admin_api_counts_admitted_and_throttled_requests() {
    let sim = kms_sim::start(config()).await.unwrap();
    let kms = no_retries(&sim, "us-east-1", "test", "test");
    let burst = describe_burst(&kms, KMS_QUOTA + 2).await;
    assert_eq!(throttled(&burst), 2, "{burst:?}");
    let counts: Vec<serde_json::Value> =
        reqwest::get(format!("{}/_sim/request-counts", sim.kms_url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let describe = counts
        .iter()
        .find(|c| c["operation"] == "DescribeCustomKeyStores" && c["region"] == "us-east-1")
        .unwrap_or_else(|| panic!("{counts:?}"));
    assert_eq!(describe["account"], "000000000000");
    assert_eq!(describe["admitted"], KMS_QUOTA as u64);
    assert_eq!(describe["throttled"], 2);
    // Nothing was sent elsewhere.
    assert_eq!(counts.len(), 1, "{counts:?}");
}
