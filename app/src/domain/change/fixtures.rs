//! Stores and forms the change tests share.

use super::checked::FieldError;
use super::form::ChangeForm;
use super::settings::Settings;
use crate::domain::kms::{ConnectionState, CustomKeyStoreType, XksProxyConnectivity};
use crate::domain::store::{StoreDetail, StoreRow};

pub(crate) const SECRET: &str = "cGF5bWVudHMtZGVtby1zZWNyZXQta2V5LWZvci14a3MtMDI=";

pub(crate) fn xks(state: &str) -> StoreDetail {
    StoreDetail {
        row: StoreRow {
            account: "000000000000".into(),
            region: "us-east-1".into(),
            id: "cks-1".into(),
            name: "payments-xks".into(),
            store_type: CustomKeyStoreType::ExternalKeyStore,
            state: ConnectionState::parse(state),
            error_code: None,
            cloud_hsm_cluster_id: None,
            xks_endpoint: Some("https://proxy-a.xks.sim.internal".into()),
            xks_path: Some("/payments/kms/xks/v1".into()),
            xks_connectivity: Some(XksProxyConnectivity::PublicEndpoint),
            created: 0,
        },
        trust_anchor_certificate: None,
        xks_access_key_id: Some("PAYMENTSXKSACCESSKEY".into()),
        xks_vpc_endpoint_service_name: None,
        xks_vpc_endpoint_service_owner: None,
    }
}

pub(crate) fn hsm(state: &str) -> StoreDetail {
    let mut d = xks(state);
    d.row.store_type = CustomKeyStoreType::AwsCloudHsm;
    d.row.cloud_hsm_cluster_id = Some("cluster-archivevault".into());
    d.row.xks_endpoint = None;
    d.row.xks_path = None;
    d.row.xks_connectivity = None;
    d.xks_access_key_id = None;
    d
}

pub(crate) fn form_of(d: &StoreDetail) -> ChangeForm {
    ChangeForm::of(&Settings::of(d))
}

pub(crate) fn inputs(errors: &[FieldError]) -> Vec<&str> {
    errors.iter().map(|e| e.input.as_str()).collect()
}
