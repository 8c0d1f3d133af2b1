//! The XKS side: a certificate authority, the XKS proxy simulator, and the GetHealthStatus client
//! KMS uses to probe proxies (xks-proxy-api-spec.md).

pub mod ca;
pub mod client;
pub mod proxy;

use crate::model::XksCredential;
use serde::{Deserialize, Serialize};

/// Host names ending in this reach the proxy simulator (reference §4: endpoints are FQDNs on port 443).
pub const SIM_DOMAIN: &str = "xks.sim.internal";

/// One logical key store of the proxy simulator: a host and a URI path prefix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProxyStore {
    /// For example `proxy-a.xks.sim.internal`.
    pub host: String,
    /// The part before `/kms/xks/v1`; empty for none.
    #[serde(default)]
    pub path_prefix: String,
    /// Accepted credentials: one, or two during a rotation.
    pub credentials: Vec<XksCredential>,
    #[serde(default)]
    pub keys: Vec<ExternalKey>,
    #[serde(default)]
    pub faults: Faults,
}

impl ProxyStore {
    pub fn uri_path(&self) -> String {
        format!("{}/kms/xks/v1", self.path_prefix)
    }
}

/// An AES-256 key in the simulated external key manager.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalKey {
    pub id: String,
    /// 32 bytes, hex.
    pub material_hex: String,
    #[serde(default = "enabled")]
    pub enabled: bool,
}

fn enabled() -> bool {
    true
}

impl std::fmt::Debug for ExternalKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExternalKey")
            .field("id", &self.id)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

/// Faults injected per logical store through the admin API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Faults {
    /// The proxy's host refuses connections.
    #[serde(default)]
    pub unreachable: bool,
    /// Every answer waits this long (beyond KMS's 250 ms timeout makes it "slow").
    #[serde(default)]
    pub delay_ms: u64,
    /// Answers with something that is not the spec's JSON.
    #[serde(default)]
    pub invalid_response: bool,
    /// GetHealthStatus reports every EKM UNAVAILABLE.
    #[serde(default)]
    pub ekms_unavailable: bool,
    /// TLS presents a certificate for another host name.
    #[serde(default)]
    pub wrong_certificate: bool,
}
