//! The demo data the console and `kms-sim --demo` load: stores of both types in every state that
//! matters, in two accounts and two regions, with the clusters and proxies behind them.

use crate::config::Credential;
use crate::model::{
    Backing, Cluster, ConnectionErrorCode, ConnectionState, ExternalKey, Faults, Hsm, KeyStore,
    KmsUser, ProxyStore, VpcEndpointService, World, XksCredential, XksProxyConnectivity,
};
use crate::state::State;

pub const ACCOUNT_A: &str = "000000000000";
pub const ACCOUNT_B: &str = "111122223333";
pub const US_EAST_1: &str = "us-east-1";
pub const EU_WEST_1: &str = "eu-west-1";

/// The second demo account's access key (the first is the default test/test).
pub fn credentials() -> Vec<Credential> {
    vec![Credential {
        access_key_id: "AKIADEMOSECONDACCOUNT".into(),
        secret_access_key: "demo-second-account-secret".into(),
        account_id: ACCOUNT_B.into(),
    }]
}

/// A stand-in customerCA.crt, unique per `name`.
pub fn anchor(name: &str) -> String {
    format!("-----BEGIN CERTIFICATE-----\nMIIDemoCustomerCA{name}\n-----END CERTIFICATE-----")
}

/// An active cluster with two HSMs and a kmsuser with `password`; its trust anchor is `anchor(anchor_name)`.
pub fn cluster(
    id: &str,
    account: &str,
    region: &str,
    anchor_name: &str,
    password: &str,
) -> Cluster {
    Cluster {
        id: id.into(),
        account: account.into(),
        region: region.into(),
        trust_anchor_certificate: anchor(anchor_name),
        lineage: Some(anchor_name.into()),
        active: true,
        hsms: vec![
            Hsm {
                id: format!("hsm-{}a", &id[8..14]),
                availability_zone: format!("{region}a"),
                active: true,
            },
            Hsm {
                id: format!("hsm-{}b", &id[8..14]),
                availability_zone: format!("{region}b"),
                active: true,
            },
        ],
        kmsuser: Some(KmsUser {
            password: password.into(),
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

fn credential(akid: &str, secret: &str) -> XksCredential {
    XksCredential {
        access_key_id: akid.into(),
        raw_secret_access_key: secret.into(),
    }
}

fn proxy(host: &str, prefix: &str, credentials: Vec<XksCredential>, key: &str) -> ProxyStore {
    ProxyStore {
        host: host.into(),
        path_prefix: prefix.into(),
        credentials,
        keys: vec![ExternalKey {
            id: key.into(),
            material_hex: "5a".repeat(32),
            enabled: true,
        }],
        faults: Faults::default(),
    }
}

#[allow(clippy::too_many_arguments)]
fn store(
    id: &str,
    name: &str,
    account: &str,
    region: &str,
    backing: Backing,
    state: ConnectionState,
    code: Option<ConnectionErrorCode>,
    day: i64,
) -> KeyStore {
    KeyStore {
        id: id.into(),
        name: name.into(),
        account: account.into(),
        region: region.into(),
        backing,
        state,
        error_code: code,
        // Spread over November 2026.
        created_ms: 1_793_491_200_000 + day * 86_400_000,
        key_count: 0,
        generation: 0,
    }
}

pub fn state() -> State {
    let payments = credential(
        "PAYMENTSXKSACCESSKEY",
        "cGF5bWVudHMtZGVtby1zZWNyZXQta2V5LWZvci14a3MtMDE=",
    );
    let payments_next = credential(
        "PAYMENTSXKSROTATEDKY",
        "cGF5bWVudHMtZGVtby1yb3RhdGVkLXNlY3JldC1mb3IteGtzLTI=",
    );
    let ledger_old = credential(
        "LEDGERXKSORIGINALKEY",
        "bGVkZ2VyLWRlbW8tb3JpZ2luYWwtc2VjcmV0LWZvci14a3M=",
    );
    let ledger_new = credential(
        "LEDGERXKSROTATEDKEYB",
        "bGVkZ2VyLWRlbW8tcm90YXRlZC1zZWNyZXQtZm9yLXhrcw==",
    );
    let orders = credential(
        "ORDERSXKSACCESSKEYAA",
        "b3JkZXJzLWRlbW8tc2VjcmV0LWtleS1mb3IteGtzLXByb3h5MQ==",
    );
    let mut orders_proxy = proxy(
        "proxy-d.xks.sim.internal",
        "/orders",
        vec![orders.clone()],
        "orders-key-1",
    );
    // Its authorization policy denies KMS (AccessDeniedException on every API but health).
    orders_proxy.faults.access_denied = true;
    let vpc = credential(
        "VPCEXKSPROXYACCESSKY",
        "dnBjZS1kZW1vLXNlY3JldC1rZXktZm9yLXhrcy1wcm94eTE=",
    );
    let vpc_service = "com.amazonaws.vpce.us-east-1.vpce-svc-0a1b2c3d4e5f67890";

    let mut failed_cluster = cluster(
        "cluster-eufailedhsmx",
        ACCOUNT_B,
        EU_WEST_1,
        "EuFailed",
        "kmsuser-rotated-pw",
    );
    failed_cluster.lineage = Some("EuFailed".into());
    let world = World {
        clusters: vec![
            cluster(
                "cluster-archivevault",
                ACCOUNT_A,
                US_EAST_1,
                "Archive",
                "kmsuser-archive-pw",
            ),
            cluster(
                "cluster-archivebackup",
                ACCOUNT_A,
                US_EAST_1,
                "Archive",
                "kmsuser-archive-pw",
            ),
            cluster(
                "cluster-spareunused",
                ACCOUNT_A,
                US_EAST_1,
                "Spare",
                "kmsuser-spare-pw",
            ),
            cluster(
                "cluster-euprimaryhsm",
                ACCOUNT_A,
                EU_WEST_1,
                "EuPrimary",
                "kmsuser-eu-primary",
            ),
            failed_cluster,
        ],
        vpc_endpoint_services: vec![VpcEndpointService {
            name: vpc_service.into(),
            owner: ACCOUNT_B.into(),
            region: US_EAST_1.into(),
            private_dns_name: "vpce-proxy.xks.sim.internal".into(),
            allows_kms_principal: true,
            acceptance_required: false,
            dns_verified: true,
            availability_zones: 2,
        }],
        xks_proxies: vec![
            proxy(
                "proxy-a.xks.sim.internal",
                "/payments",
                vec![payments.clone()],
                "payments-key-1",
            ),
            // The proxy team's next configuration for payments-xks (a new path prefix and a
            // new credential), and a standby proxy host serving the current one.
            proxy(
                "proxy-a.xks.sim.internal",
                "/payments-v2",
                vec![payments_next.clone()],
                "payments-key-1",
            ),
            proxy(
                "proxy-a2.xks.sim.internal",
                "/payments",
                vec![payments.clone()],
                "payments-key-1",
            ),
            proxy(
                "proxy-a2.xks.sim.internal",
                "/payments-v2",
                vec![payments_next.clone()],
                "payments-key-1",
            ),
            orders_proxy,
            // The proxy side rotated this credential; the store still has the old one.
            proxy(
                "proxy-b.xks.sim.internal",
                "/ledger",
                vec![ledger_new],
                "ledger-key-1",
            ),
            proxy(
                "vpce-proxy.xks.sim.internal",
                "",
                vec![vpc.clone()],
                "vpc-key-1",
            ),
            proxy(
                "proxy-c.xks.sim.internal",
                "/spare",
                vec![credential(
                    "SPAREXKSPROXYACCESSK",
                    "c3BhcmUtZGVtby1zZWNyZXQta2V5LWZvci14a3MtcHJveHk=",
                )],
                "spare-key-1",
            ),
        ],
        kms_internal_error: false,
        failing_operations: Vec::new(),
        unavailable_targets: Vec::new(),
    };
    let xks = |endpoint: &str, path: &str, c: &XksCredential| Backing::External {
        connectivity: XksProxyConnectivity::PublicEndpoint,
        uri_endpoint: endpoint.into(),
        uri_path: path.into(),
        vpc_endpoint_service_name: None,
        vpc_endpoint_service_owner: None,
        credential: c.clone(),
    };
    let hsm = |cluster: &str, anchor_name: &str, password: &str| Backing::CloudHsm {
        cluster_id: cluster.into(),
        trust_anchor_certificate: anchor(anchor_name),
        key_store_password: password.into(),
    };
    let mut state = State::new(world);
    state.stores = vec![
        store(
            "cks-0a1b2c3d4e5f60001",
            "payments-xks",
            ACCOUNT_A,
            US_EAST_1,
            xks(
                "https://proxy-a.xks.sim.internal",
                "/payments/kms/xks/v1",
                &payments,
            ),
            ConnectionState::Connected,
            None,
            2,
        ),
        store(
            "cks-0a1b2c3d4e5f60002",
            "ledger-xks",
            ACCOUNT_A,
            US_EAST_1,
            xks(
                "https://proxy-b.xks.sim.internal",
                "/ledger/kms/xks/v1",
                &ledger_old,
            ),
            ConnectionState::Failed,
            Some(ConnectionErrorCode::InvalidCredentials),
            5,
        ),
        store(
            "cks-0a1b2c3d4e5f60003",
            "hsm-archive",
            ACCOUNT_A,
            US_EAST_1,
            hsm("cluster-archivevault", "Archive", "kmsuser-archive-pw"),
            ConnectionState::Disconnected,
            None,
            7,
        ),
        store(
            "cks-0a1b2c3d4e5f60004",
            "hsm-eu-primary",
            ACCOUNT_A,
            EU_WEST_1,
            hsm("cluster-euprimaryhsm", "EuPrimary", "kmsuser-eu-primary"),
            ConnectionState::Connected,
            None,
            9,
        ),
        store(
            "cks-0a1b2c3d4e5f60007",
            "orders-xks",
            ACCOUNT_A,
            EU_WEST_1,
            xks(
                "https://proxy-d.xks.sim.internal",
                "/orders/kms/xks/v1",
                &orders,
            ),
            ConnectionState::Failed,
            Some(ConnectionErrorCode::XksProxyAccessDenied),
            10,
        ),
        store(
            "cks-0a1b2c3d4e5f60005",
            "private-xks",
            ACCOUNT_B,
            US_EAST_1,
            Backing::External {
                connectivity: XksProxyConnectivity::VpcEndpointService,
                uri_endpoint: "https://vpce-proxy.xks.sim.internal".into(),
                uri_path: "/kms/xks/v1".into(),
                vpc_endpoint_service_name: Some(vpc_service.into()),
                vpc_endpoint_service_owner: Some(ACCOUNT_B.into()),
                credential: vpc,
            },
            ConnectionState::Connected,
            None,
            12,
        ),
        store(
            "cks-0a1b2c3d4e5f60006",
            "hsm-eu-failed",
            ACCOUNT_B,
            EU_WEST_1,
            hsm("cluster-eufailedhsmx", "EuFailed", "kmsuser-old-password"),
            ConnectionState::Failed,
            Some(ConnectionErrorCode::InvalidCredentials),
            14,
        ),
    ];
    state
}
