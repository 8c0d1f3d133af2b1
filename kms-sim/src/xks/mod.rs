//! The XKS side: a certificate authority, the XKS proxy simulator, and the GetHealthStatus client
//! KMS uses to probe proxies (xks-proxy-api-spec.md).

pub mod ca;
pub mod client;
pub mod proxy;

/// Host names ending in this reach the proxy simulator (reference §4: endpoints are FQDNs on port 443).
pub const SIM_DOMAIN: &str = "xks.sim.internal";
