//! UpdateCustomKeyStore (reference §1.4 and §6): each member needs its own ConnectionState.

use super::create::check_world_and_uniqueness;
use super::{check_backing_members, check_store_id, credential, forbid_vpc_members};
use crate::error::{ErrorKind, KmsError};
use crate::model::{Backing, ConnectionState, KeyStore, XksProxyConnectivity};
use crate::probe::ProbeReason;
use crate::service::{invalid_state, Caller, Sim, State};
use crate::shapes::{BackingMembers, Empty, UpdateCustomKeyStoreRequest};
use crate::validate::{self, Violations};

/// Which state a member needs: reference §1.4. Names, XKS paths and credentials may change while
/// CONNECTED; everything else only while DISCONNECTED.
pub fn allowed_while_connected(member: &str) -> bool {
    matches!(
        member,
        "NewCustomKeyStoreName" | "XksProxyUriPath" | "XksProxyAuthenticationCredential"
    )
}

pub async fn run(
    sim: &Sim,
    caller: &Caller,
    req: UpdateCustomKeyStoreRequest,
) -> Result<Empty, KmsError> {
    validate_request(&req)?;
    let id = req.custom_key_store_id.clone().unwrap_or_default();
    // Plan against the current state, probe the proxy with the new values (outside the lock),
    // then re-plan and apply only if the plan still holds.
    let mut probed: Option<Backing> = None;
    for _ in 0..3 {
        let planned = plan(&sim.snapshot().await, caller, &id, &req)?;
        if planned.needs_probe && probed.as_ref() != Some(&planned.backing) {
            sim.require_healthy_proxy(caller, &planned.backing, ProbeReason::Update)
                .await?;
            probed = Some(planned.backing);
        }
        let applied = sim
            .mutate(|st| {
                let replanned = plan(st, caller, &id, &req)?;
                if replanned.needs_probe && probed.as_ref() != Some(&replanned.backing) {
                    return Ok(false);
                }
                let store = st.find_mut(caller, &id)?;
                store.name = replanned.name;
                store.backing = replanned.backing;
                Ok(true)
            })
            .await?;
        if applied {
            return Ok(Empty {});
        }
    }
    Err(invalid_state(format!(
        "Custom key store {id} kept changing during the update; try again."
    )))
}

fn validate_request(req: &UpdateCustomKeyStoreRequest) -> Result<(), KmsError> {
    let mut v = Violations::default();
    check_store_id(&mut v, req.custom_key_store_id.as_deref());
    v.check(
        "newCustomKeyStoreName",
        &validate::CUSTOM_KEY_STORE_NAME,
        req.new_custom_key_store_name.as_deref(),
    );

    check_backing_members(&mut v, &req.backing);
    v.into_result()
}

/// The members present in the request, by model name.
fn members(req: &UpdateCustomKeyStoreRequest) -> Vec<&'static str> {
    let name = (
        "NewCustomKeyStoreName",
        req.new_custom_key_store_name.is_some(),
    );
    std::iter::once(name)
        .chain(req.backing.present())
        .filter_map(|(m, present)| present.then_some(m))
        .collect()
}

/// What an update changes, once every rule has passed.
struct Plan {
    name: String,
    backing: Backing,
    /// XKS settings change, so the proxy must answer with the new values first.
    needs_probe: bool,
}

/// Checks every rule and works out the store's new name and backing.
fn plan(
    st: &State,
    caller: &Caller,
    id: &str,
    req: &UpdateCustomKeyStoreRequest,
) -> Result<Plan, KmsError> {
    let store = st.find(caller, id)?;
    let present = members(req);
    let is_xks = matches!(store.backing, Backing::External { .. });
    let mut v = Violations::default();
    for m in &present {
        let for_cloudhsm = matches!(*m, "KeyStorePassword" | "CloudHsmClusterId");
        let for_xks = BackingMembers::is_xks(m);
        if (for_cloudhsm && is_xks) || (for_xks && !is_xks) {
            let kind = store.backing.store_type().as_str();
            v.rule(format!(
                "{m} cannot be used with custom key store {id}, whose type is {kind}."
            ));
        }
    }
    v.into_result()?;

    let state = store.state;
    let needs_disconnected: Vec<&str> = present
        .iter()
        .copied()
        .filter(|m| !allowed_while_connected(m))
        .collect();
    match state {
        ConnectionState::Disconnected => {}
        ConnectionState::Connected if needs_disconnected.is_empty() => {}
        ConnectionState::Connected => {
            return Err(invalid_state(format!(
                "Custom key store {id} is CONNECTED. Disconnect it before changing {}.",
                needs_disconnected.join(", ")
            )))
        }
        other => {
            return Err(invalid_state(format!(
            "Custom key store {id} is {}. It must be CONNECTED or DISCONNECTED to be updated{}.",
            other.as_str(),
            if other == ConnectionState::Failed {
                "; disconnect it first"
            } else {
                ""
            }
        )))
        }
    }

    let name = req
        .new_custom_key_store_name
        .clone()
        .unwrap_or_else(|| store.name.clone());
    let backing = new_backing(store, req)?;
    if let (
        Backing::CloudHsm {
            cluster_id: old, ..
        },
        Backing::CloudHsm {
            cluster_id: new, ..
        },
    ) = (&store.backing, &backing)
    {
        if old != new {
            let before = st.world.cluster(&caller.account, &caller.region, old);
            let after = st.world.cluster(&caller.account, &caller.region, new);
            if let (Some(before), Some(after)) = (before, after) {
                if !before.is_related_to(after) {
                    return Err(KmsError::new(
                        ErrorKind::CloudHsmClusterNotRelated,
                        format!("AWS CloudHSM cluster {new} is not related to {old}: it must share its certificate or backup history."),
                    ));
                }
            }
        }
    }
    check_world_and_uniqueness(st, caller, &name, &backing, Some(id))?;
    Ok(Plan {
        name,
        backing,
        needs_probe: present.iter().any(|m| m.starts_with("Xks")),
    })
}

fn new_backing(store: &KeyStore, req: &UpdateCustomKeyStoreRequest) -> Result<Backing, KmsError> {
    match &store.backing {
        Backing::CloudHsm {
            cluster_id,
            trust_anchor_certificate,
            key_store_password,
        } => Ok(Backing::CloudHsm {
            cluster_id: req
                .backing
                .cloud_hsm_cluster_id
                .clone()
                .unwrap_or_else(|| cluster_id.clone()),
            trust_anchor_certificate: trust_anchor_certificate.clone(),
            key_store_password: req
                .backing
                .key_store_password
                .clone()
                .unwrap_or_else(|| key_store_password.clone()),
        }),
        Backing::External {
            connectivity,
            uri_endpoint,
            uri_path,
            vpc_endpoint_service_name,
            vpc_endpoint_service_owner,
            credential: old_credential,
        } => {
            let new_connectivity = req
                .backing
                .xks_proxy_connectivity
                .as_deref()
                .and_then(XksProxyConnectivity::parse)
                .unwrap_or(*connectivity);
            let mut v = Violations::default();
            if new_connectivity != *connectivity {
                // Reference §1.4: a connectivity change needs a new endpoint, and a service name for VPC.
                if req
                    .backing
                    .xks_proxy_uri_endpoint
                    .as_deref()
                    .is_none_or(|e| e == uri_endpoint)
                {
                    v.rule(format!(
                        "Value at 'xksProxyUriEndpoint' failed to satisfy constraint: Member must be a new endpoint when XksProxyConnectivity changes to {}",
                        new_connectivity.as_str()
                    ));
                }
                if new_connectivity == XksProxyConnectivity::VpcEndpointService
                    && req.backing.xks_proxy_vpc_endpoint_service_name.is_none()
                {
                    v.rule("Value null at 'xksProxyVpcEndpointServiceName' failed to satisfy constraint: Member must not be null when XksProxyConnectivity changes to VPC_ENDPOINT_SERVICE");
                }
            }
            if new_connectivity == XksProxyConnectivity::PublicEndpoint {
                forbid_vpc_members(
                    &mut v,
                    req.backing.xks_proxy_vpc_endpoint_service_name.is_some(),
                    req.backing.xks_proxy_vpc_endpoint_service_owner.is_some(),
                );
            }
            v.into_result()?;
            let vpc = new_connectivity == XksProxyConnectivity::VpcEndpointService;
            Ok(Backing::External {
                connectivity: new_connectivity,
                uri_endpoint: req
                    .backing
                    .xks_proxy_uri_endpoint
                    .clone()
                    .unwrap_or_else(|| uri_endpoint.clone()),
                uri_path: req
                    .backing
                    .xks_proxy_uri_path
                    .clone()
                    .unwrap_or_else(|| uri_path.clone()),
                vpc_endpoint_service_name: vpc
                    .then(|| {
                        req.backing
                            .xks_proxy_vpc_endpoint_service_name
                            .clone()
                            .or_else(|| vpc_endpoint_service_name.clone())
                    })
                    .flatten(),
                vpc_endpoint_service_owner: vpc
                    .then(|| {
                        req.backing
                            .xks_proxy_vpc_endpoint_service_owner
                            .clone()
                            .or_else(|| vpc_endpoint_service_owner.clone())
                    })
                    .flatten(),
                credential: req
                    .backing
                    .xks_proxy_authentication_credential
                    .as_ref()
                    .map(credential)
                    .unwrap_or_else(|| old_credential.clone()),
            })
        }
    }
}
