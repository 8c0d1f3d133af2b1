//! Every exception of the reference's table (§1.6) and every ConnectionErrorCode that can be
//! simulated (§2), produced through aws-sdk-kms.

mod common;

use aws_sdk_kms::types::{
    ConnectionErrorCodeType as Code, ConnectionStateType, XksProxyConnectivityType,
};
use aws_sdk_kms::Client;
use common::*;
use kms_sim::model::Faults;
use kms_sim::model::World;

async fn connect_and_settle(
    kms: &Client,
    id: &str,
) -> aws_sdk_kms::types::CustomKeyStoresListEntry {
    connect(kms, id).await;
    settle(kms, id).await
}

#[derive(Clone, Copy)]
enum Kind {
    CloudHsm,
    Xks,
}

/// Creates a store while the world is healthy, breaks the world, connects: FAILED with `expected`.
async fn connect_fails_with(kind: Kind, expected: Code, break_it: impl FnOnce(&mut World)) {
    let sim = start().await;
    let kms = client(&sim);
    let id = match kind {
        Kind::CloudHsm => create_cloudhsm(&kms, "hsm").await,
        Kind::Xks => create_xks(&kms, "xks").created().await,
    };
    change_world(&sim, break_it).await;
    let s = connect_and_settle(&kms, &id).await;
    assert_eq!(
        s.connection_state(),
        Some(&ConnectionStateType::Failed),
        "{expected:?}"
    );
    assert_eq!(s.connection_error_code(), Some(&expected));
}

async fn cloudhsm_connect_fails_with(expected: Code, break_it: impl FnOnce(&mut World)) {
    connect_fails_with(Kind::CloudHsm, expected, break_it).await
}

async fn xks_connect_fails_with(expected: Code, break_it: impl FnOnce(&mut World)) {
    connect_fails_with(Kind::Xks, expected, break_it).await
}

#[tokio::test]
async fn cloudhsm_connection_error_codes() {
    cloudhsm_connect_fails_with(Code::ClusterNotFound, |w| w.clusters.clear()).await;
    cloudhsm_connect_fails_with(Code::InsufficientCloudhsmHsms, |w| {
        w.clusters[0].hsms.iter_mut().for_each(|h| h.active = false)
    })
    .await;
    cloudhsm_connect_fails_with(Code::UserNotFound, |w| w.clusters[0].kmsuser = None).await;
    cloudhsm_connect_fails_with(Code::UserLockedOut, |w| {
        w.clusters[0].kmsuser.as_mut().unwrap().locked_out = true
    })
    .await;
    cloudhsm_connect_fails_with(Code::UserLoggedIn, |w| {
        w.clusters[0].kmsuser.as_mut().unwrap().logged_in = true
    })
    .await;
    cloudhsm_connect_fails_with(Code::InvalidCredentials, |w| {
        w.clusters[0].kmsuser.as_mut().unwrap().password = "changed-pw".into()
    })
    .await;
    cloudhsm_connect_fails_with(Code::SubnetNotFound, |w| {
        w.clusters[0].subnet_missing = true
    })
    .await;
    cloudhsm_connect_fails_with(Code::InsufficientFreeAddressesInSubnet, |w| {
        w.clusters[0].subnet_full = true
    })
    .await;
    cloudhsm_connect_fails_with(Code::NetworkErrors, |w| w.clusters[0].network_errors = true).await;
    cloudhsm_connect_fails_with(Code::InternalError, |w| w.clusters[0].internal_error = true).await;
}

fn faults(w: &mut World, f: Faults) {
    w.xks_proxies[0].faults = f;
}

#[tokio::test]
async fn xks_connection_error_codes() {
    xks_connect_fails_with(Code::XksProxyNotReachable, |w| {
        faults(
            w,
            Faults {
                unreachable: true,
                ..Faults::default()
            },
        )
    })
    .await;
    xks_connect_fails_with(Code::XksProxyNotReachable, |w| {
        faults(
            w,
            Faults {
                ekms_unavailable: true,
                ..Faults::default()
            },
        )
    })
    .await;
    xks_connect_fails_with(Code::XksProxyTimedOut, |w| {
        faults(
            w,
            Faults {
                delay_ms: 600,
                ..Faults::default()
            },
        )
    })
    .await;
    xks_connect_fails_with(Code::XksProxyInvalidResponse, |w| {
        faults(
            w,
            Faults {
                invalid_response: true,
                ..Faults::default()
            },
        )
    })
    .await;
    xks_connect_fails_with(Code::XksProxyInvalidTlsConfiguration, |w| {
        faults(
            w,
            Faults {
                wrong_certificate: true,
                ..Faults::default()
            },
        )
    })
    .await;
    // The proxy rotated to a new access key: the old one no longer authenticates (the spec:
    // 401 AuthenticationFailedException, which KMS reads as INVALID_CREDENTIALS).
    xks_connect_fails_with(Code::InvalidCredentials, |w| {
        w.xks_proxies[0].credentials[0].access_key_id = "ROTATEDXKSACCESSKEYB".into()
    })
    .await;
    // Same access key, another secret: the signature does not verify.
    xks_connect_fails_with(Code::InvalidCredentials, |w| {
        w.xks_proxies[0].credentials[0].raw_secret_access_key =
            "b3RoZXItc2VjcmV0LWZvci1rbXMtc2ltLXRlc3RzLTAwMDE=".into()
    })
    .await;
    // The proxy no longer serves this path prefix.
    xks_connect_fails_with(Code::XksProxyInvalidConfiguration, |w| {
        w.xks_proxies[0].path_prefix = "/moved".into()
    })
    .await;
}

#[tokio::test]
async fn vpc_connection_error_codes() {
    for (expected, change) in [
        (
            Code::XksVpcEndpointServiceNotFound,
            (|w: &mut World| w.vpc_endpoint_services.clear()) as fn(&mut World),
        ),
        (
            Code::XksVpcEndpointServiceInvalidConfiguration,
            |w: &mut World| w.vpc_endpoint_services[0].allows_kms_principal = false,
        ),
    ] {
        let sim = start().await;
        let kms = client(&sim);
        let id = create_vpc(
            &kms,
            "private",
            "https://vpce.xks.sim.internal",
            VPC_SERVICE,
        )
        .created()
        .await;
        change_world(&sim, change).await;
        let s = connect_and_settle(&kms, &id).await;
        assert_eq!(s.connection_error_code(), Some(&expected));
    }
}

/// A simulator without KMS's request quota, for a test that makes more than five calls of one
/// operation within a second: each call's own answer is what it checks (`request_quotas.rs`
/// tests the quota), and the sixth would otherwise be throttled, or not, by the clock.
async fn start_unthrottled(mut config: kms_sim::SimConfig) -> kms_sim::Running {
    config.request_quota = 0;
    kms_sim::start(config).await.expect("kms-sim starts")
}

#[tokio::test]
async fn create_exceptions_for_cloudhsm() {
    let sim = start_unthrottled(config()).await;
    let kms = client(&sim);
    change_world(&sim, |w| {
        let mut inactive = cluster("cluster-inactivecluster", CA);
        inactive.active = false;
        let mut one_hsm = cluster("cluster-onehsmcluster", CA);
        one_hsm.hsms.truncate(1);
        w.clusters.extend([
            inactive,
            one_hsm,
            cluster(
                "cluster-otheranchorsss",
                "-----BEGIN CERTIFICATE-----\nother\n-----END CERTIFICATE-----",
            ),
        ]);
    })
    .await;
    create_cloudhsm(&kms, "first").await;
    let attempt = |name: &'static str, cluster: &'static str| {
        kms.create_custom_key_store()
            .custom_key_store_name(name)
            .cloud_hsm_cluster_id(cluster)
            .trust_anchor_certificate(CA)
            .key_store_password(KMSUSER_PASSWORD)
            .send()
    };
    assert_eq!(
        code(
            &attempt("first", "cluster-inactivecluster")
                .await
                .unwrap_err()
        ),
        "CustomKeyStoreNameInUseException"
    );
    assert_eq!(
        code(&attempt("second", CLUSTER).await.unwrap_err()),
        "CloudHsmClusterInUseException"
    );
    assert_eq!(
        code(
            &attempt("second", "cluster-nosuchcluster")
                .await
                .unwrap_err()
        ),
        "CloudHsmClusterNotFoundException"
    );
    assert_eq!(
        code(
            &attempt("second", "cluster-inactivecluster")
                .await
                .unwrap_err()
        ),
        "CloudHsmClusterNotActiveException"
    );
    assert_eq!(
        code(
            &attempt("second", "cluster-otheranchorsss")
                .await
                .unwrap_err()
        ),
        "IncorrectTrustAnchorException"
    );
    assert_eq!(
        code(
            &attempt("second", "cluster-onehsmcluster")
                .await
                .unwrap_err()
        ),
        "CloudHsmClusterInvalidConfigurationException"
    );
}

#[tokio::test]
async fn create_exceptions_for_xks() {
    let sim = start_unthrottled(config()).await;
    let kms = client(&sim);
    create_xks(&kms, "first").send().await.unwrap();
    let e = create_xks(&kms, "second").send().await.unwrap_err();
    assert_eq!(code(&e), "XksProxyUriInUseException");
    let wrong_secret = create_xks(&kms, "second")
        .xks_proxy_uri_path("/team2/kms/xks/v1")
        .send()
        .await
        .unwrap_err();
    // No logical store at /team2: the proxy answers InvalidUriPathException.
    assert_eq!(code(&wrong_secret), "XksProxyInvalidConfigurationException");
    change_world(&sim, |w| w.xks_proxies.push(proxy(PROXY_HOST, "/team2"))).await;
    let e = create_xks(&kms, "second")
        .xks_proxy_uri_path("/team2/kms/xks/v1")
        .xks_proxy_authentication_credential(xks_credential(
            AKID,
            "d3Jvbmctc2VjcmV0LWZvci1rbXMtc2ltLXRlc3RzLTAwMDE=",
        ))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&e),
        "XksProxyIncorrectAuthenticationCredentialException"
    );
    change_world(&sim, |w| w.xks_proxies[2].faults.ekms_unavailable = true).await;
    let e = create_xks(&kms, "second")
        .xks_proxy_uri_path("/team2/kms/xks/v1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "XksProxyUriUnreachableException");
    change_world(&sim, |w| {
        w.xks_proxies[2].faults = Faults {
            invalid_response: true,
            ..Faults::default()
        }
    })
    .await;
    let e = create_xks(&kms, "second")
        .xks_proxy_uri_path("/team2/kms/xks/v1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "XksProxyInvalidResponseException");
    let e = create_xks(&kms, "second")
        .xks_proxy_uri_endpoint("https://nowhere.invalid")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "XksProxyUriUnreachableException");
}

#[tokio::test]
async fn create_exceptions_for_vpc_endpoint_services_and_the_quota() {
    let mut config = config();
    config.quota = 2;
    let sim = start_unthrottled(config).await;
    let kms = client(&sim);
    let vpc = |name: &'static str, endpoint: &'static str, service: &'static str| {
        create_vpc(&kms, name, endpoint, service).send()
    };
    let missing = "com.amazonaws.vpce.us-east-1.vpce-svc-0ffffffffffffffff";
    assert_eq!(
        code(
            &vpc("a", "https://vpce.xks.sim.internal", missing)
                .await
                .unwrap_err()
        ),
        "XksProxyVpcEndpointServiceNotFoundException"
    );
    change_world(&sim, |w| {
        w.vpc_endpoint_services[0].acceptance_required = true
    })
    .await;
    assert_eq!(
        code(
            &vpc("a", "https://vpce.xks.sim.internal", VPC_SERVICE)
                .await
                .unwrap_err()
        ),
        "XksProxyVpcEndpointServiceInvalidConfigurationException"
    );
    change_world(&sim, |w| {
        w.vpc_endpoint_services[0].acceptance_required = false
    })
    .await;
    vpc("a", "https://vpce.xks.sim.internal", VPC_SERVICE)
        .await
        .unwrap();
    assert_eq!(
        code(
            &vpc("b", "https://vpce.xks.sim.internal", VPC_SERVICE)
                .await
                .unwrap_err()
        ),
        "XksProxyUriInUseException"
    );
    // Another private endpoint on the same service.
    change_world(&sim, |w| {
        w.vpc_endpoint_services[0].private_dns_name = "vpce2.xks.sim.internal".into()
    })
    .await;
    assert_eq!(
        code(
            &vpc("b", "https://vpce2.xks.sim.internal", VPC_SERVICE)
                .await
                .unwrap_err()
        ),
        "XksProxyVpcEndpointServiceInUseException"
    );
    create_cloudhsm(&kms, "second").await;
    let e = create_xks(&kms, "third").send().await.unwrap_err();
    assert_eq!(code(&e), "LimitExceededException");
}

#[tokio::test]
async fn a_private_endpoint_cannot_be_shared() {
    let sim = start().await;
    let kms = client(&sim);
    change_world(&sim, |w| {
        w.xks_proxies.push(proxy("vpce.xks.sim.internal", "/b"))
    })
    .await;
    create_vpc(
        &kms,
        "private",
        "https://vpce.xks.sim.internal",
        VPC_SERVICE,
    )
    .send()
    .await
    .unwrap();
    let e = create_xks(&kms, "public")
        .xks_proxy_uri_endpoint("https://vpce.xks.sim.internal")
        .xks_proxy_uri_path("/b/kms/xks/v1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "XksProxyUriEndpointInUseException");
}

#[tokio::test]
async fn connect_disconnect_update_and_delete_exceptions() {
    let sim = start().await;
    let kms = client(&sim);
    let id = create_cloudhsm(&kms, "hsm").await;
    let missing = "cks-00000000000000000";
    assert_eq!(
        code(
            &kms.connect_custom_key_store()
                .custom_key_store_id(missing)
                .send()
                .await
                .unwrap_err()
        ),
        "CustomKeyStoreNotFoundException"
    );
    assert_eq!(
        code(
            &kms.disconnect_custom_key_store()
                .custom_key_store_id(missing)
                .send()
                .await
                .unwrap_err()
        ),
        "CustomKeyStoreNotFoundException"
    );
    assert_eq!(
        code(
            &kms.delete_custom_key_store()
                .custom_key_store_id(missing)
                .send()
                .await
                .unwrap_err()
        ),
        "CustomKeyStoreNotFoundException"
    );
    assert_eq!(
        code(
            &kms.update_custom_key_store()
                .custom_key_store_id(missing)
                .send()
                .await
                .unwrap_err()
        ),
        "CustomKeyStoreNotFoundException"
    );
    assert_eq!(
        code(
            &kms.describe_custom_key_stores()
                .custom_key_store_name("nope")
                .send()
                .await
                .unwrap_err()
        ),
        "CustomKeyStoreNotFoundException"
    );
    // Disconnect refused while DISCONNECTED.
    assert_eq!(
        code(
            &kms.disconnect_custom_key_store()
                .custom_key_store_id(&id)
                .send()
                .await
                .unwrap_err()
        ),
        "CustomKeyStoreInvalidStateException"
    );
    // Connect runs into the cluster's state.
    change_world(&sim, |w| w.clusters[0].active = false).await;
    assert_eq!(
        code(
            &kms.connect_custom_key_store()
                .custom_key_store_id(&id)
                .send()
                .await
                .unwrap_err()
        ),
        "CloudHsmClusterNotActiveException"
    );
    change_world(&sim, |w| {
        w.clusters[0].active = true;
        w.clusters[0].security_group_misconfigured = true;
    })
    .await;
    assert_eq!(
        code(
            &kms.connect_custom_key_store()
                .custom_key_store_id(&id)
                .send()
                .await
                .unwrap_err()
        ),
        "CloudHsmClusterInvalidConfigurationException"
    );
    change_world(&sim, |w| {
        w.clusters[0].security_group_misconfigured = false;
        w.clusters[0].kmsuser = None;
    })
    .await;
    // A FAILED store must be disconnected before Connect, Update or Delete.
    assert_eq!(
        connect_and_settle(&kms, &id).await.connection_state(),
        Some(&ConnectionStateType::Failed)
    );
    assert_eq!(
        code(
            &kms.connect_custom_key_store()
                .custom_key_store_id(&id)
                .send()
                .await
                .unwrap_err()
        ),
        "CustomKeyStoreInvalidStateException"
    );
    assert_eq!(
        code(
            &kms.update_custom_key_store()
                .custom_key_store_id(&id)
                .new_custom_key_store_name("x")
                .send()
                .await
                .unwrap_err()
        ),
        "CustomKeyStoreInvalidStateException"
    );
    assert_eq!(
        code(
            &kms.delete_custom_key_store()
                .custom_key_store_id(&id)
                .send()
                .await
                .unwrap_err()
        ),
        "CustomKeyStoreInvalidStateException"
    );
    disconnect(&kms, &id).await;
    settle(&kms, &id).await;
    // Update to a name in use.
    create_cloudhsm_other(&sim, &kms).await;
    assert_eq!(
        code(
            &kms.update_custom_key_store()
                .custom_key_store_id(&id)
                .new_custom_key_store_name("other")
                .send()
                .await
                .unwrap_err()
        ),
        "CustomKeyStoreNameInUseException"
    );
    // Update to a cluster that does not exist.
    assert_eq!(
        code(
            &kms.update_custom_key_store()
                .custom_key_store_id(&id)
                .cloud_hsm_cluster_id("cluster-nosuchcluster")
                .send()
                .await
                .unwrap_err()
        ),
        "CloudHsmClusterNotFoundException"
    );
    // Delete refused while the store holds KMS keys.
    sim.sim()
        .mutate(|st| {
            st.stores.iter_mut().for_each(|s| s.key_count = 2);
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(
        code(
            &kms.delete_custom_key_store()
                .custom_key_store_id(&id)
                .send()
                .await
                .unwrap_err()
        ),
        "CustomKeyStoreHasCMKsException"
    );
}

async fn create_cloudhsm_other(sim: &kms_sim::Running, kms: &Client) {
    change_world(sim, |w| {
        w.clusters.push(cluster("cluster-othercluster", CA))
    })
    .await;
    kms.create_custom_key_store()
        .custom_key_store_name("other")
        .cloud_hsm_cluster_id("cluster-othercluster")
        .trust_anchor_certificate(CA)
        .key_store_password(KMSUSER_PASSWORD)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn update_of_xks_settings_probes_the_proxy_with_the_new_values() {
    let sim = start().await;
    let kms = client(&sim);
    let id = create_xks(&kms, "xks").created().await;
    let e = kms
        .update_custom_key_store()
        .custom_key_store_id(&id)
        .xks_proxy_authentication_credential(xks_credential("UNKNOWNXKSACCESSKEYA", SECRET))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&e),
        "XksProxyIncorrectAuthenticationCredentialException"
    );
    // Nothing changed.
    assert_eq!(
        describe(&kms, &id)
            .await
            .xks_proxy_configuration()
            .unwrap()
            .access_key_id(),
        Some(AKID)
    );
    let e = kms
        .update_custom_key_store()
        .custom_key_store_id(&id)
        .xks_proxy_uri_path("/gone/kms/xks/v1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "XksProxyInvalidConfigurationException");
}

#[tokio::test]
async fn a_failure_inside_kms_is_a_500_kms_internal_exception() {
    let sim = start().await;
    let kms = client(&sim);
    change_world(&sim, |w| w.kms_internal_error = true).await;
    let (status, body) = raw(&sim, "DescribeCustomKeyStores", "{}", "test").await;
    assert_eq!(
        (status, body["__type"].as_str()),
        (500, Some("KMSInternalException"))
    );
    let e = kms
        .create_custom_key_store()
        .custom_key_store_name("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "KMSInternalException");
    change_world(&sim, |w| w.kms_internal_error = false).await;
    kms.describe_custom_key_stores().send().await.unwrap();
}

#[tokio::test]
async fn one_operation_or_one_account_and_region_can_be_made_to_fail() {
    let sim = start().await;
    let kms = client(&sim);
    change_world(&sim, |w| {
        w.failing_operations = vec!["ConnectCustomKeyStore".into()]
    })
    .await;
    kms.describe_custom_key_stores().send().await.unwrap();
    let (status, body) = raw(
        &sim,
        "ConnectCustomKeyStore",
        r#"{"CustomKeyStoreId":"cks-x"}"#,
        "test",
    )
    .await;
    assert_eq!(
        (status, body["__type"].as_str()),
        (500, Some("KMSInternalException"))
    );
    change_world(&sim, |w| {
        w.failing_operations.clear();
        w.unavailable_targets = vec!["000000000000/eu-west-1".into()];
    })
    .await;
    // us-east-1 answers; the same account in eu-west-1 does not.
    kms.describe_custom_key_stores().send().await.unwrap();
    let eu = aws_sdk_kms::Client::from_conf(
        kms.config()
            .to_builder()
            .region(aws_sdk_kms::config::Region::new("eu-west-1"))
            .build(),
    );
    let e = eu.describe_custom_key_stores().send().await.unwrap_err();
    assert_eq!(code(&e), "KMSInternalException");
}

#[tokio::test]
async fn update_runs_into_the_same_cluster_proxy_and_vpc_exceptions_as_create() {
    let sim = start().await;
    let kms = client(&sim);
    change_world(&sim, |w| {
        let mut inactive = cluster("cluster-inactiveupdate", CA);
        inactive.active = false;
        let mut one_hsm = cluster("cluster-onehsmupdatex", CA);
        one_hsm.hsms.truncate(1);
        w.clusters.extend([inactive, one_hsm]);
        w.xks_proxies.push(proxy(PROXY_HOST, "/second"));
    })
    .await;
    let hsm = create_cloudhsm(&kms, "hsm").await;
    let e = kms
        .update_custom_key_store()
        .custom_key_store_id(&hsm)
        .cloud_hsm_cluster_id("cluster-inactiveupdate")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "CloudHsmClusterNotActiveException");
    let e = kms
        .update_custom_key_store()
        .custom_key_store_id(&hsm)
        .cloud_hsm_cluster_id("cluster-onehsmupdatex")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "CloudHsmClusterInvalidConfigurationException");

    create_xks(&kms, "first").send().await.unwrap();
    let second = create_xks(&kms, "second")
        .xks_proxy_uri_path("/second/kms/xks/v1")
        .created()
        .await;
    let e = kms
        .update_custom_key_store()
        .custom_key_store_id(&second)
        .xks_proxy_uri_path("/team/kms/xks/v1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "XksProxyUriInUseException");
    let e = kms
        .update_custom_key_store()
        .custom_key_store_id(&second)
        .xks_proxy_uri_endpoint("https://nowhere.invalid")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "XksProxyUriUnreachableException");
    let e = kms
        .update_custom_key_store()
        .custom_key_store_id(&second)
        .xks_proxy_connectivity(XksProxyConnectivityType::VpcEndpointService)
        .xks_proxy_uri_endpoint("https://vpce.xks.sim.internal")
        .xks_proxy_uri_path("/kms/xks/v1")
        .xks_proxy_vpc_endpoint_service_name(
            "com.amazonaws.vpce.us-east-1.vpce-svc-0ffffffffffffffff",
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "XksProxyVpcEndpointServiceNotFoundException");
    change_world(&sim, |w| w.xks_proxies[2].faults.invalid_response = true).await;
    let e = kms
        .update_custom_key_store()
        .custom_key_store_id(&second)
        .xks_proxy_authentication_credential(xks_credential(AKID, SECRET))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "XksProxyInvalidResponseException");
}

#[tokio::test]
async fn any_host_can_be_mapped_to_a_proxy_on_this_machine() {
    // A second simulator plays a proxy running elsewhere on this machine under its own name.
    let other = start().await;
    change_world(&other, |w| {
        w.xks_proxies.push(proxy("xks.corp.example", "/corp"))
    })
    .await;
    let route: kms_sim::config::HostRoute = format!("xks.corp.example={}", other.xks_addr())
        .parse()
        .unwrap();
    let corp = |kms: &aws_sdk_kms::Client| {
        create_xks(kms, "corp")
            .xks_proxy_uri_endpoint("https://xks.corp.example")
            .xks_proxy_uri_path("/corp/kms/xks/v1")
            .send()
    };
    // Its certificate comes from another CA: not trusted until configured.
    let mut cfg = config();
    cfg.host_routes = vec![route.clone()];
    let sim = kms_sim::start(cfg.clone()).await.unwrap();
    let e = corp(&client(&sim)).await.unwrap_err();
    assert_eq!(code(&e), "XksProxyUriUnreachableException");
    assert!(
        e.as_service_error().unwrap().to_string().contains("TLS"),
        "{e:?}"
    );
    cfg.trusted_cas = vec![other.ca_pem().to_string()];
    let trusting = kms_sim::start(cfg).await.unwrap();
    corp(&client(&trusting)).await.unwrap();
}
