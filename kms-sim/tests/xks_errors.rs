//! The XKS proxy simulator's errors as the XKS Proxy API specification's table has them, through a
//! client that is not kms-sim's own: aws-sigv4 signs, reqwest sends over TLS that trusts the
//! simulator's CA. Each error the simulator can produce answers with the spec's status and name.

mod common;

use common::*;
use kms_sim::model::ExternalKey;
use serde_json::{json, Value};
use std::time::SystemTime;

struct Proxy {
    http: reqwest::Client,
    /// `https://proxy.xks.sim.internal:PORT`: the simulator's host, at its port.
    base: String,
}

impl Proxy {
    fn new(sim: &kms_sim::Running) -> Proxy {
        let ca = reqwest::Certificate::from_pem(sim.ca_pem().as_bytes()).unwrap();
        let http = reqwest::Client::builder()
            .add_root_certificate(ca)
            .resolve(PROXY_HOST, sim.xks_addr())
            .build()
            .unwrap();
        Proxy {
            http,
            base: format!("https://{PROXY_HOST}:{}", sim.xks_addr().port()),
        }
    }

    /// POSTs `body` to `path`, signed with SigV4 for `kms-xks-proxy` with this access key.
    async fn call(&self, path: &str, akid: &str, secret: &str, body: &Value) -> (u16, String) {
        use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
        let url = format!("{}{path}", self.base);
        let host = self.base.trim_start_matches("https://").to_string();
        let body = body.to_string();
        let identity =
            aws_credential_types::Credentials::new(akid, secret, None, None, "test").into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("kms-xks-proxy")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let headers = [
            ("host", host.as_str()),
            ("content-type", "application/json"),
        ];
        let signable = SignableRequest::new(
            "POST",
            &url,
            headers.iter().copied(),
            SignableBody::Bytes(body.as_bytes()),
        )
        .unwrap();
        let (instructions, _) = sign(signable, &params).unwrap().into_parts();
        let mut request = self
            .http
            .post(&url)
            .header("content-type", "application/json")
            .body(body);
        for (name, value) in instructions.headers() {
            request = request.header(name, value);
        }
        let reply = request.send().await.unwrap();
        (reply.status().as_u16(), reply.text().await.unwrap())
    }
}

fn metadata() -> Value {
    json!({ "requestMetadata": { "awsPrincipalArn": "arn:aws:iam::000000000000:role/test", "kmsOperation": "Encrypt",
            "kmsRequestId": "4112f4d6-db54-4af4-ae30-c55a22a8dfae", "kmsKeyArn": "arn:aws:kms:us-east-1:000000000000:key/x" } })
}

/// The spec's status and error name (xks-proxy-api-spec, "Error codes").
fn assert_error(reply: (u16, String), status: u16, name: &str, what: &str) {
    let body: Value = serde_json::from_str(&reply.1).unwrap_or(Value::Null);
    assert_eq!(
        (reply.0, body["errorName"].as_str()),
        (status, Some(name)),
        "{what}: {}",
        reply.1
    );
}

/// The team proxy holds one external key, and its authorization denies KMS or not.
async fn with_key(sim: &kms_sim::Running, id: &str, enabled: bool, denies_kms: bool) {
    let id = id.to_string();
    change_world(sim, move |w| {
        w.xks_proxies[0].keys = vec![ExternalKey {
            id,
            material_hex: "3c".repeat(32),
            enabled,
        }];
        w.xks_proxies[0].faults.access_denied = denies_kms;
    })
    .await;
}

const HEALTH: &str = "/team/kms/xks/v1/health";
const METADATA: &str = "/team/kms/xks/v1/keys/key-1/metadata";

#[tokio::test]
async fn authentication_failures_are_401_on_every_api() {
    let sim = start().await;
    with_key(&sim, "key-1", true, false).await;
    let proxy = Proxy::new(&sim);
    // The credential works, so what follows is about the credential alone.
    assert_eq!(proxy.call(HEALTH, AKID, SECRET, &metadata()).await.0, 200);
    assert_eq!(proxy.call(METADATA, AKID, SECRET, &metadata()).await.0, 200);
    for api in [HEALTH, METADATA] {
        // An access key ID the proxy does not know (a credential rotated away).
        assert_error(
            proxy
                .call(api, "ROTATEDAWAYACCESSKEY", SECRET, &metadata())
                .await,
            401,
            "AuthenticationFailedException",
            &format!("{api}, unknown access key ID"),
        );
        // A known access key ID with the wrong secret: the signature does not match.
        let wrong = format!("x{}", &SECRET[1..]);
        assert_error(
            proxy.call(api, AKID, &wrong, &metadata()).await,
            401,
            "AuthenticationFailedException",
            &format!("{api}, bad signature"),
        );
    }
}

#[tokio::test]
async fn an_authorization_that_denies_kms_is_403_except_on_get_health_status() {
    let sim = start().await;
    with_key(&sim, "key-1", true, true).await;
    let proxy = Proxy::new(&sim);
    assert_error(
        proxy.call(METADATA, AKID, SECRET, &metadata()).await,
        403,
        "AccessDeniedException",
        "metadata while authorization denies KMS",
    );
    let mut encrypt = metadata();
    encrypt["plaintext"] = json!("SGVsbG8=");
    encrypt["encryptionAlgorithm"] = json!("AES_GCM");
    assert_error(
        proxy
            .call(
                "/team/kms/xks/v1/keys/key-1/encrypt",
                AKID,
                SECRET,
                &encrypt,
            )
            .await,
        403,
        "AccessDeniedException",
        "encrypt while authorization denies KMS",
    );
    // The spec: AccessDeniedException for "ALL except GetHealthStatus".
    assert_eq!(proxy.call(HEALTH, AKID, SECRET, &metadata()).await.0, 200);
}

#[tokio::test]
async fn the_other_errors_of_the_spec_have_their_status() {
    let sim = start().await;
    with_key(&sim, "key-off", false, false).await;
    let proxy = Proxy::new(&sim);
    assert_error(
        proxy
            .call("/elsewhere/kms/xks/v1/health", AKID, SECRET, &metadata())
            .await,
        404,
        "InvalidUriPathException",
        "a path the proxy does not serve",
    );
    assert_error(
        proxy.call(METADATA, AKID, SECRET, &metadata()).await,
        404,
        "KeyNotFoundException",
        "an unknown external key",
    );
    assert_error(
        proxy
            .call(
                "/team/kms/xks/v1/keys/key-off/metadata",
                AKID,
                SECRET,
                &metadata(),
            )
            .await,
        400,
        "InvalidStateException",
        "a disabled external key",
    );
    assert_error(
        proxy.call(HEALTH, AKID, SECRET, &json!({})).await,
        400,
        "ValidationException",
        "no requestMetadata",
    );
}
