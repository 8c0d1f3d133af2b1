//! The wire protocol: signatures, targets, bodies and AWS's validation messages.

mod common;

use common::*;

#[tokio::test]
async fn requests_must_be_signed_with_a_known_key_and_the_right_secret() {
    let sim = start().await;
    let unsigned = http::Request::post("/")
        .header("x-amz-target", "TrentService.DescribeCustomKeyStores")
        .body(axum::body::Body::from("{}"))
        .unwrap();
    let (status, body) = send_raw(&sim, unsigned).await;
    assert_eq!(
        (status, body["__type"].as_str()),
        (403, Some("MissingAuthenticationTokenException"))
    );
    let e = client_with(&sim, "us-east-1", "AKIAUNKNOWNKEY", "x")
        .describe_custom_key_stores()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "UnrecognizedClientException");
    let e = client_with(&sim, "us-east-1", "test", "not-test")
        .describe_custom_key_stores()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidSignatureException");
    let (status, body) = raw(&sim, "DescribeCustomKeyStores", "{}", "test").await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn unknown_targets_and_malformed_bodies_get_aws_errors() {
    let sim = start().await;
    let (status, body) = raw(&sim, "ListKeys", "{}", "test").await;
    assert_eq!(
        (status, body["__type"].as_str()),
        (400, Some("UnknownOperationException"))
    );
    for bad in [
        "{",
        "[1,2]",
        "\"x\"",
        r#"{"Limit":"ten"}"#,
        r#"{"CustomKeyStoreName":5}"#,
    ] {
        let (status, body) = raw(&sim, "DescribeCustomKeyStores", bad, "test").await;
        assert_eq!(
            (status, body["__type"].as_str()),
            (400, Some("SerializationException")),
            "{bad}: {body}"
        );
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[tokio::test]
async fn describe_never_returns_a_secret_and_dates_are_epoch_seconds() {
    let sim = start().await;
    let kms = client(&sim);
    create_cloudhsm(&kms, "hsm").await;
    create_xks(&kms, "xks").send().await.unwrap();
    let (status, body) = raw(&sim, "DescribeCustomKeyStores", "{}", "test").await;
    assert_eq!(status, 200);
    let text = body.to_string();
    assert!(!text.contains(KMSUSER_PASSWORD), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    assert!(!text.contains("RawSecretAccessKey") && !text.contains("KeyStorePassword"));
    for store in body["CustomKeyStores"].as_array().unwrap() {
        assert!(store["CreationDate"].is_f64(), "{store}");
        assert!(
            store.get("ConnectionErrorCode").is_none(),
            "only FAILED stores carry a code"
        );
    }
}

async fn validation(sim: &kms_sim::Running, target: &str, body: &str) -> String {
    let (status, reply) = raw(sim, target, body, "test").await;
    assert_eq!(
        (status, reply["__type"].as_str()),
        (400, Some("ValidationException")),
        "{body}: {reply}"
    );
    reply["message"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn validation_names_the_member_and_the_constraint() {
    // Many calls to one operation at once: off KMS's request quota, which would answer most.
    let mut cfg = config();
    cfg.request_quota = 0;
    let sim = kms_sim::start(cfg).await.unwrap();
    let long = "n".repeat(257);
    let m = validation(&sim, "CreateCustomKeyStore", &format!(r#"{{"CustomKeyStoreName":"{long}","CloudHsmClusterId":"{CLUSTER}","TrustAnchorCertificate":"x","KeyStorePassword":"kmsuser-pw"}}"#)).await;
    assert!(m.starts_with("1 validation error detected: "), "{m}");
    assert!(m.contains("at 'customKeyStoreName' failed to satisfy constraint: Member must have length less than or equal to 256"), "{m}");

    let m = validation(
        &sim,
        "CreateCustomKeyStore",
        r#"{"TrustAnchorCertificate":"x"}"#,
    )
    .await;
    assert!(m.contains("Value null at 'customKeyStoreName' failed to satisfy constraint: Member must not be null"), "{m}");

    let m = validation(
        &sim,
        "CreateCustomKeyStore",
        r#"{"CustomKeyStoreName":"a","CustomKeyStoreType":"HSM"}"#,
    )
    .await;
    assert!(
        m.contains("Member must satisfy enum value set: [AWS_CLOUDHSM, EXTERNAL_KEY_STORE]"),
        "{m}"
    );

    // CloudHSM stores need a cluster, a trust anchor and a password.
    let m = validation(
        &sim,
        "CreateCustomKeyStore",
        &format!(r#"{{"CustomKeyStoreName":"a","CloudHsmClusterId":"{CLUSTER}"}}"#),
    )
    .await;
    assert!(m.starts_with("2 validation errors detected"), "{m}");
    assert!(
        m.contains("'trustAnchorCertificate'")
            && m.contains("'keyStorePassword'")
            && m.contains("AWS_CLOUDHSM"),
        "{m}"
    );

    // The password is sensitive: it is named, never shown.
    let m = validation(&sim, "CreateCustomKeyStore", &format!(r#"{{"CustomKeyStoreName":"a","CloudHsmClusterId":"{CLUSTER}","TrustAnchorCertificate":"x","KeyStorePassword":"short"}}"#)).await;
    assert!(
        m.contains("Value at 'keyStorePassword'") && !m.contains("short"),
        "{m}"
    );

    // XKS stores need connectivity, endpoint, path and credential; VPC connectivity needs the service name.
    let m = validation(
        &sim,
        "CreateCustomKeyStore",
        r#"{"CustomKeyStoreName":"x","CustomKeyStoreType":"EXTERNAL_KEY_STORE"}"#,
    )
    .await;
    for member in [
        "xksProxyConnectivity",
        "xksProxyUriEndpoint",
        "xksProxyUriPath",
        "xksProxyAuthenticationCredential",
    ] {
        assert!(m.contains(member), "{member}: {m}");
    }
    let xks = |extra: &str| {
        format!(
            r#"{{"CustomKeyStoreName":"x","CustomKeyStoreType":"EXTERNAL_KEY_STORE","XksProxyUriEndpoint":"https://proxy.xks.sim.internal","XksProxyUriPath":"/kms/xks/v1","XksProxyAuthenticationCredential":{{"AccessKeyId":"{AKID}","RawSecretAccessKey":"{SECRET}"}}{extra}}}"#
        )
    };
    let m = validation(
        &sim,
        "CreateCustomKeyStore",
        &xks(r#","XksProxyConnectivity":"VPC_ENDPOINT_SERVICE""#),
    )
    .await;
    assert!(
        m.contains("'xksProxyVpcEndpointServiceName'") && m.contains("VPC_ENDPOINT_SERVICE"),
        "{m}"
    );
    let m = validation(&sim, "CreateCustomKeyStore", &xks(&format!(r#","XksProxyConnectivity":"PUBLIC_ENDPOINT","XksProxyVpcEndpointServiceName":"{VPC_SERVICE}""#))).await;
    assert!(
        m.contains("'xksProxyVpcEndpointServiceName'") && m.contains("must be null"),
        "{m}"
    );
    let m = validation(&sim, "CreateCustomKeyStore", &xks(r#","XksProxyConnectivity":"PUBLIC_ENDPOINT","CloudHsmClusterId":"cluster-abcdefghijk""#)).await;
    assert!(
        m.contains("'cloudHsmClusterId'") && m.contains("EXTERNAL_KEY_STORE"),
        "{m}"
    );

    let m = validation(&sim, "CreateCustomKeyStore", r#"{"CustomKeyStoreName":"x","XksProxyUriEndpoint":"https://proxy.example.com:443","XksProxyUriPath":"/kms/xks/v3x"}"#).await;
    assert!(m.contains("'xksProxyUriEndpoint' failed to satisfy constraint: Member must satisfy regular expression pattern: ^https://[a-zA-Z0-9.-]+$"), "{m}");
    assert!(m.contains("'xksProxyUriPath'"), "{m}");

    // The credential is given whole.
    let m = validation(&sim, "UpdateCustomKeyStore", &format!(r#"{{"CustomKeyStoreId":"cks-1","XksProxyAuthenticationCredential":{{"AccessKeyId":"{AKID}"}}}}"#)).await;
    assert!(
        m.contains("Value null at 'xksProxyAuthenticationCredential.rawSecretAccessKey'"),
        "{m}"
    );

    let m = validation(&sim, "UpdateCustomKeyStore", "{}").await;
    assert!(m.contains("Value null at 'customKeyStoreId'"), "{m}");

    let m = validation(
        &sim,
        "DescribeCustomKeyStores",
        r#"{"CustomKeyStoreId":"cks-1","CustomKeyStoreName":"a"}"#,
    )
    .await;
    assert!(m.contains("CustomKeyStoreId and CustomKeyStoreName"), "{m}");
    let m = validation(&sim, "DescribeCustomKeyStores", r#"{"Limit":0}"#).await;
    assert!(m.contains("'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"), "{m}");
    let m = validation(&sim, "DescribeCustomKeyStores", r#"{"Limit":1001}"#).await;
    assert!(m.contains("less than or equal to 1000"), "{m}");
    for op in [
        "ConnectCustomKeyStore",
        "DisconnectCustomKeyStore",
        "DeleteCustomKeyStore",
    ] {
        let m = validation(
            &sim,
            op,
            &format!(r#"{{"CustomKeyStoreId":"{}"}}"#, "c".repeat(65)),
        )
        .await;
        assert!(
            m.contains("'customKeyStoreId'") && m.contains("64"),
            "{op}: {m}"
        );
    }
}

#[tokio::test]
async fn connectivity_changes_need_a_new_endpoint_and_the_right_service_name() {
    let sim = start().await;
    let kms = client(&sim);
    let id = create_xks(&kms, "xks").created().await;
    let m = validation(
        &sim,
        "UpdateCustomKeyStore",
        &format!(r#"{{"CustomKeyStoreId":"{id}","XksProxyConnectivity":"VPC_ENDPOINT_SERVICE"}}"#),
    )
    .await;
    assert!(
        m.contains("'xksProxyUriEndpoint'") && m.contains("new endpoint"),
        "{m}"
    );
    assert!(m.contains("'xksProxyVpcEndpointServiceName'"), "{m}");
    kms.update_custom_key_store()
        .custom_key_store_id(&id)
        .xks_proxy_connectivity(aws_sdk_kms::types::XksProxyConnectivityType::VpcEndpointService)
        .xks_proxy_uri_endpoint("https://vpce.xks.sim.internal")
        .xks_proxy_uri_path("/kms/xks/v1")
        .xks_proxy_vpc_endpoint_service_name(VPC_SERVICE)
        .send()
        .await
        .unwrap();
    let s = describe(&kms, &id).await;
    assert_eq!(
        s.xks_proxy_configuration()
            .unwrap()
            .vpc_endpoint_service_name(),
        Some(VPC_SERVICE)
    );
    // Back to public: the service name goes away.
    kms.update_custom_key_store()
        .custom_key_store_id(&id)
        .xks_proxy_connectivity(aws_sdk_kms::types::XksProxyConnectivityType::PublicEndpoint)
        .xks_proxy_uri_endpoint(format!("https://{PROXY_HOST}"))
        .xks_proxy_uri_path("/team/kms/xks/v1")
        .send()
        .await
        .unwrap();
    assert!(describe(&kms, &id)
        .await
        .xks_proxy_configuration()
        .unwrap()
        .vpc_endpoint_service_name()
        .is_none());
}
