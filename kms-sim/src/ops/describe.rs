//! DescribeCustomKeyStores (reference §1.3, §2): pages with Limit and an opaque, signed Marker.

use crate::error::{ErrorKind, KmsError};
use crate::model::{Backing, KeyStore};
use crate::service::{not_found, Caller, Sim, State};
use crate::shapes::{
    CustomKeyStoresListEntry, DescribeCustomKeyStoresRequest, DescribeCustomKeyStoresResponse,
    XksProxyConfigurationOut,
};
use crate::validate::{self, Violations};
use base64::Engine;

/// No page size is documented; without a Limit everything up to the model's maximum comes back.
const DEFAULT_LIMIT: usize = 1000;

pub async fn run(
    sim: &Sim,
    caller: &Caller,
    req: DescribeCustomKeyStoresRequest,
) -> Result<DescribeCustomKeyStoresResponse, KmsError> {
    let mut v = Violations::default();
    v.check(
        "customKeyStoreId",
        &validate::CUSTOM_KEY_STORE_ID,
        req.custom_key_store_id.as_deref(),
    );
    v.check(
        "customKeyStoreName",
        &validate::CUSTOM_KEY_STORE_NAME,
        req.custom_key_store_name.as_deref(),
    );
    v.range("limit", req.limit, validate::LIMIT_MIN, validate::LIMIT_MAX);
    v.check("marker", &validate::MARKER, req.marker.as_deref());
    if req.custom_key_store_id.is_some() && req.custom_key_store_name.is_some() {
        v.rule("You cannot specify both CustomKeyStoreId and CustomKeyStoreName. Specify one or neither.");
    }
    v.into_result()?;

    sim.read(|st| page(st, caller, &req)).await
}

/// One page of the caller's stores, oldest first, as the request's filters and marker select.
fn page(
    st: &State,
    caller: &Caller,
    req: &DescribeCustomKeyStoresRequest,
) -> Result<DescribeCustomKeyStoresResponse, KmsError> {
    let mut stores: Vec<&KeyStore> = st.stores_of(caller).collect();
    stores.sort_by(|a, b| {
        a.created_ms
            .cmp(&b.created_ms)
            .then_with(|| a.id.cmp(&b.id))
    });
    if let Some(id) = &req.custom_key_store_id {
        stores.retain(|s| &s.id == id);
        if stores.is_empty() {
            return Err(not_found(id));
        }
    }
    if let Some(name) = &req.custom_key_store_name {
        stores.retain(|s| &s.name == name);
        if stores.is_empty() {
            return Err(KmsError::new(
                ErrorKind::CustomKeyStoreNotFound,
                format!("There is no custom key store named {name} in this account and Region."),
            ));
        }
    }
    let start = match &req.marker {
        Some(m) => open_marker(&st.marker_key, caller, m)?,
        None => 0,
    };
    let limit = req.limit.map(|l| l as usize).unwrap_or(DEFAULT_LIMIT);
    let page: Vec<CustomKeyStoresListEntry> = stores
        .iter()
        .skip(start)
        .take(limit)
        .map(|s| list_entry(s))
        .collect();
    let end = start + page.len();
    let truncated = end < stores.len();
    Ok(DescribeCustomKeyStoresResponse {
        custom_key_stores: page,
        next_marker: truncated.then(|| seal_marker(&st.marker_key, caller, end)),
        truncated,
    })
}

/// Never includes KeyStorePassword or RawSecretAccessKey.
pub fn list_entry(s: &KeyStore) -> CustomKeyStoresListEntry {
    let (cluster, anchor, xks) = match &s.backing {
        Backing::CloudHsm {
            cluster_id,
            trust_anchor_certificate,
            ..
        } => (
            Some(cluster_id.clone()),
            Some(trust_anchor_certificate.clone()),
            None,
        ),
        Backing::External {
            connectivity,
            uri_endpoint,
            uri_path,
            vpc_endpoint_service_name,
            vpc_endpoint_service_owner,
            credential,
        } => (
            None,
            None,
            Some(XksProxyConfigurationOut {
                connectivity: connectivity.as_str().to_string(),
                access_key_id: credential.access_key_id.clone(),
                uri_endpoint: uri_endpoint.clone(),
                uri_path: uri_path.clone(),
                vpc_endpoint_service_name: vpc_endpoint_service_name.clone(),
                vpc_endpoint_service_owner: vpc_endpoint_service_name.as_ref().map(|_| {
                    vpc_endpoint_service_owner
                        .clone()
                        .unwrap_or_else(|| s.account.clone())
                }),
            }),
        ),
    };
    CustomKeyStoresListEntry {
        custom_key_store_id: s.id.clone(),
        custom_key_store_name: s.name.clone(),
        cloud_hsm_cluster_id: cluster,
        trust_anchor_certificate: anchor,
        connection_state: s.state.as_str().to_string(),
        connection_error_code: s.error_code.map(|c| c.as_str().to_string()),
        creation_date: s.created_ms as f64 / 1000.0,
        custom_key_store_type: s.backing.store_type().as_str().to_string(),
        xks_proxy_configuration: xks,
    }
}

fn marker_mac(key: &str, caller: &Caller, offset: usize) -> String {
    let message = format!("{}|{}|{offset}", caller.account, caller.region);
    aws_sigv4::sign::v4::calculate_signature(key.as_bytes(), message.as_bytes())[..32].to_string()
}

fn seal_marker(key: &str, caller: &Caller, offset: usize) -> String {
    let raw = format!("{offset}.{}", marker_mac(key, caller, offset));
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

fn open_marker(key: &str, caller: &Caller, marker: &str) -> Result<usize, KmsError> {
    let invalid = || {
        KmsError::new(ErrorKind::InvalidMarker, "The request was rejected because the marker that specifies where pagination should next begin is not valid.")
    };
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(marker)
        .map_err(|_| invalid())?;
    let raw = String::from_utf8(raw).map_err(|_| invalid())?;
    let (offset, mac) = raw.split_once('.').ok_or_else(invalid)?;
    let offset: usize = offset.parse().map_err(|_| invalid())?;
    if marker_mac(key, caller, offset) != mac {
        return Err(invalid());
    }
    Ok(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_open_only_for_the_key_and_caller_that_sealed_them() {
        let me = Caller {
            account: "111111111111".into(),
            region: "us-east-1".into(),
        };
        let other = Caller {
            account: "222222222222".into(),
            region: "us-east-1".into(),
        };
        let m = seal_marker("k", &me, 7);
        assert_eq!(open_marker("k", &me, &m).unwrap(), 7);
        assert!(open_marker("k", &other, &m).is_err());
        assert!(open_marker("other-key", &me, &m).is_err());
        let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("8.0000");
        assert_eq!(
            open_marker("k", &me, &forged).unwrap_err().kind,
            ErrorKind::InvalidMarker
        );
        assert!(open_marker("k", &me, "not base64!").is_err());
    }
}
