//! The KMS endpoint: `POST /` with `X-Amz-Target: TrentService.<Operation>` (AWS JSON 1.1),
//! SigV4-verified with signing name `kms`. The region comes from the signature's scope.
//! STS GetCallerIdentity is answered on the same address (see `sts`).

use crate::error::{ErrorKind, KmsError, WireError};
use crate::ops;
use crate::service::{Caller, Sim};
use crate::sigv4::{self, SigError};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Arc;

pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// Larger bodies are refused before parsing; no valid request of these operations comes close.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .fallback(handle)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(sim)
}

async fn handle(
    State(sim): State<Arc<Sim>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = new_request_id();
    if !sim.config.latency.is_zero() {
        tokio::time::sleep(sim.config.latency).await;
    }
    if method == Method::POST && crate::sts::is_sts(&headers, &body) {
        let caller = authenticate(&sim, "sts", &uri, &headers, &body);
        return crate::sts::answer(&body, caller, &request_id);
    }
    let result = dispatch(&sim, &method, &uri, &headers, &body).await;
    let mut res = match result {
        Ok(bytes) => (StatusCode::OK, bytes).into_response(),
        Err(err) => {
            tracing::debug!(kind = err.kind.wire_name(), message = %err.message, "request refused");
            error_response(&err)
        }
    };
    let h = res.headers_mut();
    h.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static(CONTENT_TYPE),
    );
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-amzn-requestid", v);
    }
    res
}

async fn dispatch(
    sim: &Arc<Sim>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Vec<u8>, KmsError> {
    if method != Method::POST || uri.path() != "/" {
        return Err(KmsError::new(
            ErrorKind::UnknownOperation,
            "Only POST / is served (AWS JSON 1.1).",
        ));
    }
    let (caller, _) = authenticate(sim, "kms", uri, headers, body)?;
    let here = format!("{}/{}", caller.account, caller.region);
    if sim.world().unavailable_targets.contains(&here) {
        return Err(crate::service::internal(format!(
            "unavailableTargets fault injected for {here}"
        )));
    }
    if sim.world().kms_internal_error {
        return Err(crate::service::internal(
            "kmsInternalError fault injected through the admin API",
        ));
    }
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let operation = target.strip_prefix("TrentService.").unwrap_or_default();
    if ops::NAMES.contains(&operation)
        && !sim.quotas.admit(&caller.account, &caller.region, operation)
    {
        return Err(KmsError::new(
            ErrorKind::Throttling,
            "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.",
        ));
    }
    if sim
        .world()
        .failing_operations
        .iter()
        .any(|o| o == operation)
    {
        return Err(crate::service::internal(format!(
            "failingOperations fault injected for {operation} through the admin API"
        )));
    }
    match operation {
        "CreateCustomKeyStore" => respond(ops::create::run(sim, &caller, parse(body)?).await),
        "DescribeCustomKeyStores" => respond(ops::describe::run(sim, &caller, parse(body)?).await),
        "UpdateCustomKeyStore" => respond(ops::update::run(sim, &caller, parse(body)?).await),
        "ConnectCustomKeyStore" => respond(ops::connect::run(sim, &caller, parse(body)?).await),
        "DisconnectCustomKeyStore" => respond(ops::disconnect::run(sim, &caller, parse(body)?).await),
        "DeleteCustomKeyStore" => respond(ops::delete::run(sim, &caller, parse(body)?).await),
        _ => Err(KmsError::new(
            ErrorKind::UnknownOperation,
            format!("kms-sim does not serve the operation {target:?}; it serves the six custom key store operations."),
        )),
    }
}

/// The caller (account and region) and its access key, from a valid signature for `service`.
fn authenticate(
    sim: &Sim,
    service: &str,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Caller, String), KmsError> {
    let req = sigv4::Request {
        method: "POST",
        path: uri.path(),
        query: uri.query().unwrap_or_default(),
        headers,
        body,
    };
    let credentials = &sim.config.credentials;
    let verified = sigv4::verify(
        &req,
        service,
        |akid| {
            credentials
                .iter()
                .filter(|c| c.access_key_id == akid)
                .map(|c| c.secret_access_key.clone())
                .collect()
        },
        std::time::SystemTime::now(),
    )
    .map_err(|e| {
        let kind = match e {
            SigError::Missing => ErrorKind::MissingAuthenticationToken,
            SigError::Incomplete(_) => ErrorKind::IncompleteSignature,
            SigError::UnknownKey => ErrorKind::UnrecognizedClient,
            SigError::WrongService(_) | SigError::Mismatch | SigError::Expired(_) => {
                ErrorKind::InvalidSignature
            }
        };
        KmsError::new(kind, e.to_string())
    })?;
    let account = credentials
        .iter()
        .find(|c| c.access_key_id == verified.access_key_id)
        .map(|c| c.account_id.clone())
        .unwrap_or_default();
    Ok((
        Caller {
            account,
            region: verified.region,
        },
        verified.access_key_id,
    ))
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, KmsError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        KmsError::new(
            ErrorKind::SerializationException,
            format!("The request body is not valid JSON: {e}"),
        )
    })?;
    if !value.is_object() {
        return Err(KmsError::new(
            ErrorKind::SerializationException,
            "The request body must be a JSON object.",
        ));
    }
    serde_json::from_value(value).map_err(|e| {
        KmsError::new(
            ErrorKind::SerializationException,
            format!("The request body does not fit the operation: {e}"),
        )
    })
}

fn respond<T: Serialize>(result: Result<T, KmsError>) -> Result<Vec<u8>, KmsError> {
    let value = result?;
    serde_json::to_vec(&value).map_err(crate::service::internal)
}

pub fn error_response(err: &KmsError) -> Response {
    let body = serde_json::to_vec(&WireError {
        kind: err.kind.wire_name(),
        message: &err.message,
    })
    .unwrap_or_default();
    let status = StatusCode::from_u16(err.kind.status()).unwrap_or(StatusCode::BAD_REQUEST);
    (status, body).into_response()
}

fn new_request_id() -> String {
    use rand::Rng;
    let b: [u8; 16] = rand::thread_rng().gen();
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}
