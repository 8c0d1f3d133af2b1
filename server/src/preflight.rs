//! The preflight: GetHealthStatus at the new endpoint and path, signed with the new credential,
//! as KMS will send it (reference §4). It reports each layer: reachable, credential, EKM health.

use app::domain::change::run::{EkmHealth, PreflightReport, ProbeLayer};
use app::domain::user::Secret;
use app::ssr::ProxyProbe;
use kms_sim::probe::ProbeOutcome;
use kms_sim::xks::client::{classify, XksClient};
use std::sync::Arc;
use std::time::Instant;

pub struct XksPreflight {
    pub client: Arc<XksClient>,
}

#[async_trait::async_trait]
impl ProxyProbe for XksPreflight {
    async fn health(
        &self,
        region: &str,
        endpoint: &str,
        path: &str,
        access_key_id: &str,
        secret: &Secret,
    ) -> PreflightReport {
        let credential = kms_sim::model::XksCredential {
            access_key_id: access_key_id.to_string(),
            raw_secret_access_key: secret.expose().to_string(),
        };
        let body = serde_json::json!({
            "requestMetadata": {
                "kmsRequestId": format!("cks-console-preflight-{}", store_time()),
                "kmsOperation": "UpdateCustomKeyStore"
            }
        })
        .to_string();
        let url = format!("{endpoint}{path}/health");
        let started = Instant::now();
        let trace = self
            .client
            .trace(
                endpoint,
                &format!("{path}/health"),
                &credential,
                region,
                body,
            )
            .await;
        let layers = trace
            .layers
            .iter()
            .map(|l| ProbeLayer {
                name: l.name.to_string(),
                ok: l.ok,
                detail: l.detail.clone(),
                latency_ms: l.elapsed.as_millis() as u64,
            })
            .collect();
        let reply = trace.result;
        let latency_ms = started.elapsed().as_millis() as u64;
        let (outcome, reachable, ekms) = match reply {
            Ok((status, bytes)) => (classify(status, &bytes), true, ekms(&bytes)),
            Err(outcome) => {
                let reached = matches!(outcome, ProbeOutcome::InvalidResponse(_));
                (outcome, reached, Vec::new())
            }
        };
        let rejected = matches!(
            outcome,
            ProbeOutcome::AuthenticationFailed | ProbeOutcome::AccessDenied
        );
        let credential_accepted = reachable.then_some(!rejected);
        PreflightReport {
            url,
            reachable,
            credential_accepted,
            ekms,
            checked: true,
            passed: outcome.is_healthy(),
            verdict: sentence(&outcome),
            latency_ms,
            layers,
        }
    }
}

fn store_time() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

fn sentence(outcome: &ProbeOutcome) -> String {
    let mut s = outcome.describe();
    if let Some(first) = s.get(0..1) {
        s.replace_range(0..1, &first.to_uppercase());
    }
    s.push('.');
    s
}

/// The EKMs of a GetHealthStatus reply, when it has them.
fn ekms(body: &[u8]) -> Vec<EkmHealth> {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let text = |e: &serde_json::Value, k: &str| {
        e.get(k)
            .and_then(|x| x.as_str())
            .unwrap_or("?")
            .chars()
            .take(64)
            .collect::<String>()
    };
    v.get("ekmFleetDetails")
        .and_then(|d| d.as_array())
        .map(|list| {
            list.iter()
                .take(10)
                .map(|e| EkmHealth {
                    id: text(e, "id"),
                    model: text(e, "model"),
                    health: text(e, "healthStatus"),
                })
                .collect()
        })
        .unwrap_or_default()
}
