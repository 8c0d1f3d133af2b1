//! Request and response members of the six operations, as the model names them (reference §1-2).
//! Enum members arrive as plain strings so that a bad value gets AWS's enum ValidationException.

use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CredentialIn {
    pub access_key_id: Option<String>,
    pub raw_secret_access_key: Option<String>,
}

/// The members Create and Update share: what backs the store (reference §1.2, §1.4).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BackingMembers {
    pub cloud_hsm_cluster_id: Option<String>,
    pub key_store_password: Option<String>,
    pub xks_proxy_uri_endpoint: Option<String>,
    pub xks_proxy_uri_path: Option<String>,
    pub xks_proxy_vpc_endpoint_service_name: Option<String>,
    pub xks_proxy_vpc_endpoint_service_owner: Option<String>,
    pub xks_proxy_authentication_credential: Option<CredentialIn>,
    pub xks_proxy_connectivity: Option<String>,
}

impl BackingMembers {
    /// Each member by its model name, and whether the request has it.
    pub fn present(&self) -> [(&'static str, bool); 8] {
        [
            ("CloudHsmClusterId", self.cloud_hsm_cluster_id.is_some()),
            ("KeyStorePassword", self.key_store_password.is_some()),
            ("XksProxyUriEndpoint", self.xks_proxy_uri_endpoint.is_some()),
            ("XksProxyUriPath", self.xks_proxy_uri_path.is_some()),
            (
                "XksProxyVpcEndpointServiceName",
                self.xks_proxy_vpc_endpoint_service_name.is_some(),
            ),
            (
                "XksProxyVpcEndpointServiceOwner",
                self.xks_proxy_vpc_endpoint_service_owner.is_some(),
            ),
            (
                "XksProxyAuthenticationCredential",
                self.xks_proxy_authentication_credential.is_some(),
            ),
            (
                "XksProxyConnectivity",
                self.xks_proxy_connectivity.is_some(),
            ),
        ]
    }

    /// Whether `member` belongs to external key stores (the others to CloudHSM key stores).
    pub fn is_xks(member: &str) -> bool {
        member.starts_with("Xks")
    }
}

/// A member name as validation messages spell it: `keyStorePassword`.
pub fn camel(member: &str) -> String {
    let mut chars = member.chars();
    chars
        .next()
        .map(|first| first.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateCustomKeyStoreRequest {
    pub custom_key_store_name: Option<String>,
    pub trust_anchor_certificate: Option<String>,
    pub custom_key_store_type: Option<String>,
    #[serde(flatten)]
    pub backing: BackingMembers,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateCustomKeyStoreResponse {
    pub custom_key_store_id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeCustomKeyStoresRequest {
    pub custom_key_store_id: Option<String>,
    pub custom_key_store_name: Option<String>,
    pub limit: Option<i64>,
    pub marker: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct XksProxyConfigurationOut {
    pub connectivity: String,
    pub access_key_id: String,
    pub uri_endpoint: String,
    pub uri_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_endpoint_service_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_endpoint_service_owner: Option<String>,
}

/// CustomKeyStoresListEntry: never a password or a secret access key.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomKeyStoresListEntry {
    pub custom_key_store_id: String,
    pub custom_key_store_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_hsm_cluster_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_anchor_certificate: Option<String>,
    pub connection_state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_error_code: Option<String>,
    /// Epoch seconds, as JSON 1.1 sends timestamps.
    pub creation_date: f64,
    pub custom_key_store_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xks_proxy_configuration: Option<XksProxyConfigurationOut>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeCustomKeyStoresResponse {
    pub custom_key_stores: Vec<CustomKeyStoresListEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    pub truncated: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateCustomKeyStoreRequest {
    pub custom_key_store_id: Option<String>,
    pub new_custom_key_store_name: Option<String>,
    #[serde(flatten)]
    pub backing: BackingMembers,
}

/// Connect, Disconnect and Delete take only the id.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StoreIdRequest {
    pub custom_key_store_id: Option<String>,
}

/// The `{}` that Update, Connect, Disconnect and Delete answer with.
#[derive(Debug, Serialize)]
pub struct Empty {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_and_update_read_the_backing_members_the_same_way() {
        let body = serde_json::json!({
            "CustomKeyStoreId": "cks-1",
            "KeyStorePassword": "kmsuser-pw",
            "XksProxyAuthenticationCredential": {"AccessKeyId": "A", "RawSecretAccessKey": "B"}
        });
        let update: UpdateCustomKeyStoreRequest = serde_json::from_value(body.clone()).unwrap();
        let create: CreateCustomKeyStoreRequest = serde_json::from_value(body).unwrap();
        for present in [update.backing.present(), create.backing.present()] {
            let names: Vec<&str> = present
                .iter()
                .filter(|(_, p)| *p)
                .map(|(m, _)| *m)
                .collect();
            assert_eq!(
                names,
                ["KeyStorePassword", "XksProxyAuthenticationCredential"]
            );
        }
        assert_eq!(camel("XksProxyUriPath"), "xksProxyUriPath");
        assert!(BackingMembers::is_xks("XksProxyConnectivity"));
        assert!(!BackingMembers::is_xks("CloudHsmClusterId"));
    }
}
