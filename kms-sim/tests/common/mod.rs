//! Starts kms-sim in-process and talks to it with aws-sdk-kms, as any AWS client would.
#![allow(dead_code)]

use aws_sdk_kms::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_kms::types::{ConnectionStateType, CustomKeyStoresListEntry};
use aws_sdk_kms::Client;
use kms_sim::model::{Cluster, Hsm, KmsUser, VpcEndpointService, World, XksCredential};
use kms_sim::model::{Faults, ProxyStore};
use kms_sim::{Initial, Running, SimConfig};
use std::time::Duration;

pub const CA: &str = "-----BEGIN CERTIFICATE-----\nMIITestCustomerCA\n-----END CERTIFICATE-----";
pub const CLUSTER: &str = "cluster-testclusterab";
pub const KMSUSER_PASSWORD: &str = "kmsuser-password";
pub const VPC_SERVICE: &str = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0";
pub const PROXY_HOST: &str = "proxy.xks.sim.internal";
pub const AKID: &str = "TESTXKSACCESSKEYAAAA";
pub const SECRET: &str = "dGVzdC14a3Mtc2VjcmV0LWZvci1rbXMtc2ltLXRlc3RzMDE=";

pub fn cluster(id: &str, anchor: &str) -> Cluster {
    Cluster {
        id: id.into(),
        account: "000000000000".into(),
        region: "us-east-1".into(),
        trust_anchor_certificate: anchor.into(),
        lineage: None,
        active: true,
        hsms: vec![
            Hsm {
                id: "hsm-a".into(),
                availability_zone: "us-east-1a".into(),
                active: true,
            },
            Hsm {
                id: "hsm-b".into(),
                availability_zone: "us-east-1b".into(),
                active: true,
            },
        ],
        kmsuser: Some(KmsUser {
            password: KMSUSER_PASSWORD.into(),
            locked_out: false,
            logged_in: false,
        }),
        subnet_missing: false,
        subnet_full: false,
        security_group_misconfigured: false,
        network_errors: false,
        internal_error: false,
    }
}

pub fn credential() -> XksCredential {
    XksCredential {
        access_key_id: AKID.into(),
        raw_secret_access_key: SECRET.into(),
    }
}

pub fn proxy(host: &str, prefix: &str) -> ProxyStore {
    ProxyStore {
        host: host.into(),
        path_prefix: prefix.into(),
        credentials: vec![credential()],
        keys: vec![],
        faults: Faults::default(),
    }
}

/// A world with one cluster, one VPC endpoint service and one healthy proxy store.
pub fn world() -> World {
    World {
        clusters: vec![cluster(CLUSTER, CA)],
        vpc_endpoint_services: vec![VpcEndpointService {
            name: VPC_SERVICE.into(),
            owner: "000000000000".into(),
            region: "us-east-1".into(),
            private_dns_name: "vpce.xks.sim.internal".into(),
            allows_kms_principal: true,
            acceptance_required: false,
            dns_verified: true,
            availability_zones: 2,
        }],
        xks_proxies: vec![
            proxy(PROXY_HOST, "/team"),
            proxy("vpce.xks.sim.internal", ""),
        ],
        kms_internal_error: false,
        failing_operations: Vec::new(),
        unavailable_targets: Vec::new(),
    }
}

pub fn config() -> SimConfig {
    SimConfig {
        connect_duration: Duration::ZERO,
        disconnect_duration: Duration::ZERO,
        initial: Initial::Seed(world()),
        ..SimConfig::default()
    }
}

pub async fn start() -> Running {
    kms_sim::start(config()).await.expect("kms-sim starts")
}

pub fn client_with(running: &Running, region: &str, akid: &str, secret: &str) -> Client {
    let conf = aws_sdk_kms::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .credentials_provider(Credentials::new(akid, secret, None, None, "test"))
        .endpoint_url(running.kms_url())
        .timeout_config(
            aws_sdk_kms::config::timeout::TimeoutConfig::builder()
                .operation_timeout(std::time::Duration::from_secs(20))
                .build(),
        )
        .build();
    Client::from_conf(conf)
}

pub fn client(running: &Running) -> Client {
    client_with(running, "us-east-1", "test", "test")
}

/// The `__type` of a failed call, as the SDK parsed it.
pub fn code<E: aws_sdk_kms::error::ProvideErrorMetadata>(
    err: &aws_sdk_kms::error::SdkError<E>,
) -> String {
    err.as_service_error()
        .and_then(|e| e.code())
        .unwrap_or("not a service error")
        .to_string()
}

pub async fn describe(client: &Client, id: &str) -> CustomKeyStoresListEntry {
    client
        .describe_custom_key_stores()
        .custom_key_store_id(id)
        .send()
        .await
        .expect("describe")
        .custom_key_stores()[0]
        .clone()
}

/// Polls until the store leaves CONNECTING / DISCONNECTING, for up to about 15 s. It polls four
/// times a second: the simulator throttles DescribeCustomKeyStores beyond KMS's 5 requests per
/// second, and a faster poll was throttled past the SDK's retries on a CI run.
pub async fn settle(client: &Client, id: &str) -> CustomKeyStoresListEntry {
    for _ in 0..60 {
        let s = describe(client, id).await;
        match s.connection_state() {
            Some(ConnectionStateType::Connecting | ConnectionStateType::Disconnecting) => {
                tokio::time::sleep(Duration::from_millis(250)).await
            }
            _ => return s,
        }
    }
    panic!("store {id} did not settle");
}

pub async fn create_cloudhsm(client: &Client, name: &str) -> String {
    client
        .create_custom_key_store()
        .custom_key_store_name(name)
        .cloud_hsm_cluster_id(CLUSTER)
        .trust_anchor_certificate(CA)
        .key_store_password(KMSUSER_PASSWORD)
        .send()
        .await
        .expect("create CloudHSM store")
        .custom_key_store_id()
        .unwrap()
        .to_string()
}

pub fn xks_credential(
    akid: &str,
    secret: &str,
) -> aws_sdk_kms::types::XksProxyAuthenticationCredentialType {
    aws_sdk_kms::types::XksProxyAuthenticationCredentialType::builder()
        .access_key_id(akid)
        .raw_secret_access_key(secret)
        .build()
        .unwrap()
}

pub fn create_xks(
    client: &Client,
    name: &str,
) -> aws_sdk_kms::operation::create_custom_key_store::builders::CreateCustomKeyStoreFluentBuilder {
    client
        .create_custom_key_store()
        .custom_key_store_name(name)
        .custom_key_store_type(aws_sdk_kms::types::CustomKeyStoreType::ExternalKeyStore)
        .xks_proxy_connectivity(aws_sdk_kms::types::XksProxyConnectivityType::PublicEndpoint)
        .xks_proxy_uri_endpoint(format!("https://{PROXY_HOST}"))
        .xks_proxy_uri_path("/team/kms/xks/v1")
        .xks_proxy_authentication_credential(xks_credential(AKID, SECRET))
}

/// Changes the simulated world in place (what the admin API does).
pub async fn change_world(running: &Running, f: impl FnOnce(&mut World)) {
    running
        .sim()
        .mutate(|st| {
            f(&mut st.world);
            Ok(())
        })
        .await
        .unwrap();
}

/// A raw KMS request signed like the SDKs sign it, sent to the simulator's router in-process.
pub async fn raw(
    running: &Running,
    target: &str,
    body: &str,
    secret: &str,
) -> (u16, serde_json::Value) {
    let target_header = format!("TrentService.{target}");
    let headers = [
        ("host", "kms.local"),
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", target_header.as_str()),
    ];
    let signature = kms_sim::sigv4::Signer {
        access_key_id: "test",
        secret,
        region: "us-east-1",
        service: "kms",
        at: std::time::SystemTime::now(),
    }
    .headers("POST", "http://kms.local/", &headers, body.as_bytes())
    .unwrap();
    let mut req = http::Request::post("/");
    for (k, v) in headers {
        req = req.header(k, v);
    }
    for (k, v) in signature {
        req = req.header(k, v);
    }
    send_raw(
        running,
        req.body(axum::body::Body::from(body.to_string())).unwrap(),
    )
    .await
}

pub async fn send_raw(
    running: &Running,
    req: http::Request<axum::body::Body>,
) -> (u16, serde_json::Value) {
    use tower::ServiceExt;
    let res = kms_sim::wire::router(running.sim().clone())
        .oneshot(req)
        .await
        .unwrap();
    let status = res.status().as_u16();
    assert_eq!(res.headers()["content-type"], "application/x-amz-json-1.1");
    assert!(res.headers().contains_key("x-amzn-requestid"));
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

/// `builder.created().await`: sends a CreateCustomKeyStore that must succeed, and gives its id.
pub trait Created {
    fn created(self) -> impl std::future::Future<Output = String>;
}

impl Created
    for aws_sdk_kms::operation::create_custom_key_store::builders::CreateCustomKeyStoreFluentBuilder
{
    async fn created(self) -> String {
        self.send()
            .await
            .expect("create")
            .custom_key_store_id()
            .unwrap()
            .to_string()
    }
}

/// Connect, which must be accepted; the store is then CONNECTING (or settled, with zero durations).
pub async fn connect(client: &Client, id: &str) {
    client
        .connect_custom_key_store()
        .custom_key_store_id(id)
        .send()
        .await
        .expect("connect accepted");
}

pub async fn disconnect(client: &Client, id: &str) {
    client
        .disconnect_custom_key_store()
        .custom_key_store_id(id)
        .send()
        .await
        .expect("disconnect accepted");
}

/// An XKS store reached through the world's VPC endpoint service.
pub fn create_vpc(
    client: &Client,
    name: &str,
    endpoint: &str,
    service: &str,
) -> aws_sdk_kms::operation::create_custom_key_store::builders::CreateCustomKeyStoreFluentBuilder {
    client
        .create_custom_key_store()
        .custom_key_store_name(name)
        .custom_key_store_type(aws_sdk_kms::types::CustomKeyStoreType::ExternalKeyStore)
        .xks_proxy_connectivity(aws_sdk_kms::types::XksProxyConnectivityType::VpcEndpointService)
        .xks_proxy_uri_endpoint(endpoint)
        .xks_proxy_uri_path("/kms/xks/v1")
        .xks_proxy_vpc_endpoint_service_name(service)
        .xks_proxy_authentication_credential(xks_credential(AKID, SECRET))
}
