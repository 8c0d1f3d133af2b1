//! The demo control panel's faults, applied to the embedded kms-sim's world. They act on what
//! stands behind KMS (proxies, clusters), so stores notice them at their next connect.

use app::domain::demo::{DemoAction, DemoCluster, DemoProxy, DemoRegion, DemoWorld};
use app::error::AppError;
use app::ssr::DemoControl;
use kms_sim::model::XksCredential;
use kms_sim::service::Sim;
use std::sync::Arc;

pub struct SimDemo {
    pub sim: Arc<Sim>,
    /// The accounts and Regions the console reaches the simulator in.
    pub regions: Vec<app::domain::store::TargetRef>,
}

/// A proxy's answers wait this long: beyond KMS's 250 ms timeout, and the embedded simulator's 1 s.
const SLOW_MS: u64 = 1500;

fn new_credential() -> XksCredential {
    use base64::Engine;
    use rand::Rng;
    let secret =
        base64::engine::general_purpose::STANDARD.encode(rand::thread_rng().gen::<[u8; 32]>());
    XksCredential {
        access_key_id: kms_sim::config::random_chars(kms_sim::config::BASE32, 20),
        raw_secret_access_key: secret,
    }
}

fn unknown(what: &str, target: &str) -> AppError {
    AppError::NotFound(format!("The simulator has no {what} {target:?}."))
}

#[async_trait::async_trait]
impl DemoControl for SimDemo {
    async fn world(&self) -> Result<DemoWorld, AppError> {
        let world = self.sim.snapshot().await.world;
        Ok(DemoWorld {
            proxies: world
                .xks_proxies
                .iter()
                .map(|p| DemoProxy {
                    host: p.host.clone(),
                    path_prefix: p.path_prefix.clone(),
                    uri_path: p.uri_path(),
                    access_key_ids: p
                        .credentials
                        .iter()
                        .map(|c| c.access_key_id.clone())
                        .collect(),
                    down: p.faults.unreachable,
                    slow: p.faults.delay_ms > 0,
                    ekms_unavailable: p.faults.ekms_unavailable,
                    wrong_certificate: p.faults.wrong_certificate,
                    denies_kms: p.faults.access_denied,
                })
                .collect(),
            clusters: world
                .clusters
                .iter()
                .map(|c| DemoCluster {
                    id: c.id.clone(),
                    account: c.account.clone(),
                    region: c.region.clone(),
                    active_hsms: c.active_hsms().count(),
                    hsms: c.hsms.len(),
                    kmsuser_locked_out: c.kmsuser.as_ref().is_some_and(|u| u.locked_out),
                })
                .collect(),
            regions: self
                .regions
                .iter()
                .map(|t| DemoRegion {
                    account: t.account.clone(),
                    region: t.region.clone(),
                    unavailable: world
                        .unavailable_targets
                        .contains(&format!("{}/{}", t.account, t.region)),
                })
                .collect(),
        })
    }

    async fn act(&self, action: DemoAction, target: &str) -> Result<String, AppError> {
        use DemoAction::*;
        if action == Reset {
            self.sim
                .mutate(|st| {
                    *st = kms_sim::demo::state();
                    Ok(())
                })
                .await
                .map_err(|e| AppError::Internal(e.message))?;
            return Ok("The demo data is loaded again.".into());
        }
        if matches!(action, KmsDown | KmsUp) {
            if !self
                .regions
                .iter()
                .any(|t| format!("{}/{}", t.account, t.region) == target)
            {
                return Err(unknown("account and Region", target));
            }
            let down = action == KmsDown;
            let here = target.to_string();
            self.sim
                .mutate(move |st| {
                    let list = &mut st.world.unavailable_targets;
                    list.retain(|t| *t != here);
                    if down {
                        list.push(here);
                    }
                    Ok(())
                })
                .await
                .map_err(|e| AppError::Internal(e.message))?;
            return Ok(format!(
                "KMS in {} is {}.",
                target.replace('/', " "),
                if down {
                    "unavailable: every call fails with KMSInternalException"
                } else {
                    "available again"
                }
            ));
        }
        let (host, prefix) = target.split_once(' ').unwrap_or((target, ""));
        let (host, prefix, target) = (host.to_string(), prefix.to_string(), target.to_string());
        let cluster_action = matches!(
            action,
            LoseHsms | RestoreHsms | LockOutKmsuser | UnlockKmsuser
        );
        let world = self.sim.world();
        let exists = if cluster_action {
            world.clusters.iter().any(|c| c.id == target)
        } else {
            world
                .xks_proxies
                .iter()
                .any(|p| p.host == host && p.path_prefix == prefix)
        };
        if !exists {
            return Err(unknown(
                if cluster_action { "cluster" } else { "proxy" },
                &target,
            ));
        }
        let message = self
            .sim
            .mutate(move |st| {
                let w = &mut st.world;
                let proxy = w
                    .xks_proxies
                    .iter_mut()
                    .find(|p| p.host == host && p.path_prefix == prefix);
                if cluster_action {
                    let c = w.clusters.iter_mut().find(|c| c.id == target).ok_or_else(|| {
                        kms_sim::service::internal(format!("no cluster {target}"))
                    })?;
                    let msg = match action {
                        LoseHsms => {
                            c.hsms.iter_mut().for_each(|h| h.active = false);
                            format!("{} has no active HSM now.", c.id)
                        }
                        RestoreHsms => {
                            c.hsms.iter_mut().for_each(|h| h.active = true);
                            format!("The HSMs of {} are active again.", c.id)
                        }
                        LockOutKmsuser | UnlockKmsuser => {
                            let locked = action == LockOutKmsuser;
                            if let Some(u) = c.kmsuser.as_mut() {
                                u.locked_out = locked;
                            }
                            format!("kmsuser of {} is {}.", c.id, if locked { "locked out" } else { "unlocked" })
                        }
                        _ => unreachable!("cluster actions only"),
                    };
                    return Ok(msg);
                }
                let p = proxy.ok_or_else(|| kms_sim::service::internal(format!("no proxy {target}")))?;
                let name = format!("https://{}{}", p.host, p.uri_path());
                Ok(match action {
                    ProxyDown | ProxyUp => {
                        p.faults.unreachable = action == ProxyDown;
                        format!("{name} is {}.", if action == ProxyDown { "down" } else { "up" })
                    }
                    ProxySlow | ProxyFast => {
                        p.faults.delay_ms = if action == ProxySlow { SLOW_MS } else { 0 };
                        format!("{name} answers {}.", if action == ProxySlow { "after 1.5 s" } else { "at once" })
                    }
                    EkmsUnavailable | EkmsAvailable => {
                        p.faults.ekms_unavailable = action == EkmsUnavailable;
                        format!("The EKMs behind {name} are {}.", if action == EkmsUnavailable { "UNAVAILABLE" } else { "ACTIVE" })
                    }
                    WrongCertificate | RightCertificate => {
                        p.faults.wrong_certificate = action == WrongCertificate;
                        format!("{name} serves {} certificate.", if action == WrongCertificate { "a wrong" } else { "its own" })
                    }
                    DenyKms | AllowKms => {
                        p.faults.access_denied = action == DenyKms;
                        format!("The authorization of {name} {} KMS: {} (GetHealthStatus is never denied, so a connect does not notice).", if action == DenyKms { "denies" } else { "lets in" }, if action == DenyKms { "its other APIs answer AccessDeniedException" } else { "every API answers" })
                    }
                    RotateCredential => {
                        let c = new_credential();
                        let akid = c.access_key_id.clone();
                        p.credentials = vec![c];
                        format!("{name} accepts only the new access key {akid} now; download its configuration file to update the store.")
                    }
                    _ => unreachable!("proxy actions only"),
                })
            })
            .await;
        message.map_err(|e| AppError::Internal(e.message))
    }

    async fn proxy_config(&self, host: &str, path_prefix: &str) -> Option<String> {
        let world = self.sim.snapshot().await.world;
        let p = world
            .xks_proxies
            .iter()
            .find(|p| p.host == host && p.path_prefix == path_prefix)?;
        let c = p.credentials.last()?;
        Some(
            serde_json::to_string_pretty(&serde_json::json!({
                "XksProxyUriPath": p.uri_path(),
                "XksProxyAuthenticationCredential": {
                    "AccessKeyId": c.access_key_id,
                    "RawSecretAccessKey": c.raw_secret_access_key,
                }
            }))
            .ok()?,
        )
    }
}
