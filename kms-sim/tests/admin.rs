//! The admin API: faults and proxy-side credential rotation show up the way they would with AWS,
//! at the next connect.

mod common;

use aws_sdk_kms::types::{ConnectionErrorCodeType, ConnectionStateType};
use common::*;
use tower::ServiceExt;

async fn post(sim: &kms_sim::Running, path: &str, body: serde_json::Value) -> u16 {
    let req = http::Request::post(path)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    kms_sim::admin::router(sim.sim().clone(), None)
        .oneshot(req)
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_fault_injected_through_the_admin_api_fails_the_next_connect() {
    let sim = start().await;
    let kms = client(&sim);
    let id = create_xks(&kms, "xks").created().await;
    let status = post(&sim, "/_sim/xks-proxies/faults", serde_json::json!({ "host": PROXY_HOST, "pathPrefix": "/team", "faults": { "unreachable": true } })).await;
    assert_eq!(status, 204);
    connect(&kms, &id).await;
    let s = settle(&kms, &id).await;
    assert_eq!(s.connection_state(), Some(&ConnectionStateType::Failed));
    assert_eq!(
        s.connection_error_code(),
        Some(&ConnectionErrorCodeType::XksProxyNotReachable)
    );
    assert_eq!(
        post(
            &sim,
            "/_sim/xks-proxies/faults",
            serde_json::json!({ "host": "nope", "faults": {} })
        )
        .await,
        404
    );
}

#[tokio::test]
async fn rotating_with_two_credentials_keeps_the_store_working_through_the_update() {
    let sim = start().await;
    let kms = client(&sim);
    let id = create_xks(&kms, "xks").created().await;
    let new_key = "NEWXKSACCESSKEYBBBBB";
    let new_secret = "bmV3LXhrcy1zZWNyZXQtZm9yLWttcy1zaW0tdGVzdHMtMDAx";
    let both = serde_json::json!({ "host": PROXY_HOST, "pathPrefix": "/team", "credentials": [
        { "accessKeyId": AKID, "rawSecretAccessKey": SECRET },
        { "accessKeyId": new_key, "rawSecretAccessKey": new_secret }
    ]});
    assert_eq!(post(&sim, "/_sim/xks-proxies/credentials", both).await, 204);
    kms.update_custom_key_store()
        .custom_key_store_id(&id)
        .xks_proxy_authentication_credential(xks_credential(new_key, new_secret))
        .send()
        .await
        .unwrap();
    let only_new = serde_json::json!({ "host": PROXY_HOST, "pathPrefix": "/team", "credentials": [
        { "accessKeyId": new_key, "rawSecretAccessKey": new_secret }
    ]});
    assert_eq!(
        post(&sim, "/_sim/xks-proxies/credentials", only_new).await,
        204
    );
    connect(&kms, &id).await;
    assert_eq!(
        settle(&kms, &id).await.connection_state(),
        Some(&ConnectionStateType::Connected)
    );
    assert_eq!(
        post(
            &sim,
            "/_sim/xks-proxies/credentials",
            serde_json::json!({ "host": PROXY_HOST, "pathPrefix": "/team", "credentials": [] })
        )
        .await,
        400
    );
}
