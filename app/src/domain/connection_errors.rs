//! The one ConnectionErrorCode catalogue: for every code (reference §2; INVALID_CREDENTIALS
//! means different things for the two store types), its one-line meaning for the list, what it
//! means, what usually causes it, what to check, and the fix as console actions. The list, the
//! store page, the runs and the "Fix this store" page all read it.

use super::change::Field;
use super::kms::{ConnectionErrorCode, StoreKind};

/// One thing the operator does in the console (or, for `Outside`, in the system behind KMS).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixStep {
    /// Probe the proxy with the store's settings: DNS, TCP, TLS, HTTP, the spec's error name.
    TestConnection,
    /// Something to fix outside KMS first (the proxy, the cluster, the network).
    Outside(&'static str),
    /// Change these settings in the edit form (the run disconnects and reconnects the store).
    Edit(&'static [Field]),
    /// Upload the proxy's configuration file to fill in the path and credential.
    UploadConfigFile,
    /// A run that disconnects the store and connects it again, with no change.
    Reconnect,
    /// Wait, then try again.
    Wait(&'static str),
}

impl FixStep {
    pub fn describe(self) -> String {
        match self {
            FixStep::TestConnection => "Test the connection to the proxy with the store's settings.".into(),
            FixStep::Outside(what) => format!("Outside KMS: {what}"),
            FixStep::Edit(fields) => {
                let names: Vec<&str> = fields.iter().map(|f| f.label()).collect();
                format!(
                    "Edit the store: {}. The run disconnects the store, updates it, connects it and checks that it is CONNECTED.",
                    names.join(", ")
                )
            }
            FixStep::UploadConfigFile => "Or upload the proxy configuration file from the proxy, which fills in the path and credential.".into(),
            FixStep::Reconnect => "Reconnect when nothing in KMS needs to change: a run that disconnects the store, connects it again and checks that it is CONNECTED.".into(),
            FixStep::Wait(what) => format!("Wait: {what}"),
        }
    }
}

pub struct Remedy {
    pub code: ConnectionErrorCode,
    /// None: the same for both store types.
    pub kind: Option<StoreKind>,
    /// One line for the list and the store page.
    pub summary: &'static str,
    pub meaning: &'static str,
    pub causes: &'static [&'static str],
    pub checks: &'static [&'static str],
    pub fix: &'static [FixStep],
}

const CREDENTIAL: &[Field] = &[Field::Credential];
const ENDPOINT_PATH: &[Field] = &[Field::UriEndpoint, Field::UriPath];
const PASSWORD: &[Field] = &[Field::KeyStorePassword];
const VPC: &[Field] = &[
    Field::VpcEndpointServiceName,
    Field::VpcEndpointServiceOwner,
];

use FixStep::*;

/// Reference §2 (ConnectionErrorCode) and the developer guide's troubleshooting pages.
pub const REMEDIES: &[Remedy] = &[
    Remedy {
        code: ConnectionErrorCode::InvalidCredentials,
        kind: Some(StoreKind::CloudHsm),
        summary: "the kmsuser password is not accepted",
        meaning: "KMS cannot log in to the cluster as kmsuser: the password in the key store is not kmsuser's.",
        causes: &["The kmsuser password was changed in the cluster but not in KMS.", "The key store was created with a wrong password."],
        checks: &["Log in to the cluster with cloudhsm_mgmt_util as kmsuser with the password you expect."],
        fix: &[Outside("make sure you know kmsuser's current password in the cluster."), Edit(PASSWORD)],
    },
    Remedy {
        code: ConnectionErrorCode::InvalidCredentials,
        kind: Some(StoreKind::External),
        summary: "the proxy does not accept the credential",
        meaning: "The proxy rejected the signature of KMS's request: the store's credential (access key ID or secret access key) is not one the proxy accepts.",
        causes: &["The credential was rotated on the proxy but not in KMS.", "The secret access key was mistyped."],
        checks: &["Compare the access key ID with the proxy's configuration.", "Test the connection with the secret you believe is right."],
        fix: &[TestConnection, Edit(CREDENTIAL), UploadConfigFile],
    },
    Remedy {
        code: ConnectionErrorCode::ClusterNotFound,
        kind: Some(StoreKind::CloudHsm),
        summary: "no CloudHSM cluster with this ID",
        meaning: "KMS cannot find the CloudHSM cluster of this key store.",
        causes: &["The cluster was deleted.", "The cluster is in another account or Region."],
        checks: &["Look for the cluster ID in the CloudHSM console."],
        fix: &[Outside("restore the cluster from a backup, or pick a related cluster."), Edit(&[Field::CloudHsmClusterId])],
    },
    Remedy {
        code: ConnectionErrorCode::NetworkErrors,
        kind: Some(StoreKind::CloudHsm),
        summary: "network errors reach the backing store",
        meaning: "Network errors keep KMS from reaching the cluster.",
        causes: &["The cluster's security group does not allow ports 2223-2225.", "A route or network ACL blocks the cluster's subnets."],
        checks: &["Check the security group and the subnets' routes and ACLs."],
        fix: &[Outside("open ports 2223-2225 to the cluster and fix the routes."), Reconnect],
    },
    Remedy {
        code: ConnectionErrorCode::InternalError,
        kind: None,
        summary: "KMS internal error; retry",
        meaning: "KMS could not finish the request because of an internal error.",
        causes: &["A transient failure inside KMS."],
        checks: &["Check the AWS Health Dashboard for KMS in this Region."],
        fix: &[Wait("a few minutes."), Reconnect],
    },
    Remedy {
        code: ConnectionErrorCode::InsufficientCloudHsmHsms,
        kind: Some(StoreKind::CloudHsm),
        summary: "the cluster has no active HSM",
        meaning: "The cluster has no active HSM, so KMS cannot connect.",
        causes: &["HSMs were deleted or failed."],
        checks: &["Count the active HSMs of the cluster in the CloudHSM console; KMS needs at least one (two in two Availability Zones to create or update)."],
        fix: &[Outside("add HSMs to the cluster, in two Availability Zones."), Reconnect],
    },
    Remedy {
        code: ConnectionErrorCode::InsufficientFreeAddressesInSubnet,
        kind: Some(StoreKind::CloudHsm),
        summary: "a cluster subnet has no free IP address",
        meaning: "A private subnet of the cluster has no free IP address for KMS's network interface.",
        causes: &["The subnet is full."],
        checks: &["Look at the free addresses of each of the cluster's subnets."],
        fix: &[Outside("free addresses in the subnet, or use a cluster with larger subnets."), Reconnect],
    },
    Remedy {
        code: ConnectionErrorCode::SubnetNotFound,
        kind: Some(StoreKind::CloudHsm),
        summary: "a cluster subnet was deleted",
        meaning: "A subnet of the cluster's configuration was deleted.",
        causes: &["Someone deleted a subnet the cluster uses."],
        checks: &["Compare the cluster's subnet IDs with the VPC's subnets."],
        fix: &[Outside("create an HSM in a subnet that exists, then remove the HSMs of the deleted subnet."), Reconnect],
    },
    Remedy {
        code: ConnectionErrorCode::UserLockedOut,
        kind: Some(StoreKind::CloudHsm),
        summary: "kmsuser is locked out",
        meaning: "kmsuser is locked out of the cluster after too many wrong passwords.",
        causes: &["A wrong password was tried too often, by KMS or by a person."],
        checks: &["List the cluster's users and their lockout state with cloudhsm_mgmt_util."],
        fix: &[
            Outside("unlock kmsuser in the cluster; resetting its password unlocks it."),
            Edit(PASSWORD),
            Reconnect,
        ],
    },
    Remedy {
        code: ConnectionErrorCode::UserLoggedIn,
        kind: Some(StoreKind::CloudHsm),
        summary: "kmsuser is logged in",
        meaning: "kmsuser is logged in to the cluster by someone else, so KMS cannot log in.",
        causes: &["A person logged in as kmsuser (for example to rotate its password) and stayed."],
        checks: &["Look for open kmsuser sessions with cloudhsm_mgmt_util."],
        fix: &[Outside("log kmsuser out of every HSM in the cluster."), Reconnect],
    },
    Remedy {
        code: ConnectionErrorCode::UserNotFound,
        kind: Some(StoreKind::CloudHsm),
        summary: "there is no kmsuser in the cluster",
        meaning: "There is no kmsuser crypto user in the cluster.",
        causes: &["kmsuser was never created, or was deleted."],
        checks: &["List the cluster's crypto users with cloudhsm_mgmt_util."],
        fix: &[Outside("create the crypto user kmsuser in the cluster."), Edit(PASSWORD)],
    },
    Remedy {
        code: ConnectionErrorCode::XksProxyAccessDenied,
        kind: Some(StoreKind::External),
        summary: "the proxy's authorization denies KMS",
        meaning: "The proxy authenticated KMS, but its authorization denies KMS's requests.",
        causes: &["The proxy's authorization policy (for example an OPA policy) does not allow KMS, this key store or these operations.", "An external key is restricted to other principals."],
        checks: &["Read the proxy's log: it records the policy statement that denied the request.", "Test the connection: GetHealthStatus is never denied, so a healthy probe beside this code points at the authorization policy, not the credential."],
        fix: &[Outside("change the proxy's authorization policy so that it lets KMS in for this key store."), TestConnection, Reconnect],
    },
    Remedy {
        code: ConnectionErrorCode::XksProxyInvalidConfiguration,
        kind: Some(StoreKind::External),
        summary: "the proxy configuration is wrong; check the URI path",
        meaning: "The proxy does not serve the store's URI path.",
        causes: &["The path prefix changed on the proxy.", "A typing error in the path."],
        checks: &["Test the connection: InvalidUriPathException means the path is wrong."],
        fix: &[TestConnection, Edit(&[Field::UriPath]), UploadConfigFile],
    },
    Remedy {
        code: ConnectionErrorCode::XksProxyInvalidResponse,
        kind: Some(StoreKind::External),
        summary: "the proxy's answer cannot be read",
        meaning: "KMS could not read the proxy's answer.",
        causes: &["Something that is not an XKS proxy answers at the endpoint (for example a load balancer with a TCP listener).", "The proxy has a bug or an internal error."],
        checks: &["Test the connection and read the HTTP status and body the probe saw.", "A TLS listener is required in front of the proxy."],
        fix: &[TestConnection, Outside("put a TLS listener in front of the proxy and check its logs."), Edit(ENDPOINT_PATH)],
    },
    Remedy {
        code: ConnectionErrorCode::XksProxyInvalidTlsConfiguration,
        kind: Some(StoreKind::External),
        summary: "the proxy's TLS setup is not valid",
        meaning: "The proxy's TLS setup is not valid for KMS.",
        causes: &["The certificate is for another host name, expired, or not from a trusted public CA.", "TLS older than 1.2."],
        checks: &["Test the connection: the TLS layer shows the handshake error."],
        fix: &[TestConnection, Outside("install a certificate for the endpoint's host name from a trusted CA."), Reconnect],
    },
    Remedy {
        code: ConnectionErrorCode::XksProxyNotReachable,
        kind: Some(StoreKind::External),
        summary: "the proxy cannot be reached",
        meaning: "KMS cannot reach the proxy, or the proxy reports every external key manager unavailable.",
        causes: &["DNS, routing or a firewall blocks the endpoint.", "The proxy is down.", "Every EKM behind the proxy is UNAVAILABLE."],
        checks: &["Test the connection: see which layer fails (DNS, TCP, TLS, HTTP) and the EKMs' health."],
        fix: &[TestConnection, Outside("bring the proxy and its key managers back."), Edit(ENDPOINT_PATH), Reconnect],
    },
    Remedy {
        code: ConnectionErrorCode::XksProxyTimedOut,
        kind: Some(StoreKind::External),
        summary: "the proxy did not answer in time",
        meaning: "The proxy did not answer within KMS's 250 ms timeout.",
        causes: &["The proxy or its key manager is overloaded or far away.", "The proxy is throttling."],
        checks: &["Test the connection and read each layer's latency."],
        fix: &[TestConnection, Outside("bring the proxy's latency under 250 ms (35 ms round trip is recommended)."), Reconnect],
    },
    Remedy {
        code: ConnectionErrorCode::XksVpcEndpointServiceInvalidConfiguration,
        kind: Some(StoreKind::External),
        summary: "the VPC endpoint service is misconfigured",
        meaning: "The VPC endpoint service is not set up the way KMS needs it.",
        causes: &["KMS is not an allowed principal.", "Acceptance is required.", "The private DNS name is not verified.", "The load balancer is in fewer than two Availability Zones."],
        checks: &["Check the service's allowed principals, acceptance setting, private DNS verification and zones."],
        fix: &[Outside("allow cks.kms.<region>.amazonaws.com, turn off acceptance, verify the private DNS name, use two Availability Zones."), Reconnect],
    },
    Remedy {
        code: ConnectionErrorCode::XksVpcEndpointServiceNotFound,
        kind: Some(StoreKind::External),
        summary: "the VPC endpoint service was not found",
        meaning: "KMS cannot find the store's VPC endpoint service.",
        causes: &["The service was deleted, or its name or owner is wrong."],
        checks: &["Look for the service name in the VPC console of the owner account."],
        fix: &[Outside("create the VPC endpoint service, or find its current name."), Edit(VPC)],
    },
];

/// The remedy for a store's ConnectionErrorCode; None for a code of the other store type, or
/// one this console does not know.
pub fn remedy(code: &ConnectionErrorCode, kind: StoreKind) -> Option<&'static Remedy> {
    REMEDIES
        .iter()
        .find(|r| &r.code == code && r.kind.is_none_or(|k| k == kind))
}

/// The code's one-line meaning, for the store's type when it is known.
pub fn summary(code: &ConnectionErrorCode, kind: Option<StoreKind>) -> &'static str {
    REMEDIES
        .iter()
        .filter(|r| &r.code == code)
        .find(|r| kind.is_none() || r.kind.is_none() || r.kind == kind)
        .map_or("an error code this console does not know", |r| r.summary)
}

/// The fields the fix asks the operator to edit, if any.
pub fn fields_to_edit(r: &Remedy) -> Vec<Field> {
    r.fix
        .iter()
        .filter_map(|s| match s {
            FixStep::Edit(f) => Some(f.to_vec()),
            _ => None,
        })
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_connection_error_code_of_the_model_has_a_remedy_for_each_store_type_it_occurs_with() {
        let model = crate::domain::kms::service_model();
        let codes = model["shapes"]["ConnectionErrorCodeType"]["enum"]
            .as_array()
            .unwrap();
        assert_eq!(codes.len(), 18);
        for code in codes {
            let code = &ConnectionErrorCode::parse(code.as_str().unwrap());
            assert!(code.is_known(), "{code}");
            let for_hsm = remedy(code, StoreKind::CloudHsm);
            let for_xks = remedy(code, StoreKind::External);
            assert!(
                for_hsm.is_some() || for_xks.is_some(),
                "{code} has no remedy"
            );
            for r in [for_hsm, for_xks].into_iter().flatten() {
                assert!(
                    !r.meaning.is_empty()
                        && !r.summary.is_empty()
                        && !r.causes.is_empty()
                        && !r.checks.is_empty()
                        && !r.fix.is_empty(),
                    "{code}"
                );
            }
        }
        // Every entry is a code of the model.
        for r in REMEDIES {
            assert!(
                codes.iter().any(|c| c == r.code.as_str()),
                "{} is not in the model",
                r.code
            );
        }
    }

    #[test]
    fn invalid_credentials_means_the_password_for_cloudhsm_and_the_credential_for_xks() {
        let code = ConnectionErrorCode::InvalidCredentials;
        let hsm = remedy(&code, StoreKind::CloudHsm).unwrap();
        let xks = remedy(&code, StoreKind::External).unwrap();
        assert_eq!(fields_to_edit(hsm), [Field::KeyStorePassword]);
        assert_eq!(fields_to_edit(xks), [Field::Credential]);
        assert!(xks.fix.contains(&FixStep::UploadConfigFile));
        // XKS codes do not apply to CloudHSM stores.
        assert!(remedy(
            &ConnectionErrorCode::XksProxyAccessDenied,
            StoreKind::CloudHsm
        )
        .is_none());
        assert!(remedy(&ConnectionErrorCode::InternalError, StoreKind::External).is_some());
        assert!(summary(&code, Some(StoreKind::CloudHsm)).contains("kmsuser password"));
        assert!(summary(&code, Some(StoreKind::External)).contains("credential"));
    }

    #[test]
    fn a_code_from_a_newer_kms_has_no_remedy_and_says_so() {
        let code = ConnectionErrorCode::parse("XKS_PROXY_ON_HOLIDAY");
        assert!(remedy(&code, StoreKind::External).is_none());
        assert_eq!(
            summary(&code, None),
            "an error code this console does not know"
        );
        for code in ConnectionErrorCode::KNOWN {
            assert_ne!(
                summary(code, None),
                "an error code this console does not know",
                "{code}"
            );
        }
    }

    #[test]
    fn the_not_reachable_fix_starts_with_a_probe_and_ends_with_a_reconnect() {
        let r = remedy(
            &ConnectionErrorCode::XksProxyNotReachable,
            StoreKind::External,
        )
        .unwrap();
        assert_eq!(r.fix.first(), Some(&FixStep::TestConnection));
        assert_eq!(r.fix.last(), Some(&FixStep::Reconnect));
    }
}
