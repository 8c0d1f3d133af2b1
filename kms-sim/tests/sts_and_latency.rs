//! What a console pointed at a standalone kms-sim relies on beyond the six operations: STS
//! GetCallerIdentity names each access key's account, and `latency` delays every call.

mod common;

use aws_sdk_sts::config::{BehaviorVersion, Credentials, Region};
use common::*;
use std::time::Duration;

fn sts(running: &kms_sim::Running, akid: &str, secret: &str) -> aws_sdk_sts::Client {
    aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-1"))
            .credentials_provider(Credentials::new(akid, secret, None, None, "test"))
            .endpoint_url(running.kms_url())
            .build(),
    )
}

#[tokio::test]
async fn get_caller_identity_names_the_account_of_each_access_key() {
    let mut cfg = config();
    cfg.credentials.push(
        "AKIABENCHACCOUNT0007:bench-secret:222233334444"
            .parse()
            .unwrap(),
    );
    let sim = kms_sim::start(cfg).await.unwrap();

    let me = sts(&sim, "AKIABENCHACCOUNT0007", "bench-secret")
        .get_caller_identity()
        .send()
        .await
        .expect("kms-sim answers GetCallerIdentity");
    assert_eq!(me.account(), Some("222233334444"));
    assert_eq!(me.user_id(), Some("AKIABENCHACCOUNT0007"));
    assert_eq!(me.arn(), Some("arn:aws:iam::222233334444:user/kms-sim"));

    let test = sts(&sim, "test", "test")
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(test.account(), Some("000000000000"));

    let err = sts(&sim, "AKIABENCHACCOUNT0007", "wrong-secret")
        .get_caller_identity()
        .send()
        .await
        .expect_err("a wrong secret is refused");
    let code = err
        .as_service_error()
        .and_then(|e| aws_sdk_sts::error::ProvideErrorMetadata::code(e));
    assert_eq!(code, Some("InvalidSignatureException"), "{err:?}");
}

/// The delay is shown by what a caller notices, not by a clock reading: a client whose operation
/// timeout is shorter than the added latency never gets an answer, on every call, and one that
/// waits long enough does. A slow machine can only make the first more certain.
#[tokio::test]
async fn latency_delays_every_kms_call() {
    let mut cfg = config();
    cfg.latency = Duration::from_secs(2);
    let sim = kms_sim::start(cfg).await.unwrap();
    let impatient = aws_sdk_kms::Client::from_conf(
        client(&sim)
            .config()
            .to_builder()
            .timeout_config(
                aws_sdk_kms::config::timeout::TimeoutConfig::builder()
                    .operation_timeout(Duration::from_millis(200))
                    .build(),
            )
            .retry_config(aws_sdk_kms::config::retry::RetryConfig::disabled())
            .build(),
    );
    for call in 0..3 {
        let err = impatient
            .describe_custom_key_stores()
            .send()
            .await
            .expect_err("no answer comes before the added latency");
        assert!(
            matches!(err, aws_sdk_kms::error::SdkError::TimeoutError(_)),
            "call {call}: {err:?}"
        );
    }
    client(&sim)
        .describe_custom_key_stores()
        .send()
        .await
        .expect("a client that waits past the latency gets its answer");
}
