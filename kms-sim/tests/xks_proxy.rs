//! The XKS proxy simulator over HTTPS, called the way KMS calls it (xks-proxy-api-spec).

mod common;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use common::*;
use kms_sim::model::ExternalKey;
use serde_json::{json, Value};

const ENDPOINT: &str = "https://proxy.xks.sim.internal";

async fn call(sim: &kms_sim::Running, api: &str, body: Value) -> (u16, Value) {
    let path = format!("/team/kms/xks/v1/{api}");
    let (status, bytes) = sim
        .xks_client()
        .post(
            ENDPOINT,
            &path,
            &credential(),
            "us-east-1",
            body.to_string(),
        )
        .await
        .unwrap_or_else(|o| panic!("{api}: {}", o.describe()));
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn metadata() -> Value {
    json!({ "awsPrincipalArn": "arn:aws:iam::000000000000:role/test", "kmsOperation": "Encrypt", "kmsRequestId": "4112f4d6-db54-4af4-ae30-c55a22a8dfae", "kmsKeyArn": "arn:aws:kms:us-east-1:000000000000:key/x" })
}

#[tokio::test]
async fn keys_report_metadata_and_round_trip_aes_gcm() {
    let sim = start().await;
    change_world(&sim, |w| {
        w.xks_proxies[0].keys = vec![
            ExternalKey {
                id: "key-1".into(),
                material_hex: "3c".repeat(32),
                enabled: true,
            },
            ExternalKey {
                id: "key-off".into(),
                material_hex: "3c".repeat(32),
                enabled: false,
            },
        ]
    })
    .await;
    let (status, meta) = call(
        &sim,
        "keys/key-1/metadata",
        json!({ "requestMetadata": metadata() }),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(meta["keySpec"], "AES_256");
    assert_eq!(meta["keyUsage"], json!(["ENCRYPT", "DECRYPT"]));

    let aad = B64.encode("project=nile");
    let (status, sealed) = call(
        &sim,
        "keys/key-1/encrypt",
        json!({ "requestMetadata": metadata(), "plaintext": B64.encode("Hello World!"), "encryptionAlgorithm": "AES_GCM",
                "additionalAuthenticatedData": aad, "ciphertextDataIntegrityValueAlgorithm": "SHA_256" }),
    )
    .await;
    assert_eq!(status, 200, "{sealed}");
    assert_eq!(
        B64.decode(sealed["initializationVector"].as_str().unwrap())
            .unwrap()
            .len(),
        12
    );
    assert_eq!(
        B64.decode(sealed["authenticationTag"].as_str().unwrap())
            .unwrap()
            .len(),
        16
    );
    assert!(sealed["ciphertextDataIntegrityValue"].is_string());
    let mut request = json!({ "requestMetadata": metadata(), "encryptionAlgorithm": "AES_GCM", "additionalAuthenticatedData": aad });
    for f in ["ciphertext", "initializationVector", "authenticationTag"] {
        request[f] = sealed[f].clone();
    }
    let (status, plain) = call(&sim, "keys/key-1/decrypt", request.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(
        B64.decode(plain["plaintext"].as_str().unwrap()).unwrap(),
        b"Hello World!"
    );

    request["additionalAuthenticatedData"] = json!(B64.encode("project=amazon"));
    let (status, err) = call(&sim, "keys/key-1/decrypt", request).await;
    assert_eq!(
        (status, err["errorName"].as_str()),
        (400, Some("InvalidCiphertextException"))
    );
    let (status, err) = call(
        &sim,
        "keys/nope/metadata",
        json!({ "requestMetadata": metadata() }),
    )
    .await;
    assert_eq!(
        (status, err["errorName"].as_str()),
        (404, Some("KeyNotFoundException"))
    );
    let (status, err) = call(
        &sim,
        "keys/key-off/metadata",
        json!({ "requestMetadata": metadata() }),
    )
    .await;
    assert_eq!(
        (status, err["errorName"].as_str()),
        (400, Some("InvalidStateException"))
    );
    let (status, err) = call(&sim, "health", json!({})).await;
    assert_eq!(
        (status, err["errorName"].as_str()),
        (400, Some("ValidationException"))
    );
}

#[tokio::test]
async fn health_reports_the_fleet_and_the_spec_error_names() {
    let sim = start().await;
    let body =
        json!({ "requestMetadata": { "kmsRequestId": "r-1", "kmsOperation": "KmsHealthCheck" } });
    let (status, health) = call(&sim, "health", body.clone()).await;
    assert_eq!(status, 200);
    assert!(health["xksProxyFleetSize"].as_i64().unwrap() > 0);
    assert!(health["ekmFleetDetails"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["healthStatus"] == "ACTIVE"));
    // A wrong secret for a known key: the signature does not verify.
    let wrong = kms_sim::model::XksCredential {
        access_key_id: AKID.into(),
        raw_secret_access_key: "x".repeat(44),
    };
    let (status, bytes) = sim
        .xks_client()
        .post(
            ENDPOINT,
            "/team/kms/xks/v1/health",
            &wrong,
            "us-east-1",
            body.to_string(),
        )
        .await
        .unwrap();
    let err: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        (status, err["errorName"].as_str()),
        (401, Some("AuthenticationFailedException"))
    );
    // A path prefix the proxy does not serve.
    let (status, bytes) = sim
        .xks_client()
        .post(
            ENDPOINT,
            "/elsewhere/kms/xks/v1/health",
            &credential(),
            "us-east-1",
            body.to_string(),
        )
        .await
        .unwrap();
    let err: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        (status, err["errorName"].as_str()),
        (404, Some("InvalidUriPathException"))
    );
}

#[tokio::test]
async fn the_proxy_certificate_chains_to_the_simulator_ca_and_names_the_host() {
    let sim = start().await;
    assert!(sim.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    // With the wrong-certificate fault the handshake fails, as KMS would see it.
    change_world(&sim, |w| w.xks_proxies[0].faults.wrong_certificate = true).await;
    let body =
        json!({ "requestMetadata": { "kmsRequestId": "r-1", "kmsOperation": "KmsHealthCheck" } })
            .to_string();
    let outcome = sim
        .xks_client()
        .post(
            ENDPOINT,
            "/team/kms/xks/v1/health",
            &credential(),
            "us-east-1",
            body,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(outcome, kms_sim::probe::ProbeOutcome::TlsFailure(_)),
        "{outcome:?}"
    );
}
