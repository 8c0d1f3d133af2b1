//! Request and response members of the six operations, as the model names them (reference §1-2).
//! Enum members arrive as plain strings so that a bad value gets AWS's enum ValidationException.

use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CredentialIn {
    pub access_key_id: Option<String>,
    pub raw_secret_access_key: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateCustomKeyStoreRequest {
    pub custom_key_store_name: Option<String>,
    pub cloud_hsm_cluster_id: Option<String>,
    pub trust_anchor_certificate: Option<String>,
    pub key_store_password: Option<String>,
    pub custom_key_store_type: Option<String>,
    pub xks_proxy_uri_endpoint: Option<String>,
    pub xks_proxy_uri_path: Option<String>,
    pub xks_proxy_vpc_endpoint_service_name: Option<String>,
    pub xks_proxy_vpc_endpoint_service_owner: Option<String>,
    pub xks_proxy_authentication_credential: Option<CredentialIn>,
    pub xks_proxy_connectivity: Option<String>,
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
    pub key_store_password: Option<String>,
    pub cloud_hsm_cluster_id: Option<String>,
    pub xks_proxy_uri_endpoint: Option<String>,
    pub xks_proxy_uri_path: Option<String>,
    pub xks_proxy_vpc_endpoint_service_name: Option<String>,
    pub xks_proxy_vpc_endpoint_service_owner: Option<String>,
    pub xks_proxy_authentication_credential: Option<CredentialIn>,
    pub xks_proxy_connectivity: Option<String>,
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
