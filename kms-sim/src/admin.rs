//! The simulator's admin API, beside the KMS API on the same port under `/_sim`: read or replace
//! the simulated world, and inject faults into XKS proxies. It plays the parts of AWS that the
//! KMS API does not reach (CloudHSM, VPC, the proxy's own configuration).
//!
//! With an admin token (`--admin-token`, or the random one the console makes for its embedded
//! simulator at each start), every route but `/_sim/health` needs `Authorization: Bearer TOKEN`;
//! without one it answers 401.

use crate::model::Faults;
use crate::model::{World, XksCredential};
use crate::service::{internal, Sim};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::sync::Arc;

pub fn router(sim: Arc<Sim>, token: Option<String>) -> Router {
    let guarded = Router::new()
        .route("/_sim/world", get(get_world).put(put_world))
        .route("/_sim/xks-proxies/faults", post(set_faults))
        .route("/_sim/xks-proxies/credentials", post(set_credentials))
        .route("/_sim/request-quotas", post(set_request_quota))
        .route("/_sim/request-counts", get(request_counts))
        .with_state(sim);
    let guarded = match token {
        Some(token) => guarded.layer(axum::middleware::from_fn_with_state(
            Arc::<str>::from(token),
            require_token,
        )),
        None => guarded,
    };
    Router::new()
        .route(
            "/_sim/health",
            get(|| async { Json(serde_json::json!({ "status": "ok" })) }),
        )
        .merge(guarded)
}

/// Refuses a request whose bearer token is not the admin token (compared in constant time).
async fn require_token(
    State(token): State<Arc<str>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use subtle::ConstantTimeEq;
    let given = request
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if bool::from(given.as_bytes().ct_eq(token.as_bytes())) {
        next.run(request).await
    } else {
        (
            StatusCode::UNAUTHORIZED,
            [(http::header::WWW_AUTHENTICATE, "Bearer")],
            "the admin API needs the simulator's admin token",
        )
            .into_response()
    }
}

async fn get_world(State(sim): State<Arc<Sim>>) -> Json<World> {
    Json(sim.snapshot().await.world)
}

async fn put_world(State(sim): State<Arc<Sim>>, body: axum::body::Bytes) -> Response {
    let world: World = match serde_json::from_slice(&body) {
        Ok(w) => w,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("not a world: {e}")).into_response(),
    };
    match sim
        .mutate(|st| {
            st.world = world;
            Ok(())
        })
        .await
    {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.message).into_response(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FaultsRequest {
    host: String,
    #[serde(default)]
    path_prefix: String,
    faults: Faults,
}

async fn set_faults(State(sim): State<Arc<Sim>>, Json(req): Json<FaultsRequest>) -> Response {
    update_proxy(&sim, &req.host, &req.path_prefix, |p| {
        p.faults = req.faults.clone()
    })
    .await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QuotaRequest {
    account: String,
    region: String,
    /// Requests per second for each operation; 0 turns the quota off there.
    requests_per_second: u32,
}

/// KMS quotas are adjustable per account and Region (Service Quotas); so are kms-sim's.
/// Requests per account, Region and custom key store operation since the start, admitted and
/// throttled: how hard the clients lean on KMS's quota.
async fn request_counts(State(sim): State<Arc<Sim>>) -> Json<Vec<crate::quota::Counts>> {
    Json(sim.quotas.counts())
}

async fn set_request_quota(State(sim): State<Arc<Sim>>, Json(req): Json<QuotaRequest>) -> Response {
    sim.quotas
        .set(&req.account, &req.region, req.requests_per_second);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CredentialsRequest {
    host: String,
    #[serde(default)]
    path_prefix: String,
    credentials: Vec<XksCredential>,
}

/// Rotation on the proxy side: one credential, or two at once while KMS is being updated.
async fn set_credentials(
    State(sim): State<Arc<Sim>>,
    Json(req): Json<CredentialsRequest>,
) -> Response {
    if req.credentials.is_empty() || req.credentials.len() > 2 {
        return (StatusCode::BAD_REQUEST, "give one or two credentials").into_response();
    }
    update_proxy(&sim, &req.host, &req.path_prefix, |p| {
        p.credentials = req.credentials.clone()
    })
    .await
}

async fn update_proxy(
    sim: &Sim,
    host: &str,
    prefix: &str,
    change: impl FnOnce(&mut crate::model::ProxyStore),
) -> Response {
    let result = sim
        .mutate(|st| {
            let found = st
                .world
                .xks_proxies
                .iter_mut()
                .find(|p| p.host == host && p.path_prefix == prefix);
            Ok(found.map(change).is_some())
        })
        .await;
    match result {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => (
            StatusCode::NOT_FOUND,
            format!("no proxy store {host}{prefix}"),
        )
            .into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            internal(e.message).message,
        )
            .into_response(),
    }
}
