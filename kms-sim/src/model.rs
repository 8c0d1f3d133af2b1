//! The custom key store domain as KMS has it (reference §1, §2), plus the simulated world behind it.

use serde::{Deserialize, Serialize};

macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $wire)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire),+
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

wire_enum!(
    /// ConnectionStateType.
    ConnectionState {
        Connected = "CONNECTED",
        Connecting = "CONNECTING",
        Failed = "FAILED",
        Disconnected = "DISCONNECTED",
        Disconnecting = "DISCONNECTING",
    }
);

wire_enum!(
    /// ConnectionErrorCodeType (reference §2).
    ConnectionErrorCode {
        InvalidCredentials = "INVALID_CREDENTIALS",
        ClusterNotFound = "CLUSTER_NOT_FOUND",
        NetworkErrors = "NETWORK_ERRORS",
        InternalError = "INTERNAL_ERROR",
        InsufficientCloudhsmHsms = "INSUFFICIENT_CLOUDHSM_HSMS",
        UserLockedOut = "USER_LOCKED_OUT",
        UserNotFound = "USER_NOT_FOUND",
        UserLoggedIn = "USER_LOGGED_IN",
        SubnetNotFound = "SUBNET_NOT_FOUND",
        InsufficientFreeAddressesInSubnet = "INSUFFICIENT_FREE_ADDRESSES_IN_SUBNET",
        XksProxyAccessDenied = "XKS_PROXY_ACCESS_DENIED",
        XksProxyNotReachable = "XKS_PROXY_NOT_REACHABLE",
        XksVpcEndpointServiceNotFound = "XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND",
        XksProxyInvalidResponse = "XKS_PROXY_INVALID_RESPONSE",
        XksProxyInvalidConfiguration = "XKS_PROXY_INVALID_CONFIGURATION",
        XksVpcEndpointServiceInvalidConfiguration = "XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION",
        XksProxyTimedOut = "XKS_PROXY_TIMED_OUT",
        XksProxyInvalidTlsConfiguration = "XKS_PROXY_INVALID_TLS_CONFIGURATION",
    }
);

wire_enum!(
    /// CustomKeyStoreType.
    CustomKeyStoreType {
        AwsCloudhsm = "AWS_CLOUDHSM",
        ExternalKeyStore = "EXTERNAL_KEY_STORE",
    }
);

wire_enum!(
    /// XksProxyConnectivityType.
    XksProxyConnectivity {
        PublicEndpoint = "PUBLIC_ENDPOINT",
        VpcEndpointService = "VPC_ENDPOINT_SERVICE",
    }
);

/// XksProxyAuthenticationCredentialType: both parts, always together.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct XksCredential {
    pub access_key_id: String,
    pub raw_secret_access_key: String,
}

impl std::fmt::Debug for XksCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XksCredential")
            .field("access_key_id", &self.access_key_id)
            .field("raw_secret_access_key", &"***")
            .finish()
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Backing {
    CloudHsm {
        cluster_id: String,
        trust_anchor_certificate: String,
        /// The kmsuser password KMS keeps; never returned by Describe.
        key_store_password: String,
    },
    External {
        connectivity: XksProxyConnectivity,
        uri_endpoint: String,
        uri_path: String,
        vpc_endpoint_service_name: Option<String>,
        vpc_endpoint_service_owner: Option<String>,
        credential: XksCredential,
    },
}

impl std::fmt::Debug for Backing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Backing::CloudHsm { cluster_id, .. } => f
                .debug_struct("CloudHsm")
                .field("cluster_id", cluster_id)
                .field("key_store_password", &"***")
                .finish_non_exhaustive(),
            Backing::External {
                connectivity,
                uri_endpoint,
                uri_path,
                credential,
                ..
            } => f
                .debug_struct("External")
                .field("connectivity", connectivity)
                .field("uri_endpoint", uri_endpoint)
                .field("uri_path", uri_path)
                .field("credential", credential)
                .finish_non_exhaustive(),
        }
    }
}

impl Backing {
    pub fn store_type(&self) -> CustomKeyStoreType {
        match self {
            Backing::CloudHsm { .. } => CustomKeyStoreType::AwsCloudhsm,
            Backing::External { .. } => CustomKeyStoreType::ExternalKeyStore,
        }
    }
}

/// One custom key store, in one account and region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyStore {
    pub id: String,
    pub name: String,
    pub account: String,
    pub region: String,
    pub backing: Backing,
    pub state: ConnectionState,
    pub error_code: Option<ConnectionErrorCode>,
    /// Epoch milliseconds.
    pub created_ms: i64,
    /// KMS keys in the store; Delete is refused while there are any.
    pub key_count: u32,
    /// Bumped at every transition, so a stale background completion does nothing.
    pub generation: u64,
}

/// A simulated CloudHSM cluster (reference §1.6 CloudHsmCluster*, §2 CloudHSM codes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cluster {
    pub id: String,
    pub account: String,
    pub region: String,
    /// The contents of customerCA.crt; Create needs the same text.
    pub trust_anchor_certificate: String,
    /// Clusters made from the same backup share a lineage and are "related".
    #[serde(default)]
    pub lineage: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default)]
    pub hsms: Vec<Hsm>,
    /// None: there is no kmsuser crypto user in the cluster.
    #[serde(default)]
    pub kmsuser: Option<KmsUser>,
    /// A subnet of the cluster was deleted.
    #[serde(default)]
    pub subnet_missing: bool,
    /// A private subnet has no free IP address.
    #[serde(default)]
    pub subnet_full: bool,
    /// The security group does not open ports 2223-2225.
    #[serde(default)]
    pub security_group_misconfigured: bool,
    /// KMS cannot reach the cluster's network (NETWORK_ERRORS at connect).
    #[serde(default)]
    pub network_errors: bool,
    /// KMS fails inside (INTERNAL_ERROR at connect).
    #[serde(default)]
    pub internal_error: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hsm {
    pub id: String,
    pub availability_zone: String,
    #[serde(default = "yes")]
    pub active: bool,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KmsUser {
    pub password: String,
    #[serde(default)]
    pub locked_out: bool,
    #[serde(default)]
    pub logged_in: bool,
}

impl std::fmt::Debug for KmsUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KmsUser")
            .field("password", &"***")
            .field("locked_out", &self.locked_out)
            .field("logged_in", &self.logged_in)
            .finish()
    }
}

impl Cluster {
    pub fn active_hsms(&self) -> impl Iterator<Item = &Hsm> {
        self.hsms.iter().filter(|h| h.active)
    }

    /// Create and Update need 2 active HSMs in 2 availability zones (reference §1.6).
    pub fn configuration_problem(&self) -> Option<String> {
        let mut zones: Vec<&str> = self
            .active_hsms()
            .map(|h| h.availability_zone.as_str())
            .collect();
        zones.sort_unstable();
        zones.dedup();
        if self.security_group_misconfigured {
            Some(format!(
                "The security group of cluster {} does not allow ports 2223-2225.",
                self.id
            ))
        } else if self.active_hsms().count() < 2 || zones.len() < 2 {
            Some(format!(
                "Cluster {} must have at least 2 active HSMs in different Availability Zones.",
                self.id
            ))
        } else {
            None
        }
    }

    pub fn is_related_to(&self, other: &Cluster) -> bool {
        self.trust_anchor_certificate == other.trust_anchor_certificate
            || (self.lineage.is_some() && self.lineage == other.lineage)
    }
}

/// A simulated VPC endpoint service for XKS proxies reached privately (reference §2 VPC checklist).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VpcEndpointService {
    pub name: String,
    /// The account that owns the service.
    pub owner: String,
    pub region: String,
    /// The private DNS name, which XKS stores use as their endpoint host.
    pub private_dns_name: String,
    #[serde(default = "yes")]
    pub allows_kms_principal: bool,
    #[serde(default)]
    pub acceptance_required: bool,
    #[serde(default = "yes")]
    pub dns_verified: bool,
    #[serde(default = "two")]
    pub availability_zones: u32,
}

fn two() -> u32 {
    2
}

impl VpcEndpointService {
    pub fn configuration_problem(&self) -> Option<String> {
        if !self.allows_kms_principal {
            Some(format!(
                "The allowed principals of {} do not include cks.kms.{}.amazonaws.com.",
                self.name, self.region
            ))
        } else if self.acceptance_required {
            Some(format!(
                "{} requires acceptance of endpoint connections.",
                self.name
            ))
        } else if !self.dns_verified {
            Some(format!(
                "The private DNS name of {} is not verified.",
                self.name
            ))
        } else if self.availability_zones < 2 {
            Some(format!(
                "The load balancer of {} must be in at least 2 Availability Zones.",
                self.name
            ))
        } else {
            None
        }
    }
}

/// Everything outside KMS that the simulator stands in for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct World {
    #[serde(default)]
    pub clusters: Vec<Cluster>,
    #[serde(default)]
    pub vpc_endpoint_services: Vec<VpcEndpointService>,
    /// Logical key stores of the XKS proxy simulator.
    #[serde(default)]
    pub xks_proxies: Vec<ProxyStore>,
    /// KMS itself fails: every operation answers KMSInternalException.
    #[serde(default)]
    pub kms_internal_error: bool,
    /// Only these operations (for example `UpdateCustomKeyStore`) answer KMSInternalException.
    #[serde(default)]
    pub failing_operations: Vec<String>,
    /// `ACCOUNT/REGION` pairs where KMS is down: every request answers KMSInternalException.
    #[serde(default)]
    pub unavailable_targets: Vec<String>,
}

impl World {
    pub fn cluster(&self, account: &str, region: &str, id: &str) -> Option<&Cluster> {
        self.clusters
            .iter()
            .find(|c| c.id == id && c.account == account && c.region == region)
    }

    pub fn vpc_service(&self, region: &str, name: &str) -> Option<&VpcEndpointService> {
        self.vpc_endpoint_services
            .iter()
            .find(|s| s.name == name && s.region == region)
    }
}

/// One logical key store of the proxy simulator: a host and a URI path prefix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProxyStore {
    /// For example `proxy-a.xks.sim.internal`.
    pub host: String,
    /// The part before `/kms/xks/v1`; empty for none.
    #[serde(default)]
    pub path_prefix: String,
    /// Accepted credentials: one, or two during a rotation.
    pub credentials: Vec<XksCredential>,
    #[serde(default)]
    pub keys: Vec<ExternalKey>,
    #[serde(default)]
    pub faults: Faults,
}

impl ProxyStore {
    pub fn uri_path(&self) -> String {
        format!("{}/kms/xks/v1", self.path_prefix)
    }
}

/// An AES-256 key in the simulated external key manager.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalKey {
    pub id: String,
    /// 32 bytes, hex.
    pub material_hex: String,
    #[serde(default = "enabled")]
    pub enabled: bool,
}

fn enabled() -> bool {
    true
}

impl std::fmt::Debug for ExternalKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExternalKey")
            .field("id", &self.id)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

/// Faults injected per logical store through the admin API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Faults {
    /// The proxy's host refuses connections.
    #[serde(default)]
    pub unreachable: bool,
    /// Every answer waits this long (beyond KMS's 250 ms timeout makes it "slow").
    #[serde(default)]
    pub delay_ms: u64,
    /// Answers with something that is not the spec's JSON.
    #[serde(default)]
    pub invalid_response: bool,
    /// GetHealthStatus reports every EKM UNAVAILABLE.
    #[serde(default)]
    pub ekms_unavailable: bool,
    /// TLS presents a certificate for another host name.
    #[serde(default)]
    pub wrong_certificate: bool,
    /// The proxy's authorization denies KMS: every API but GetHealthStatus answers
    /// AccessDeniedException (the spec's table).
    #[serde(default)]
    pub access_denied: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_their_wire_names() {
        for s in ConnectionState::ALL {
            assert_eq!(ConnectionState::parse(s.as_str()), Some(*s));
        }
        assert_eq!(ConnectionErrorCode::ALL.len(), 18);
        assert_eq!(
            serde_json::to_string(&XksProxyConnectivity::VpcEndpointService).unwrap(),
            "\"VPC_ENDPOINT_SERVICE\""
        );
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let b = Backing::External {
            connectivity: XksProxyConnectivity::PublicEndpoint,
            uri_endpoint: "https://x.example".into(),
            uri_path: "/kms/xks/v1".into(),
            vpc_endpoint_service_name: None,
            vpc_endpoint_service_owner: None,
            credential: XksCredential {
                access_key_id: "ABCDEFGHIJKLMNOPQRST".into(),
                raw_secret_access_key: "very-secret-value".into(),
            },
        };
        assert!(!format!("{b:?}").contains("very-secret-value"));
        let c = Backing::CloudHsm {
            cluster_id: "cluster-abc".into(),
            trust_anchor_certificate: "cert".into(),
            key_store_password: "kmsuser-pw".into(),
        };
        assert!(!format!("{c:?}").contains("kmsuser-pw"));
    }
}
