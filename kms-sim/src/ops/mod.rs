//! One module per operation, as the model's operation table lists them.

pub mod connect;
pub mod create;
pub mod delete;
pub mod describe;
pub mod disconnect;
pub mod update;

/// The operations served, as `X-Amz-Target` names them after `TrentService.`.
pub const NAMES: [&str; 6] = [
    "CreateCustomKeyStore",
    "DescribeCustomKeyStores",
    "UpdateCustomKeyStore",
    "ConnectCustomKeyStore",
    "DisconnectCustomKeyStore",
    "DeleteCustomKeyStore",
];

use crate::model::XksCredential;
use crate::shapes::{BackingMembers, CredentialIn};
use crate::validate::{self, Violations};

/// Checks the members Create and Update share, with AWS's member paths.
pub(crate) fn check_backing_members(v: &mut Violations, m: &BackingMembers) {
    v.check(
        "cloudHsmClusterId",
        &validate::CLOUD_HSM_CLUSTER_ID,
        m.cloud_hsm_cluster_id.as_deref(),
    );
    v.check(
        "keyStorePassword",
        &validate::KEY_STORE_PASSWORD,
        m.key_store_password.as_deref(),
    );
    let endpoint = m.xks_proxy_uri_endpoint.as_deref();
    let path = m.xks_proxy_uri_path.as_deref();
    let vpc_name = m.xks_proxy_vpc_endpoint_service_name.as_deref();
    let vpc_owner = m.xks_proxy_vpc_endpoint_service_owner.as_deref();
    let credential = m.xks_proxy_authentication_credential.as_ref();
    let connectivity = m.xks_proxy_connectivity.as_deref();
    v.check(
        "xksProxyUriEndpoint",
        &validate::XKS_PROXY_URI_ENDPOINT,
        endpoint,
    );
    v.check("xksProxyUriPath", &validate::XKS_PROXY_URI_PATH, path);
    v.check(
        "xksProxyVpcEndpointServiceName",
        &validate::XKS_PROXY_VPC_ENDPOINT_SERVICE_NAME,
        vpc_name,
    );
    v.check(
        "xksProxyVpcEndpointServiceOwner",
        &validate::ACCOUNT_ID,
        vpc_owner,
    );
    v.enum_value(
        "xksProxyConnectivity",
        connectivity,
        &["PUBLIC_ENDPOINT", "VPC_ENDPOINT_SERVICE"],
    );
    if let Some(c) = credential {
        v.required(
            "xksProxyAuthenticationCredential.accessKeyId",
            c.access_key_id.is_some(),
        );
        v.required(
            "xksProxyAuthenticationCredential.rawSecretAccessKey",
            c.raw_secret_access_key.is_some(),
        );
        v.check(
            "xksProxyAuthenticationCredential.accessKeyId",
            &validate::XKS_ACCESS_KEY_ID,
            c.access_key_id.as_deref(),
        );
        v.check(
            "xksProxyAuthenticationCredential.rawSecretAccessKey",
            &validate::XKS_RAW_SECRET_ACCESS_KEY,
            c.raw_secret_access_key.as_deref(),
        );
    }
}

/// With PUBLIC_ENDPOINT connectivity there is no VPC endpoint service (reference §1.2, §1.4).
pub(crate) fn forbid_vpc_members(v: &mut Violations, name_present: bool, owner_present: bool) {
    for (member, present) in [
        ("xksProxyVpcEndpointServiceName", name_present),
        ("xksProxyVpcEndpointServiceOwner", owner_present),
    ] {
        if present {
            v.rule(format!(
                "Value at '{member}' failed to satisfy constraint: Member must be null when XksProxyConnectivity is PUBLIC_ENDPOINT"
            ));
        }
    }
}

/// A credential that passed `check_backing_members`.
pub(crate) fn credential(c: &CredentialIn) -> XksCredential {
    XksCredential {
        access_key_id: c.access_key_id.clone().unwrap_or_default(),
        raw_secret_access_key: c.raw_secret_access_key.clone().unwrap_or_default(),
    }
}

pub(crate) fn check_store_id(v: &mut Violations, id: Option<&str>) {
    v.required("customKeyStoreId", id.is_some());
    v.check("customKeyStoreId", &validate::CUSTOM_KEY_STORE_ID, id);
}
