//! The XKS proxy simulator: HTTPS with a certificate from the simulator's CA, SigV4 with service
//! `kms-xks-proxy`, logical key stores by host and path prefix, the spec's error names, and faults.

use super::ca::Authority;
use crate::model::{ExternalKey, ProxyStore};
use crate::service::WorldView;
use crate::sigv4::{self, SigError};
use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The spec's error names (xks-proxy-api-spec "Error codes"); each status is decided here once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorName {
    ValidationException,
    InvalidStateException,
    InvalidCiphertextException,
    AuthenticationFailedException,
    AccessDeniedException,
    KeyNotFoundException,
    InvalidUriPathException,
    InternalException,
    UnsupportedOperationException,
}

impl ErrorName {
    pub fn status(self) -> StatusCode {
        use ErrorName::*;
        match self {
            ValidationException | InvalidStateException | InvalidCiphertextException => {
                StatusCode::BAD_REQUEST
            }
            AuthenticationFailedException => StatusCode::UNAUTHORIZED,
            AccessDeniedException => StatusCode::FORBIDDEN,
            KeyNotFoundException | InvalidUriPathException => StatusCode::NOT_FOUND,
            InternalException => StatusCode::INTERNAL_SERVER_ERROR,
            UnsupportedOperationException => StatusCode::NOT_IMPLEMENTED,
        }
    }

    fn reply(self, message: &str) -> Response {
        (
            self.status(),
            axum::Json(json!({ "errorName": format!("{self:?}"), "errorMessage": message })),
        )
            .into_response()
    }
}

#[derive(Clone)]
struct ProxyState {
    world: WorldView,
}

pub fn router(world: WorldView) -> Router {
    Router::new()
        .fallback(handle)
        .with_state(ProxyState { world })
}

/// Chooses the certificate by SNI: the simulator's own for its hosts, one for another name when a
/// logical store on that host has the wrong-certificate fault.
pub struct CertResolver {
    authority: Arc<Authority>,
    world: WorldView,
    cache: Mutex<HashMap<String, Arc<CertifiedKey>>>,
}

impl std::fmt::Debug for CertResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CertResolver")
    }
}

impl CertResolver {
    pub fn new(authority: Arc<Authority>, world: WorldView) -> Self {
        CertResolver {
            authority,
            world,
            cache: Mutex::default(),
        }
    }

    fn certified(&self, name: &str) -> Option<Arc<CertifiedKey>> {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cache.get(name) {
            return Some(c.clone());
        }
        let (chain, key) = self.authority.issue(&[name.to_string()]).ok()?;
        let provider = rustls::crypto::ring::default_provider();
        let signing = provider.key_provider.load_private_key(key).ok()?;
        let certified = Arc::new(CertifiedKey::new(chain, signing));
        cache.insert(name.to_string(), certified.clone());
        Some(certified)
    }
}

impl ResolvesServerCert for CertResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let host = hello
            .server_name()
            .unwrap_or("localhost")
            .to_ascii_lowercase();
        let wrong = self
            .world
            .read()
            .map(|w| {
                w.xks_proxies
                    .iter()
                    .any(|p| p.host == host && p.faults.wrong_certificate)
            })
            .unwrap_or(false);
        if wrong {
            self.certified("wrong-host.invalid")
        } else {
            self.certified(&host)
        }
    }
}

pub fn server_config(resolver: CertResolver) -> Result<rustls::ServerConfig, String> {
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_no_client_auth()
    .with_cert_resolver(Arc::new(resolver));
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Serves TLS connections on `listener` until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, tls: rustls::ServerConfig, app: Router) {
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let acceptor = acceptor.clone();
        let app = app.clone();
        tokio::spawn(async move {
            let Ok(stream) = acceptor.accept(tcp).await else {
                return;
            };
            let service = hyper_util::service::TowerToHyperService::new(app);
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Api {
    Health,
    Metadata(String),
    Encrypt(String),
    Decrypt(String),
}

/// `{prefix}/kms/xks/v1/{api}` → the prefix and the API.
fn route(path: &str) -> Option<(String, Api)> {
    let (prefix, rest) = path.split_once("/kms/xks/v1/")?;
    let api = match rest.split('/').collect::<Vec<_>>()[..] {
        ["health"] => Api::Health,
        ["keys", id, "metadata"] => Api::Metadata(id.to_string()),
        ["keys", id, "encrypt"] => Api::Encrypt(id.to_string()),
        ["keys", id, "decrypt"] => Api::Decrypt(id.to_string()),
        _ => return None,
    };
    Some((prefix.to_string(), api))
}

async fn handle(
    State(state): State<ProxyState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let host = headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(|h| h.split(':').next().unwrap_or(h).to_ascii_lowercase())
        .unwrap_or_default();
    let Some((prefix, api)) = route(uri.path()) else {
        return ErrorName::InvalidUriPathException.reply("No XKS API at this path.");
    };
    if method != Method::POST {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let store = state.world.read().ok().and_then(|w| {
        w.xks_proxies
            .iter()
            .find(|p| p.host == host && p.path_prefix == prefix)
            .cloned()
    });
    let Some(store) = store else {
        return ErrorName::InvalidUriPathException
            .reply("No logical key store at this path on this host.");
    };
    if store.faults.delay_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(store.faults.delay_ms)).await;
    }
    let req = sigv4::Request {
        method: "POST",
        path: uri.path(),
        query: uri.query().unwrap_or_default(),
        headers: &headers,
        body: &body,
    };
    let verified = sigv4::verify(
        &req,
        "kms-xks-proxy",
        |akid| {
            store
                .credentials
                .iter()
                .filter(|c| c.access_key_id == akid)
                .map(|c| c.raw_secret_access_key.clone())
                .collect()
        },
        std::time::SystemTime::now(),
    );
    // The spec: a request whose SigV4 authentication fails, an unknown access key ID (for
    // example one rotated away) included, gets 401 AuthenticationFailedException on every API.
    if let Err(e) = verified {
        let message = match e {
            SigError::UnknownKey => "No credential with this access key ID.".to_string(),
            other => other.to_string(),
        };
        return ErrorName::AuthenticationFailedException.reply(&message);
    }
    // Authenticated, and then authorized: AccessDeniedException applies to every API but
    // GetHealthStatus.
    if store.faults.access_denied && !matches!(api, Api::Health) {
        return ErrorName::AccessDeniedException
            .reply("The operation is not authorized based on request metadata.");
    }
    if store.faults.invalid_response {
        return (StatusCode::OK, "<html>proxy maintenance</html>").into_response();
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return ErrorName::ValidationException.reply("The body is not JSON.");
    };
    if request
        .get("requestMetadata")
        .and_then(|m| m.get("kmsRequestId"))
        .is_none()
    {
        return ErrorName::ValidationException.reply("requestMetadata.kmsRequestId is required.");
    }
    match api {
        Api::Health => health(&store),
        Api::Metadata(id) => with_key(&store, &id, |_| {
            axum::Json(json!({ "keySpec": "AES_256", "keyUsage": ["ENCRYPT", "DECRYPT"], "keyStatus": "ENABLED" })).into_response()
        }),
        Api::Encrypt(id) => with_key(&store, &id, |key| encrypt(key, &request)),
        Api::Decrypt(id) => with_key(&store, &id, |key| decrypt(key, &request)),
    }
}

fn health(store: &ProxyStore) -> Response {
    let status = if store.faults.ekms_unavailable {
        "UNAVAILABLE"
    } else {
        "ACTIVE"
    };
    axum::Json(json!({
        "xksProxyFleetSize": 1,
        "xksProxyVendor": "cks-console",
        "xksProxyModel": "kms-sim XKS proxy simulator",
        "ekmVendor": "kms-sim",
        "ekmFleetDetails": [
            { "id": "ekm-1", "model": "kms-sim EKM", "healthStatus": status },
            { "id": "ekm-2", "model": "kms-sim EKM", "healthStatus": status }
        ]
    }))
    .into_response()
}

fn with_key(store: &ProxyStore, id: &str, f: impl FnOnce(&ExternalKey) -> Response) -> Response {
    match store.keys.iter().find(|k| k.id == id) {
        None => ErrorName::KeyNotFoundException.reply("No such external key."),
        Some(k) if !k.enabled => {
            ErrorName::InvalidStateException.reply("The external key is disabled.")
        }
        Some(k) => f(k),
    }
}

/// A refusal in the spec's terms: the error name and a message for the proxy's log.
type Refusal = (ErrorName, String);

fn reply(result: Result<Value, Refusal>) -> Response {
    match result {
        Ok(body) => axum::Json(body).into_response(),
        Err((name, message)) => name.reply(&message),
    }
}

fn cipher(key: &ExternalKey) -> Result<Aes256Gcm, Refusal> {
    hex::decode(&key.material_hex)
        .ok()
        .and_then(|bytes| Aes256Gcm::new_from_slice(&bytes).ok())
        .ok_or((
            ErrorName::InternalException,
            "Key material is unusable.".into(),
        ))
}

fn field(request: &Value, name: &str) -> Result<Vec<u8>, Refusal> {
    request
        .get(name)
        .and_then(Value::as_str)
        .and_then(|s| B64.decode(s).ok())
        .ok_or_else(|| {
            (
                ErrorName::ValidationException,
                format!("{name} must be Base64."),
            )
        })
}

/// The additional authenticated data, empty when the request has none.
fn aad(request: &Value) -> Result<Vec<u8>, Refusal> {
    match request.get("additionalAuthenticatedData") {
        Some(_) => field(request, "additionalAuthenticatedData"),
        None => Ok(Vec::new()),
    }
}

fn encrypt(key: &ExternalKey, request: &Value) -> Response {
    reply(encrypt_body(key, request))
}

fn encrypt_body(key: &ExternalKey, request: &Value) -> Result<Value, Refusal> {
    if request.get("encryptionAlgorithm").and_then(Value::as_str) != Some("AES_GCM") {
        return Err((
            ErrorName::ValidationException,
            "encryptionAlgorithm must be AES_GCM.".into(),
        ));
    }
    let plaintext = field(request, "plaintext")?;
    let aad = aad(request)?;
    let iv: [u8; 12] = rand::random();
    let mut sealed = cipher(key)?
        .encrypt(
            Nonce::from_slice(&iv),
            Payload {
                msg: &plaintext,
                aad: &aad,
            },
        )
        .map_err(|_| {
            (
                ErrorName::InternalException,
                "Encryption failed.".to_string(),
            )
        })?;
    let tag = sealed.split_off(sealed.len() - 16);
    let mut out = json!({
        "ciphertext": B64.encode(&sealed),
        "initializationVector": B64.encode(iv),
        "authenticationTag": B64.encode(&tag),
    });
    // Appendix C: the CDIV is a hash over what a later Decrypt needs.
    if request
        .get("ciphertextDataIntegrityValueAlgorithm")
        .and_then(Value::as_str)
        == Some("SHA_256")
    {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for part in [&aad[..], &iv[..], &sealed[..], &tag[..]] {
            h.update(part);
        }
        out["ciphertextDataIntegrityValue"] = json!(B64.encode(h.finalize()));
    }
    Ok(out)
}

fn decrypt(key: &ExternalKey, request: &Value) -> Response {
    reply(decrypt_body(key, request))
}

fn decrypt_body(key: &ExternalKey, request: &Value) -> Result<Value, Refusal> {
    let mut sealed = field(request, "ciphertext")?;
    let iv = field(request, "initializationVector")?;
    let tag = field(request, "authenticationTag")?;
    let aad = aad(request)?;
    if iv.len() != 12 || tag.len() != 16 {
        return Err((
            ErrorName::InvalidCiphertextException,
            "The IV must be 12 bytes and the tag 16.".into(),
        ));
    }
    sealed.extend_from_slice(&tag);
    let plain = cipher(key)?
        .decrypt(
            Nonce::from_slice(&iv),
            Payload {
                msg: &sealed,
                aad: &aad,
            },
        )
        .map_err(|_| {
            (
                ErrorName::InvalidCiphertextException,
                "The ciphertext, tag or AAD does not match.".to_string(),
            )
        })?;
    Ok(json!({ "plaintext": B64.encode(plain) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_follow_the_spec_uris() {
        assert_eq!(
            route("/kms/xks/v1/health"),
            Some((String::new(), Api::Health))
        );
        assert_eq!(
            route("/team-a/kms/xks/v1/keys/k1/encrypt"),
            Some(("/team-a".into(), Api::Encrypt("k1".into())))
        );
        assert_eq!(route("/kms/xks/v1/keys/k1"), None);
        assert_eq!(route("/health"), None);
    }

    #[test]
    fn encrypt_then_decrypt_round_trips_with_aad() {
        let key = ExternalKey {
            id: "k".into(),
            material_hex: "11".repeat(32),
            enabled: true,
        };
        let enc = json!({ "plaintext": B64.encode("hello"), "encryptionAlgorithm": "AES_GCM", "additionalAuthenticatedData": B64.encode("ctx") });
        let res = encrypt(&key, &enc);
        assert_eq!(res.status(), StatusCode::OK);
        let body = futures_body(res);
        let mut dec = body.clone();
        dec["additionalAuthenticatedData"] = json!(B64.encode("ctx"));
        let plain = futures_body(decrypt(&key, &dec));
        assert_eq!(plain["plaintext"], json!(B64.encode("hello")));
        dec["additionalAuthenticatedData"] = json!(B64.encode("other"));
        assert_eq!(decrypt(&key, &dec).status(), StatusCode::BAD_REQUEST);
    }

    fn futures_body(res: Response) -> Value {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let bytes = rt
            .block_on(axum::body::to_bytes(res.into_body(), 1 << 20))
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }
}
