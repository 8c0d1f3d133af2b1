//! KMS's enums for custom key stores, as the service model spells them. Each is converted once
//! where it enters the console (the aws-sdk-kms types at the server edge, the runs table, a form);
//! a value that a newer KMS sends and this console does not know is kept and shown as it came.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An enum of the service model: its known values, and `Unknown` for any other wire value.
macro_rules! kms_enum {
    ($(#[$doc:meta])* $name:ident : $shape:literal { $($variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $($variant,)+
            /// A value this console does not know (a newer KMS), kept as it came.
            Unknown(String),
        }

        impl $name {
            /// The service model's shape that lists these values.
            pub const SHAPE: &'static str = $shape;
            /// Every value the console knows, in the model's order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The wire value, as AWS spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Unknown(other) => other,
                }
            }

            /// Never fails: an unknown value is kept.
            pub fn parse(wire: &str) -> $name {
                match wire {
                    $($wire => $name::$variant,)+
                    other => $name::Unknown(other.to_string()),
                }
            }

            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }
        }

        impl From<String> for $name {
            fn from(wire: String) -> $name {
                $name::parse(&wire)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.as_str().to_string()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

kms_enum! {
    /// ConnectionStateType: where a store is in its connect/disconnect cycle (reference §6).
    ConnectionState: "ConnectionStateType" {
        Connected = "CONNECTED",
        Connecting = "CONNECTING",
        Failed = "FAILED",
        Disconnected = "DISCONNECTED",
        Disconnecting = "DISCONNECTING",
    }
}

kms_enum! {
    /// ConnectionErrorCodeType: why a store is FAILED (reference §2).
    ConnectionErrorCode: "ConnectionErrorCodeType" {
        InvalidCredentials = "INVALID_CREDENTIALS",
        ClusterNotFound = "CLUSTER_NOT_FOUND",
        NetworkErrors = "NETWORK_ERRORS",
        InternalError = "INTERNAL_ERROR",
        InsufficientCloudHsmHsms = "INSUFFICIENT_CLOUDHSM_HSMS",
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
}

kms_enum! {
    /// CustomKeyStoreType: what backs the store.
    CustomKeyStoreType: "CustomKeyStoreType" {
        AwsCloudHsm = "AWS_CLOUDHSM",
        ExternalKeyStore = "EXTERNAL_KEY_STORE",
    }
}

kms_enum! {
    /// XksProxyConnectivityType: how KMS reaches an external key store's proxy.
    XksProxyConnectivity: "XksProxyConnectivityType" {
        PublicEndpoint = "PUBLIC_ENDPOINT",
        VpcEndpointService = "VPC_ENDPOINT_SERVICE",
    }
}

/// The two kinds of store the field table and the catalogues know: a `CustomKeyStoreType` the
/// console can work with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StoreKind {
    CloudHsm,
    External,
}

impl StoreKind {
    pub fn store_type(self) -> CustomKeyStoreType {
        match self {
            StoreKind::CloudHsm => CustomKeyStoreType::AwsCloudHsm,
            StoreKind::External => CustomKeyStoreType::ExternalKeyStore,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StoreKind::CloudHsm => "CloudHSM",
            StoreKind::External => "External (XKS)",
        }
    }
}

impl CustomKeyStoreType {
    /// None for a type this console does not know.
    pub fn kind(&self) -> Option<StoreKind> {
        match self {
            CustomKeyStoreType::AwsCloudHsm => Some(StoreKind::CloudHsm),
            CustomKeyStoreType::ExternalKeyStore => Some(StoreKind::External),
            CustomKeyStoreType::Unknown(_) => None,
        }
    }

    /// How the list shows the type; an unknown one as KMS sent it.
    pub fn label(&self) -> &str {
        match self.kind() {
            Some(kind) => kind.label(),
            None => self.as_str(),
        }
    }
}

impl ConnectionState {
    /// CONNECTING or DISCONNECTING: KMS is moving the store, and it settles by itself.
    pub fn is_transitioning(&self) -> bool {
        matches!(
            self,
            ConnectionState::Connecting | ConnectionState::Disconnecting
        )
    }

    /// The CSS class suffix of its badge (`state-connected`); unknown states share one.
    pub fn css(&self) -> &'static str {
        match self {
            ConnectionState::Connected => "connected",
            ConnectionState::Connecting => "connecting",
            ConnectionState::Failed => "failed",
            ConnectionState::Disconnected => "disconnected",
            ConnectionState::Disconnecting => "disconnecting",
            ConnectionState::Unknown(_) => "unknown",
        }
    }
}

impl XksProxyConnectivity {
    pub fn label(&self) -> &str {
        match self {
            XksProxyConnectivity::PublicEndpoint => "public endpoint",
            XksProxyConnectivity::VpcEndpointService => "VPC endpoint service",
            XksProxyConnectivity::Unknown(other) => other,
        }
    }
}

/// The service model, for the tests that pin the tables to it (`reference/README.md`).
#[cfg(test)]
pub(crate) fn service_model() -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../reference/kms-service-model-2014-11-01.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("the service model is expected at {}: {e}", path.display()));
    serde_json::from_str(&text).expect("the service model is JSON")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model_values(shape: &str) -> Vec<String> {
        service_model()["shapes"][shape]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{shape} is an enum of the model"))
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    fn ours<T: Clone + Into<String>>(known: &[T]) -> Vec<String> {
        known.iter().cloned().map(Into::into).collect()
    }

    #[test]
    fn every_enum_knows_exactly_the_models_values() {
        assert_eq!(
            ours(ConnectionState::KNOWN),
            model_values(ConnectionState::SHAPE)
        );
        assert_eq!(
            ours(ConnectionErrorCode::KNOWN),
            model_values(ConnectionErrorCode::SHAPE)
        );
        assert_eq!(
            ours(CustomKeyStoreType::KNOWN),
            model_values(CustomKeyStoreType::SHAPE)
        );
        assert_eq!(
            ours(XksProxyConnectivity::KNOWN),
            model_values(XksProxyConnectivity::SHAPE)
        );
    }

    #[test]
    fn a_value_from_a_newer_kms_is_kept_as_it_came() {
        let state = ConnectionState::parse("HIBERNATING");
        assert_eq!(state, ConnectionState::Unknown("HIBERNATING".into()));
        assert_eq!(state.to_string(), "HIBERNATING");
        assert!(!state.is_transitioning());
        let json = serde_json::to_string(&state).unwrap();
        assert_eq!(json, "\"HIBERNATING\"");
        assert_eq!(
            serde_json::from_str::<ConnectionState>(&json).unwrap(),
            state
        );
        let kind = CustomKeyStoreType::parse("QUANTUM_VAULT");
        assert_eq!(kind.kind(), None);
        assert_eq!(kind.label(), "QUANTUM_VAULT");
    }

    #[test]
    fn known_values_travel_as_kms_spells_them() {
        for s in ConnectionState::KNOWN {
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
            assert_eq!(&serde_json::from_str::<ConnectionState>(&json).unwrap(), s);
        }
        assert_eq!(
            StoreKind::External.store_type().as_str(),
            "EXTERNAL_KEY_STORE"
        );
        assert!(ConnectionState::Connecting.is_transitioning());
        assert!(!ConnectionState::Failed.is_transitioning());
    }
}
