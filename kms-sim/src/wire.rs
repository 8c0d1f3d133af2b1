//! The KMS endpoint: `POST /` with `X-Amz-Target: TrentService.<Operation>` (AWS JSON 1.1).

use crate::error::{ErrorKind, KmsError, WireError};
use crate::SimConfig;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use std::sync::Arc;

pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

#[derive(Clone)]
pub struct Service {
    config: Arc<SimConfig>,
}

impl Service {
    pub fn new(config: SimConfig) -> Self {
        Service {
            config: Arc::new(config),
        }
    }

    pub fn config(&self) -> &SimConfig {
        &self.config
    }
}

pub fn router(service: Service) -> Router {
    Router::new().route("/", post(handle)).with_state(service)
}

async fn handle(State(_service): State<Service>, headers: HeaderMap, _body: Bytes) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let operation = target.strip_prefix("TrentService.").unwrap_or_default();
    error_response(&KmsError::new(
        ErrorKind::UnknownOperation,
        format!("Operation {operation:?} is not supported by kms-sim"),
    ))
}

pub fn error_response(err: &KmsError) -> Response {
    let body = serde_json::to_vec(&WireError {
        kind: err.kind.wire_name(),
        message: &err.message,
    })
    .unwrap_or_default();
    let status = StatusCode::from_u16(err.kind.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut res = (status, body).into_response();
    res.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static(CONTENT_TYPE),
    );
    res
}
