//! A store's non-secret settings as Describe shows them, and their fingerprint.

use super::fields::Field;
use crate::domain::kms::XksProxyConnectivity;
use crate::domain::store::StoreDetail;
use serde::{Deserialize, Serialize};

/// The non-secret settings of a store, as Describe shows them: what a run compares before each
/// change it makes, to notice someone else's change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub name: String,
    pub cluster_id: Option<String>,
    pub connectivity: Option<XksProxyConnectivity>,
    pub endpoint: Option<String>,
    pub path: Option<String>,
    pub vpc_name: Option<String>,
    pub vpc_owner: Option<String>,
    pub access_key_id: Option<String>,
}

impl Settings {
    pub fn of(d: &StoreDetail) -> Settings {
        Settings {
            name: d.row.name.clone(),
            cluster_id: d.row.cloud_hsm_cluster_id.clone(),
            connectivity: d.row.xks_connectivity.clone(),
            endpoint: d.row.xks_endpoint.clone(),
            path: d.row.xks_path.clone(),
            vpc_name: d.xks_vpc_endpoint_service_name.clone(),
            vpc_owner: d.xks_vpc_endpoint_service_owner.clone(),
            access_key_id: d.xks_access_key_id.clone(),
        }
    }

    /// A short fingerprint the form carries, so the server sees whether the store changed since.
    pub fn fingerprint(&self) -> String {
        let text = serde_json::to_string(self).unwrap_or_default();
        // FNV-1a: stable across builds and platforms, and enough to tell versions apart.
        let mut h: u64 = 0xcbf29ce484222325;
        for b in text.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100000001b3);
        }
        format!("{h:016x}")
    }

    /// What Describe shows for `field` (the access key ID for the credential); None for the
    /// kmsuser password, which KMS never returns.
    pub fn value(&self, field: Field) -> Option<&str> {
        match field {
            Field::Name => Some(&self.name),
            Field::KeyStorePassword => None,
            Field::CloudHsmClusterId => self.cluster_id.as_deref(),
            Field::Connectivity => self.connectivity.as_ref().map(XksProxyConnectivity::as_str),
            Field::UriEndpoint => self.endpoint.as_deref(),
            Field::UriPath => self.path.as_deref(),
            Field::VpcEndpointServiceName => self.vpc_name.as_deref(),
            Field::VpcEndpointServiceOwner => self.vpc_owner.as_deref(),
            Field::Credential => self.access_key_id.as_deref(),
        }
    }

    /// The first setting that differs from `other`, for "someone else changed …" messages.
    pub fn first_difference(&self, other: &Settings) -> Option<(Field, Option<String>)> {
        Field::ALL
            .into_iter()
            .find(|f| self.value(*f) != other.value(*f))
            .map(|f| (f, other.value(f).map(str::to_string)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::change::fixtures::xks;

    #[test]
    fn the_fingerprint_changes_with_any_setting_and_only_then() {
        let a = Settings::of(&xks("CONNECTED"));
        assert_eq!(a.fingerprint(), Settings::of(&xks("FAILED")).fingerprint());
        let b = Settings {
            path: Some("/other/kms/xks/v1".into()),
            ..a.clone()
        };
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_eq!(
            a.first_difference(&b),
            Some((Field::UriPath, Some("/other/kms/xks/v1".into())))
        );
        assert_eq!(a.value(Field::Connectivity), Some("PUBLIC_ENDPOINT"));
        assert_eq!(a.value(Field::KeyStorePassword), None);
    }
}
