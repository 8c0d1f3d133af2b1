//! CreateCustomKeyStore (reference §1.2).

use super::{check_backing_members, credential, forbid_vpc_members};
use crate::error::{ErrorKind, KmsError};
use crate::model::{Backing, ConnectionState, CustomKeyStoreType, KeyStore, XksProxyConnectivity};
use crate::probe::ProbeReason;
use crate::service::{new_store_id, now_ms, Caller, Sim, State};
use crate::shapes::{
    camel, BackingMembers, CreateCustomKeyStoreRequest, CreateCustomKeyStoreResponse,
};
use crate::validate::{self, Violations};

pub async fn run(
    sim: &Sim,
    caller: &Caller,
    req: CreateCustomKeyStoreRequest,
) -> Result<CreateCustomKeyStoreResponse, KmsError> {
    let (name, backing) = validate_request(&req)?;
    // With a public endpoint KMS checks the proxy before creating anything; a VPC store is checked at Connect.
    if let Backing::External {
        connectivity: XksProxyConnectivity::PublicEndpoint,
        ..
    } = &backing
    {
        sim.require_healthy_proxy(caller, &backing, ProbeReason::Create)
            .await?;
    }
    let quota = sim.config.quota;
    let id = sim
        .mutate(|st| {
            check_world_and_uniqueness(st, caller, &name, &backing, None)?;
            if st.stores_of(caller).count() >= quota {
                return Err(KmsError::new(
                    ErrorKind::LimitExceeded,
                    format!("This account already has {quota} custom key stores in {}, the most allowed.", caller.region),
                ));
            }
            let id = new_store_id();
            st.stores.push(KeyStore {
                id: id.clone(),
                name,
                account: caller.account.clone(),
                region: caller.region.clone(),
                backing,
                state: ConnectionState::Disconnected,
                error_code: None,
                created_ms: now_ms(),
                key_count: 0,
                generation: 0,
            });
            Ok(id)
        })
        .await?;
    Ok(CreateCustomKeyStoreResponse {
        custom_key_store_id: id,
    })
}

fn validate_request(req: &CreateCustomKeyStoreRequest) -> Result<(String, Backing), KmsError> {
    let mut v = Violations::default();
    v.required("customKeyStoreName", req.custom_key_store_name.is_some());
    v.check(
        "customKeyStoreName",
        &validate::CUSTOM_KEY_STORE_NAME,
        req.custom_key_store_name.as_deref(),
    );
    v.check(
        "trustAnchorCertificate",
        &validate::TRUST_ANCHOR_CERTIFICATE,
        req.trust_anchor_certificate.as_deref(),
    );
    v.enum_value(
        "customKeyStoreType",
        req.custom_key_store_type.as_deref(),
        &["AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"],
    );
    check_backing_members(&mut v, &req.backing);
    v.into_result()?;

    // Per-type requirements (reference §1.2); CustomKeyStoreType defaults to AWS_CLOUDHSM.
    let store_type = req
        .custom_key_store_type
        .as_deref()
        .and_then(CustomKeyStoreType::parse)
        .unwrap_or(CustomKeyStoreType::AwsCloudhsm);
    let mut v = Violations::default();
    let needed = |v: &mut Violations, member: &str, present: bool, kind: &str| {
        if !present {
            v.rule(format!(
                "Value null at '{member}' failed to satisfy constraint: Member must not be null when CustomKeyStoreType is {kind}"
            ));
        }
    };
    let not_allowed = |v: &mut Violations, member: &str, present: bool, kind: &str| {
        if present {
            v.rule(format!("Value at '{member}' failed to satisfy constraint: Member must be null when CustomKeyStoreType is {kind}"));
        }
    };
    let name = req.custom_key_store_name.clone().unwrap_or_default();
    let backing = match store_type {
        CustomKeyStoreType::AwsCloudhsm => {
            let kind = "AWS_CLOUDHSM";
            needed(
                &mut v,
                "cloudHsmClusterId",
                req.backing.cloud_hsm_cluster_id.is_some(),
                kind,
            );
            needed(
                &mut v,
                "trustAnchorCertificate",
                req.trust_anchor_certificate.is_some(),
                kind,
            );
            needed(
                &mut v,
                "keyStorePassword",
                req.backing.key_store_password.is_some(),
                kind,
            );
            for (member, present) in req.backing.present() {
                if BackingMembers::is_xks(member) {
                    not_allowed(&mut v, &camel(member), present, kind);
                }
            }
            v.into_result()?;
            Backing::CloudHsm {
                cluster_id: req.backing.cloud_hsm_cluster_id.clone().unwrap_or_default(),
                trust_anchor_certificate: req.trust_anchor_certificate.clone().unwrap_or_default(),
                key_store_password: req.backing.key_store_password.clone().unwrap_or_default(),
            }
        }
        CustomKeyStoreType::ExternalKeyStore => {
            let kind = "EXTERNAL_KEY_STORE";
            needed(
                &mut v,
                "xksProxyConnectivity",
                req.backing.xks_proxy_connectivity.is_some(),
                kind,
            );
            needed(
                &mut v,
                "xksProxyUriEndpoint",
                req.backing.xks_proxy_uri_endpoint.is_some(),
                kind,
            );
            needed(
                &mut v,
                "xksProxyUriPath",
                req.backing.xks_proxy_uri_path.is_some(),
                kind,
            );
            needed(
                &mut v,
                "xksProxyAuthenticationCredential",
                req.backing.xks_proxy_authentication_credential.is_some(),
                kind,
            );
            let trust_anchor = (
                "TrustAnchorCertificate",
                req.trust_anchor_certificate.is_some(),
            );
            for (member, present) in req.backing.present().into_iter().chain([trust_anchor]) {
                if !BackingMembers::is_xks(member) {
                    not_allowed(&mut v, &camel(member), present, kind);
                }
            }
            let connectivity = req
                .backing
                .xks_proxy_connectivity
                .as_deref()
                .and_then(XksProxyConnectivity::parse)
                .unwrap_or(XksProxyConnectivity::PublicEndpoint);
            let vpc = connectivity == XksProxyConnectivity::VpcEndpointService;
            if vpc && req.backing.xks_proxy_vpc_endpoint_service_name.is_none() {
                v.rule("Value null at 'xksProxyVpcEndpointServiceName' failed to satisfy constraint: Member must not be null when XksProxyConnectivity is VPC_ENDPOINT_SERVICE");
            }
            if !vpc {
                forbid_vpc_members(
                    &mut v,
                    req.backing.xks_proxy_vpc_endpoint_service_name.is_some(),
                    req.backing.xks_proxy_vpc_endpoint_service_owner.is_some(),
                );
            }
            v.into_result()?;
            Backing::External {
                connectivity,
                uri_endpoint: req
                    .backing
                    .xks_proxy_uri_endpoint
                    .clone()
                    .unwrap_or_default(),
                uri_path: req.backing.xks_proxy_uri_path.clone().unwrap_or_default(),
                vpc_endpoint_service_name: req.backing.xks_proxy_vpc_endpoint_service_name.clone(),
                vpc_endpoint_service_owner: req
                    .backing
                    .xks_proxy_vpc_endpoint_service_owner
                    .clone(),
                credential: credential(
                    req.backing
                        .xks_proxy_authentication_credential
                        .as_ref()
                        .expect("checked above"),
                ),
            }
        }
    };
    Ok((name, backing))
}

/// The checks against other stores and the simulated world that Create and Update share.
/// `exclude` is the store being updated, which may keep its own name, cluster and endpoint.
pub(crate) fn check_world_and_uniqueness(
    st: &State,
    caller: &Caller,
    name: &str,
    backing: &Backing,
    exclude: Option<&str>,
) -> Result<(), KmsError> {
    let others: Vec<&KeyStore> = st
        .stores_of(caller)
        .filter(|s| Some(s.id.as_str()) != exclude)
        .collect();
    if others.iter().any(|s| s.name == name) {
        return Err(KmsError::new(
            ErrorKind::CustomKeyStoreNameInUse,
            format!("A custom key store named {name} already exists in this account and Region."),
        ));
    }
    match backing {
        Backing::CloudHsm {
            cluster_id,
            trust_anchor_certificate,
            ..
        } => {
            let cluster = st
                .world
                .cluster(&caller.account, &caller.region, cluster_id)
                .ok_or_else(|| KmsError::new(ErrorKind::CloudHsmClusterNotFound, format!("AWS CloudHSM cluster {cluster_id} was not found in this account and Region.")))?;
            let in_use = others.iter().any(|s| {
                matches!(&s.backing, Backing::CloudHsm { cluster_id: c, .. } if c == cluster_id)
            });
            if exclude.is_none() && in_use {
                return Err(KmsError::new(
                    ErrorKind::CloudHsmClusterInUse,
                    format!("AWS CloudHSM cluster {cluster_id} is already associated with a custom key store."),
                ));
            }
            if !cluster.active {
                return Err(KmsError::new(
                    ErrorKind::CloudHsmClusterNotActive,
                    format!("AWS CloudHSM cluster {cluster_id} is not active."),
                ));
            }
            // Create checks the certificate; Update checks relatedness instead (ops/update.rs).
            if exclude.is_none()
                && cluster.trust_anchor_certificate.trim() != trust_anchor_certificate.trim()
            {
                return Err(KmsError::new(
                    ErrorKind::IncorrectTrustAnchor,
                    format!("The trust anchor certificate does not match the one of AWS CloudHSM cluster {cluster_id}."),
                ));
            }
            if let Some(problem) = cluster.configuration_problem() {
                return Err(KmsError::new(
                    ErrorKind::CloudHsmClusterInvalidConfiguration,
                    problem,
                ));
            }
        }
        Backing::External {
            connectivity,
            uri_endpoint,
            uri_path,
            vpc_endpoint_service_name,
            ..
        } => {
            let external = others.iter().filter_map(|s| match &s.backing {
                Backing::External {
                    connectivity,
                    uri_endpoint,
                    uri_path,
                    vpc_endpoint_service_name,
                    ..
                } => Some((
                    connectivity,
                    uri_endpoint,
                    uri_path,
                    vpc_endpoint_service_name,
                )),
                _ => None,
            });
            for (c, e, p, v) in external {
                if e == uri_endpoint && p == uri_path {
                    return Err(KmsError::new(
                        ErrorKind::XksProxyUriInUse,
                        format!("{uri_endpoint}{uri_path} is already used by another external key store in this Region."),
                    ));
                }
                // A private endpoint belongs to one store; public proxies tell stores apart by path.
                let private = *c == XksProxyConnectivity::VpcEndpointService
                    || *connectivity == XksProxyConnectivity::VpcEndpointService;
                if e == uri_endpoint && private {
                    return Err(KmsError::new(
                        ErrorKind::XksProxyUriEndpointInUse,
                        format!("{uri_endpoint} is already used by another external key store in this Region."),
                    ));
                }
                if v.is_some() && v == vpc_endpoint_service_name {
                    return Err(KmsError::new(
                        ErrorKind::XksProxyVpcEndpointServiceInUse,
                        format!("VPC endpoint service {} is already used by another external key store.", v.as_deref().unwrap_or_default()),
                    ));
                }
            }
            if let Some(name) = vpc_endpoint_service_name {
                let service = st.world.vpc_service(&caller.region, name).ok_or_else(|| {
                    KmsError::new(
                        ErrorKind::XksProxyVpcEndpointServiceNotFound,
                        format!("VPC endpoint service {name} was not found in {}, or KMS is not allowed to use it.", caller.region),
                    )
                })?;
                if let Some(problem) = service.configuration_problem() {
                    return Err(KmsError::new(
                        ErrorKind::XksProxyVpcEndpointServiceInvalidConfiguration,
                        problem,
                    ));
                }
                if !service.private_dns_name.is_empty()
                    && format!("https://{}", service.private_dns_name) != *uri_endpoint
                {
                    return Err(KmsError::new(
                        ErrorKind::XksProxyVpcEndpointServiceInvalidConfiguration,
                        format!("XksProxyUriEndpoint must be https:// followed by the private DNS name of {name}, {}.", service.private_dns_name),
                    ));
                }
            }
        }
    }
    Ok(())
}
