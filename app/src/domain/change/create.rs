//! CreateCustomKeyStore (reference §1.2): the form, checked against the model's constraints
//! and the per-type rules.

use super::checked::{FieldError, FormErrors};
use super::rules;
use crate::domain::kms::{CustomKeyStoreType, StoreKind, XksProxyConnectivity};
use crate::domain::user::Secret;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateForm {
    pub name: String,
    /// AWS_CLOUDHSM or EXTERNAL_KEY_STORE.
    pub store_type: String,
    pub cluster_id: String,
    pub trust_anchor_certificate: String,
    pub password: Secret,
    pub connectivity: String,
    pub endpoint: String,
    pub path: String,
    pub vpc_name: String,
    pub vpc_owner: String,
    pub access_key_id: String,
    pub secret: Secret,
}

/// A request that passed every check; only the members of its type are set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateRequest {
    pub name: String,
    pub kind: StoreKind,
    pub cluster_id: Option<String>,
    pub trust_anchor_certificate: Option<String>,
    pub password: Option<Secret>,
    pub connectivity: Option<XksProxyConnectivity>,
    pub endpoint: Option<String>,
    pub path: Option<String>,
    pub vpc_name: Option<String>,
    pub vpc_owner: Option<String>,
    pub credential: Option<(String, Secret)>,
}

pub fn build_create(form: &CreateForm) -> Result<CreateRequest, Vec<FieldError>> {
    let mut errors = FormErrors::default();
    let t = |s: &str| s.trim().to_string();
    let name = t(&form.name);
    errors.check("name", rules::name(&name));
    let kind = CustomKeyStoreType::parse(form.store_type.trim()).kind();
    let mut req = CreateRequest {
        name,
        kind: kind.unwrap_or(StoreKind::External),
        cluster_id: None,
        trust_anchor_certificate: None,
        password: None,
        connectivity: None,
        endpoint: None,
        path: None,
        vpc_name: None,
        vpc_owner: None,
        credential: None,
    };
    match kind {
        None => errors.check(
            "store_type",
            Err("CustomKeyStoreType must be AWS_CLOUDHSM or EXTERNAL_KEY_STORE.".into()),
        ),
        Some(StoreKind::CloudHsm) => {
            let cluster = t(&form.cluster_id);
            errors.check("cluster_id", rules::cluster_id(&cluster));
            let cert = form.trust_anchor_certificate.trim().to_string();
            let n = cert.chars().count();
            if !(1..=5000).contains(&n) {
                errors.check("trust_anchor_certificate", Err(format!("TrustAnchorCertificate must be 1 to 5000 characters long (it has {n}): paste the contents of customerCA.crt.")));
            }
            errors.check(
                "password",
                rules::key_store_password(form.password.expose()),
            );
            req.cluster_id = Some(cluster);
            req.trust_anchor_certificate = Some(cert);
            req.password = Some(form.password.clone());
        }
        Some(StoreKind::External) => {
            let connectivity = t(&form.connectivity);
            errors.check("connectivity", rules::connectivity(&connectivity));
            let endpoint = t(&form.endpoint);
            errors.check("endpoint", rules::uri_endpoint(&endpoint));
            let path = t(&form.path);
            errors.check("path", rules::uri_path(&path));
            let connectivity = XksProxyConnectivity::parse(&connectivity);
            if connectivity == XksProxyConnectivity::VpcEndpointService {
                let vpc_name = t(&form.vpc_name);
                if vpc_name.is_empty() {
                    errors.check("vpc_name", Err("XksProxyVpcEndpointServiceName is required with VPC_ENDPOINT_SERVICE connectivity.".into()));
                } else {
                    errors.check("vpc_name", rules::vpc_endpoint_service_name(&vpc_name));
                }
                let owner = t(&form.vpc_owner);
                if !owner.is_empty() {
                    errors.check("vpc_owner", rules::account_id(&owner));
                    req.vpc_owner = Some(owner);
                }
                req.vpc_name = Some(vpc_name);
            }
            let akid = t(&form.access_key_id);
            errors.check("access_key_id", rules::access_key_id(&akid));
            errors.check("secret", rules::raw_secret_access_key(form.secret.expose()));
            req.connectivity = Some(connectivity);
            req.endpoint = Some(endpoint);
            req.path = Some(path);
            req.credential = Some((akid, form.secret.clone()));
        }
    }
    errors.finish(req)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::change::fixtures::inputs;

    #[test]
    fn an_xks_store_needs_connectivity_endpoint_path_and_the_whole_credential() {
        let form = CreateForm {
            name: "new-xks".into(),
            store_type: "EXTERNAL_KEY_STORE".into(),
            connectivity: "PUBLIC_ENDPOINT".into(),
            endpoint: "https://proxy-c.xks.sim.internal".into(),
            path: "/spare/kms/xks/v1".into(),
            access_key_id: "SPAREXKSPROXYACCESSK".into(),
            secret: Secret::new("c3BhcmUtZGVtby1zZWNyZXQta2V5LWZvci14a3MtcHJveHk="),
            ..CreateForm::default()
        };
        let req = build_create(&form).unwrap();
        assert_eq!(req.kind, StoreKind::External);
        assert_eq!(req.vpc_name, None);
        assert!(req.password.is_none() && req.cluster_id.is_none());
        let bad = CreateForm {
            endpoint: "http://x".into(),
            secret: Secret::default(),
            ..form
        };
        assert_eq!(
            inputs(&build_create(&bad).unwrap_err()),
            ["endpoint", "secret"]
        );
    }

    #[test]
    fn vpc_connectivity_needs_a_service_name() {
        let form = CreateForm {
            name: "private".into(),
            store_type: "EXTERNAL_KEY_STORE".into(),
            connectivity: "VPC_ENDPOINT_SERVICE".into(),
            endpoint: "https://vpce-proxy.xks.sim.internal".into(),
            path: "/kms/xks/v1".into(),
            access_key_id: "VPCEXKSPROXYACCESSKY".into(),
            secret: Secret::new("dnBjZS1kZW1vLXNlY3JldC1rZXktZm9yLXhrcy1wcm94eTE="),
            ..CreateForm::default()
        };
        assert_eq!(inputs(&build_create(&form).unwrap_err()), ["vpc_name"]);
    }

    #[test]
    fn a_cloudhsm_store_needs_cluster_certificate_and_password() {
        let form = CreateForm {
            name: "vault".into(),
            store_type: "AWS_CLOUDHSM".into(),
            ..CreateForm::default()
        };
        assert_eq!(
            inputs(&build_create(&form).unwrap_err()),
            ["cluster_id", "trust_anchor_certificate", "password"]
        );
        let typeless = CreateForm {
            name: "x".into(),
            ..CreateForm::default()
        };
        assert_eq!(
            inputs(&build_create(&typeless).unwrap_err()),
            ["store_type"]
        );
    }
}
