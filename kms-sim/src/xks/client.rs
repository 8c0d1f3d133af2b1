//! GetHealthStatus as KMS calls it: name → TCP → TLS → SigV4-signed HTTP POST, within a timeout
//! (250 ms by default, reference §4). Host names are mapped to local addresses first, so
//! `*.xks.sim.internal` reaches the simulator and a real proxy on this machine can be probed too.

use super::ca::Authority;
use crate::config::HostRoute;
use crate::model::XksCredential;
use crate::probe::ProbeOutcome;
use crate::service::{ProbeTarget, Prober, WorldView};
use crate::sigv4::Signer;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::time::{timeout_at, Instant};

/// One layer of a proxy call, as `XksClient::trace` saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// DNS, TCP, TLS or HTTP.
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
    pub elapsed: Duration,
}

#[derive(Debug)]
pub struct Trace {
    pub layers: Vec<Layer>,
    pub result: Result<(u16, Bytes), ProbeOutcome>,
}

pub struct XksClient {
    routes: Vec<HostRoute>,
    world: WorldView,
    tls: Arc<rustls::ClientConfig>,
    timeout: Duration,
}

impl XksClient {
    pub fn new(
        routes: Vec<HostRoute>,
        world: WorldView,
        authority: &Authority,
        trusted_cas: &[String],
        timeout: Duration,
    ) -> Result<Self, String> {
        use rustls::pki_types::pem::PemObject;
        let mut roots = rustls::RootCertStore::empty();
        roots.add(authority.cert_der()).map_err(|e| e.to_string())?;
        for pem in trusted_cas {
            for cert in rustls::pki_types::CertificateDer::pem_slice_iter(pem.as_bytes()) {
                let cert = cert.map_err(|e| format!("a trusted CA is not PEM: {e}"))?;
                roots
                    .add(cert)
                    .map_err(|e| format!("a trusted CA is unusable: {e}"))?;
            }
        }
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
        let mut tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        // Every probe checks the proxy's certificate afresh; a resumed session would skip that.
        tls.resumption = rustls::client::Resumption::disabled();
        Ok(XksClient {
            routes,
            world,
            tls: Arc::new(tls),
            timeout,
        })
    }

    /// A simulated proxy host that is down refuses TCP connections.
    fn refuses(&self, host: &str) -> bool {
        self.world
            .read()
            .map(|w| {
                w.xks_proxies
                    .iter()
                    .any(|p| p.host == host && p.faults.unreachable)
            })
            .unwrap_or(false)
    }

    async fn resolve(&self, host: &str) -> Result<SocketAddr, String> {
        if let Some(route) = self.routes.iter().find(|r| r.matches(host)) {
            return Ok(route.addr);
        }
        tokio::net::lookup_host((host, 443))
            .await
            .map_err(|e| format!("DNS lookup of {host} failed: {e}"))?
            .next()
            .ok_or_else(|| format!("{host} has no address"))
    }

    /// A SigV4-signed POST of `body` to `{endpoint}{path}` within the timeout. What fails before an
    /// HTTP status arrives is reported as the probe outcome it stands for.
    pub async fn post(
        &self,
        endpoint: &str,
        path: &str,
        credential: &XksCredential,
        region: &str,
        body: String,
    ) -> Result<(u16, Bytes), ProbeOutcome> {
        self.trace(endpoint, path, credential, region, body)
            .await
            .result
    }

    /// The same POST, recording each layer it passes (name, TCP, TLS, HTTP) with its latency,
    /// for a console that shows the operator where a connection fails.
    pub async fn trace(
        &self,
        endpoint: &str,
        path: &str,
        credential: &XksCredential,
        region: &str,
        body: String,
    ) -> Trace {
        let mut layers = Vec::new();
        let result = self
            .exchange(endpoint, path, credential, region, body, &mut layers)
            .await;
        Trace { layers, result }
    }

    async fn exchange(
        &self,
        endpoint: &str,
        path: &str,
        credential: &XksCredential,
        region: &str,
        body: String,
        layers: &mut Vec<Layer>,
    ) -> Result<(u16, Bytes), ProbeOutcome> {
        let host = endpoint.trim_start_matches("https://").to_ascii_lowercase();
        let deadline = Instant::now() + self.timeout;
        let mut record = Recorder {
            layers,
            clock: Instant::now(),
        };
        let addr = match timeout_at(deadline, self.resolve(&host)).await {
            Ok(Ok(a)) => {
                record.passed("DNS", format!("{host} is {a}"));
                a
            }
            Ok(Err(e)) => return Err(record.unreachable("DNS", e)),
            Err(_) => {
                return Err(record.unreachable("DNS", format!("DNS lookup of {host} timed out")))
            }
        };
        if self.refuses(&host) {
            return Err(record.unreachable("TCP", format!("connection to {host}:443 refused")));
        }
        let tcp = match timeout_at(deadline, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(s)) => {
                record.passed("TCP", format!("connected to {host}:443"));
                s
            }
            Ok(Err(e)) => {
                let why = format!("TCP connection to {host}:443 failed: {e}");
                return Err(record.unreachable("TCP", why));
            }
            Err(_) => {
                let why = format!("TCP connection to {host}:443 timed out");
                return Err(record.unreachable("TCP", why));
            }
        };
        let Ok(name) = rustls::pki_types::ServerName::try_from(host.clone()) else {
            return Err(record.unreachable("TLS", format!("{host} is not a valid host name")));
        };
        let tls = match timeout_at(
            deadline,
            tokio_rustls::TlsConnector::from(self.tls.clone()).connect(name, tcp),
        )
        .await
        {
            Ok(Ok(s)) => {
                let version = s
                    .get_ref()
                    .1
                    .protocol_version()
                    .map(|v| format!("{v:?}"))
                    .unwrap_or_default();
                record.passed(
                    "TLS",
                    format!("handshake done ({version}), certificate trusted for {host}"),
                );
                s
            }
            Ok(Err(e)) => {
                record.failed("TLS", e.to_string());
                return Err(ProbeOutcome::TlsFailure(e.to_string()));
            }
            Err(_) => {
                record.failed("TLS", "the TLS handshake timed out".into());
                return Err(ProbeOutcome::TimedOut);
            }
        };
        let request = signed_request(&host, path, credential, region, body).map_err(|e| {
            ProbeOutcome::InvalidResponse(format!("could not sign the request: {e}"))
        })?;
        let exchange = async {
            let (mut sender, conn) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls)).await?;
            tokio::spawn(conn);
            let response = sender.send_request(request).await?;
            let status = response.status().as_u16();
            let body = Limited::new(response.into_body(), 64 * 1024)
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            Ok::<_, hyper::Error>((status, body))
        };
        match timeout_at(deadline, exchange).await {
            Err(_) => {
                record.failed("HTTP", "no answer in time".into());
                Err(ProbeOutcome::TimedOut)
            }
            Ok(Err(e)) => {
                record.failed("HTTP", format!("HTTP exchange failed: {e}"));
                Err(ProbeOutcome::InvalidResponse(format!(
                    "HTTP exchange failed: {e}"
                )))
            }
            Ok(Ok((status, reply))) => {
                let error_name = serde_json::from_slice::<Value>(&reply).ok().and_then(|v| {
                    v.get("errorName")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                });
                let detail = match error_name {
                    Some(n) => format!("HTTP {status} {n}"),
                    None => format!("HTTP {status}"),
                };
                record.layer("HTTP", status == 200, detail);
                Ok((status, reply))
            }
        }
    }

    async fn call(&self, t: &ProbeTarget) -> ProbeOutcome {
        use rand::Rng;
        let request_id = hex::encode(rand::thread_rng().gen::<[u8; 16]>());
        let body = serde_json::json!({
            "requestMetadata": { "kmsRequestId": request_id, "kmsOperation": t.reason.kms_operation() }
        })
        .to_string();
        let path = format!("{}/health", t.uri_path);
        match self
            .post(&t.uri_endpoint, &path, &t.credential, &t.region, body)
            .await
        {
            Ok((status, reply)) => classify(status, &reply),
            Err(outcome) => outcome,
        }
    }
}

#[async_trait::async_trait]
impl Prober for XksClient {
    async fn probe(&self, target: &ProbeTarget) -> ProbeOutcome {
        self.call(target).await
    }
}

/// Writes down each layer as the probe passes or stops at it, with the time it took.
struct Recorder<'a> {
    layers: &'a mut Vec<Layer>,
    clock: Instant,
}

impl Recorder<'_> {
    fn layer(&mut self, name: &'static str, ok: bool, detail: String) {
        self.layers.push(Layer {
            name,
            ok,
            detail,
            elapsed: self.clock.elapsed(),
        });
        self.clock = Instant::now();
    }

    fn passed(&mut self, name: &'static str, detail: String) {
        self.layer(name, true, detail);
    }

    fn failed(&mut self, name: &'static str, detail: String) {
        self.layer(name, false, detail);
    }

    /// The probe stopped at `name` without reaching the proxy: recorded, and the outcome.
    fn unreachable(&mut self, name: &'static str, why: String) -> ProbeOutcome {
        self.failed(name, why.clone());
        ProbeOutcome::Unreachable(why)
    }
}

fn signed_request(
    host: &str,
    path: &str,
    credential: &XksCredential,
    region: &str,
    body: String,
) -> Result<hyper::Request<Full<Bytes>>, String> {
    let headers = [("host", host), ("content-type", "application/json")];
    let signature = Signer {
        access_key_id: &credential.access_key_id,
        secret: &credential.raw_secret_access_key,
        region,
        service: "kms-xks-proxy",
        at: SystemTime::now(),
    }
    .headers(
        "POST",
        &format!("https://{host}{path}"),
        &headers,
        body.as_bytes(),
    )?;
    let mut builder = hyper::Request::post(path);
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    for (name, value) in signature {
        builder = builder.header(name, value);
    }
    builder
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())
}

/// The spec's reading of a GetHealthStatus reply (xks-proxy-api-spec, GetHealthStatus and errors).
pub fn classify(status: u16, body: &[u8]) -> ProbeOutcome {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    if status != 200 {
        let name = json
            .as_ref()
            .and_then(|v| v.get("errorName"))
            .and_then(Value::as_str)
            .unwrap_or("");
        return match name {
            "AuthenticationFailedException" => ProbeOutcome::AuthenticationFailed,
            "AccessDeniedException" => ProbeOutcome::AccessDenied,
            "InvalidUriPathException" => ProbeOutcome::InvalidUriPath,
            "ThrottlingException" | "DependencyTimeoutException" => ProbeOutcome::Throttled,
            "" => ProbeOutcome::InvalidResponse(format!("HTTP {status} without an XKS error body")),
            other => ProbeOutcome::InvalidResponse(format!("HTTP {status} {other}")),
        };
    }
    let Some(v) = json else {
        return ProbeOutcome::InvalidResponse("the reply is not JSON".into());
    };
    let fleet = v.get("xksProxyFleetSize").and_then(Value::as_i64);
    if fleet.is_none_or(|n| n <= 0) {
        return ProbeOutcome::InvalidResponse(
            "xksProxyFleetSize must be an integer above 0".into(),
        );
    }
    for field in ["xksProxyVendor", "xksProxyModel", "ekmVendor"] {
        if v.get(field).and_then(Value::as_str).is_none() {
            return ProbeOutcome::InvalidResponse(format!("{field} is missing"));
        }
    }
    let Some(ekms) = v.get("ekmFleetDetails").and_then(Value::as_array) else {
        return ProbeOutcome::InvalidResponse("ekmFleetDetails is missing".into());
    };
    if ekms.is_empty() || ekms.len() > 10 {
        return ProbeOutcome::InvalidResponse("ekmFleetDetails must have 1 to 10 entries".into());
    }
    let mut statuses = Vec::new();
    for ekm in ekms {
        match ekm.get("healthStatus").and_then(Value::as_str) {
            Some(s @ ("ACTIVE" | "DEGRADED" | "UNAVAILABLE")) => statuses.push(s),
            _ => return ProbeOutcome::InvalidResponse("an EKM has no valid healthStatus".into()),
        }
    }
    if statuses.iter().all(|s| *s == "UNAVAILABLE") {
        ProbeOutcome::AllEkmsUnavailable
    } else {
        ProbeOutcome::Healthy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_routes_match_subdomains_or_exact_hosts() {
        let r: HostRoute = "*.xks.sim.internal=127.0.0.1:1".parse().unwrap();
        assert!(r.matches("a.xks.sim.internal"));
        assert!(!r.matches("xks.sim.internal"));
        assert!(!r.matches("a.xks.sim.internal.evil"));
        let exact: HostRoute = "proxy.example.com=127.0.0.1:8443".parse().unwrap();
        assert!(exact.matches("proxy.example.com"));
        assert!("nope".parse::<HostRoute>().is_err());
    }

    #[test]
    fn replies_are_classified_as_the_spec_says() {
        let ok = br#"{"xksProxyFleetSize":2,"xksProxyVendor":"v","xksProxyModel":"m","ekmVendor":"e","ekmFleetDetails":[{"id":"1","model":"x","healthStatus":"DEGRADED"}]}"#;
        assert_eq!(classify(200, ok), ProbeOutcome::Healthy);
        let down = String::from_utf8_lossy(ok).replace("DEGRADED", "UNAVAILABLE");
        assert_eq!(
            classify(200, down.as_bytes()),
            ProbeOutcome::AllEkmsUnavailable
        );
        assert!(matches!(
            classify(200, b"<html>"),
            ProbeOutcome::InvalidResponse(_)
        ));
        assert!(matches!(
            classify(200, br#"{"xksProxyFleetSize":0}"#),
            ProbeOutcome::InvalidResponse(_)
        ));
        assert_eq!(
            classify(401, br#"{"errorName":"AuthenticationFailedException"}"#),
            ProbeOutcome::AuthenticationFailed
        );
        assert_eq!(
            classify(404, br#"{"errorName":"InvalidUriPathException"}"#),
            ProbeOutcome::InvalidUriPath
        );
        assert_eq!(
            classify(503, br#"{"errorName":"DependencyTimeoutException"}"#),
            ProbeOutcome::Throttled
        );
        assert!(matches!(
            classify(500, br#"{"errorName":"InternalException"}"#),
            ProbeOutcome::InvalidResponse(_)
        ));
    }
}
