//! The KMS the console manages: the embedded kms-sim (default) or AWS.

use crate::config::{Backend as BackendKind, Config, TargetSpec};
use crate::error::StartError;
use crate::fleet::Target;
use crate::preflight::XksPreflight;
use crate::runs::{Outage, Timing};
use app::domain::store::TargetRef;
use app::domain::user::{AwsTarget, BackendInfo};
use app::ssr::ProxyProbe;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub struct Backend {
    pub info: BackendInfo,
    /// One KMS client per (account, region).
    pub targets: Vec<Target>,
    /// Kept alive for as long as the console runs.
    pub simulator: Option<kms_sim::Running>,
    /// Reaches XKS proxies for the preflight.
    pub probe: Arc<dyn ProxyProbe>,
    pub timing: Timing,
    pub outage: Outage,
    /// The demo control panel, with the simulator only.
    pub demo: Option<Arc<dyn app::ssr::DemoControl>>,
}

/// The simulator's demo spans two accounts (each with its own access key) and two regions.
pub fn simulator_targets(running: &kms_sim::Running) -> Vec<Target> {
    let mut targets = Vec::new();
    for c in running.credentials() {
        for region in [kms_sim::demo::US_EAST_1, kms_sim::demo::EU_WEST_1] {
            let conf = aws_sdk_kms::Config::builder()
                .behavior_version(aws_sdk_kms::config::BehaviorVersion::latest())
                .region(aws_sdk_kms::config::Region::new(region))
                .credentials_provider(aws_sdk_kms::config::Credentials::new(
                    c.access_key_id.clone(),
                    c.secret_access_key.clone(),
                    None,
                    None,
                    "kms-sim",
                ))
                .endpoint_url(running.kms_url())
                .timeout_config(crate::fleet::kms_timeouts())
                .retry_config(crate::fleet::kms_retries())
                .build();
            targets.push(Target {
                reference: TargetRef {
                    account: c.account_id.clone(),
                    region: region.to_string(),
                },
                client: aws_sdk_kms::Client::from_conf(conf),
            });
        }
    }
    targets
}

/// How runs wait for the simulator's transitions (each lasts `transition`).
pub fn simulator_timing(transition: Duration) -> Timing {
    Timing {
        // One Describe a second per run: within KMS's quota of 5 (the simulator enforces it),
        // with room for the pages and for other tools.
        poll: Duration::from_secs(1),
        wait_limit: Duration::from_secs(60) + 3 * transition,
    }
}

/// The simulator's access keys as an AWS shared credentials file: a profile `cks-sim-ACCOUNT`
/// per account, so `aws --profile cks-sim-111122223333 --endpoint-url URL kms …` reaches it.
fn credentials_file(running: &kms_sim::Running) -> String {
    let mut out = format!(
        "# The embedded kms-sim of a cks-console, at {}; these keys end when the console stops.\n",
        running.kms_url()
    );
    for c in running.credentials() {
        out.push_str(&format!(
            "\n[cks-sim-{}]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            c.account_id, c.access_key_id, c.secret_access_key
        ));
    }
    out
}

pub async fn start(config: &Config, data_dir: Option<&Path>) -> Result<Backend, StartError> {
    match config.backend {
        BackendKind::Sim => {
            // The demo data is loaded on first start (nothing saved yet) and with --reset-demo.
            let transition = Duration::from_millis(config.sim_transition_ms);
            let sim_config = kms_sim::SimConfig {
                data_dir: data_dir.map(|d| d.join("kms-sim")),
                connect_duration: transition,
                disconnect_duration: transition,
                initial: kms_sim::Initial::Demo,
                reset: config.reset_demo,
                // KMS allows a proxy 250 ms; a debug build's TLS handshake on a busy machine can
                // take longer, which made healthy demo proxies look slow. The demo's slow-proxy
                // fault waits 1.5 s, beyond this.
                probe_timeout: Duration::from_secs(1),
                // Private to the console: access keys and an admin token made at each start,
                // never shown or saved, so no other local user or process can act through it.
                credentials: vec![
                    kms_sim::Credential::random(kms_sim::demo::ACCOUNT_A),
                    kms_sim::Credential::random(kms_sim::demo::ACCOUNT_B),
                ],
                admin_token: Some(kms_sim::config::random_token()),
                ..kms_sim::SimConfig::default()
            };
            let running = kms_sim::start(sim_config)
                .await
                .map_err(|e| StartError::Backend(e.to_string()))?;
            if let Some(path) = &config.sim_credentials_file {
                kms_sim::files::write_private(path, &credentials_file(&running)).map_err(|e| {
                    StartError::Backend(format!("cannot write {}: {e}", path.display()))
                })?;
            }
            let targets = simulator_targets(&running);
            let regions = targets.iter().map(|t| t.reference.clone()).collect();
            Ok(Backend {
                info: BackendInfo::Simulator {
                    endpoint: running.kms_url(),
                },
                targets,
                probe: Arc::new(XksPreflight {
                    client: running.xks_client(),
                }),
                timing: simulator_timing(transition),
                outage: Outage {
                    external_secs: (2 * transition).as_secs().max(1),
                    cloudhsm_secs: (2 * transition).as_secs().max(1),
                },
                demo: Some(Arc::new(crate::demo::SimDemo {
                    sim: running.sim().clone(),
                    regions,
                })),
                simulator: Some(running),
            })
        }
        BackendKind::Aws => {
            let specs: Vec<Option<&TargetSpec>> = if config.targets.is_empty() {
                vec![None]
            } else {
                config.targets.iter().map(Some).collect()
            };
            let mut infos = Vec::new();
            let mut targets = Vec::new();
            for spec in specs {
                let (info, target) = describe_target(spec).await;
                infos.push(info);
                targets.push(target);
            }
            Ok(Backend {
                info: BackendInfo::Aws { targets: infos },
                targets,
                simulator: None,
                demo: None,
                probe: Arc::new(XksPreflight {
                    client: Arc::new(public_proxy_client()?),
                }),
                // reference §1.5: XKS connects in about 5 minutes, CloudHSM in up to 20.
                timing: Timing {
                    poll: Duration::from_secs(5),
                    wait_limit: Duration::from_secs(30 * 60),
                },
                outage: Outage {
                    external_secs: 6 * 60,
                    cloudhsm_secs: 21 * 60,
                },
            })
        }
    }
}

/// Loads the standard AWS configuration for one target (AWS_ENDPOINT_URL_KMS included) and asks
/// STS whose account it is.
async fn describe_target(spec: Option<&TargetSpec>) -> (AwsTarget, Target) {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(spec) = spec {
        loader = loader
            .profile_name(&spec.profile)
            .region(aws_config::Region::new(spec.region.clone()));
    }
    let sdk = loader.load().await;
    let region = sdk
        .region()
        .map(|r| r.to_string())
        .unwrap_or_else(|| "no region".to_string());
    let profile = spec
        .map(|s| s.profile.clone())
        .unwrap_or_else(|| std::env::var("AWS_PROFILE").unwrap_or_else(|_| "default".into()));
    let sts = aws_sdk_sts::Client::new(&sdk);
    let (account, problem) = match tokio::time::timeout(
        Duration::from_secs(5),
        sts.get_caller_identity().send(),
    )
    .await
    {
        Ok(Ok(out)) => (out.account().map(str::to_string), None),
        Ok(Err(e)) => (
            None,
            Some(aws_sdk_sts::error::DisplayErrorContext(e).to_string()),
        ),
        Err(_) => (None, Some("STS did not answer within 5 s".to_string())),
    };
    if let Some(p) = &problem {
        tracing::warn!(profile, region, problem = %p, "could not read the caller identity");
    }
    let target = Target {
        reference: TargetRef {
            account: account.clone().unwrap_or_else(|| "unknown".to_string()),
            region: region.clone(),
        },
        client: aws_sdk_kms::Client::from_conf(
            aws_sdk_kms::config::Builder::from(&sdk)
                .timeout_config(crate::fleet::kms_timeouts())
                .retry_config(crate::fleet::kms_retries())
                .build(),
        ),
    };
    (
        AwsTarget {
            profile,
            region,
            account,
            problem,
        },
        target,
    )
}

/// A proxy client for real proxies: system DNS and the system's trusted CAs. The client also
/// trusts a CA of its own, created in memory and never used to sign anything.
fn public_proxy_client() -> Result<kms_sim::xks::client::XksClient, StartError> {
    let unused_ca =
        kms_sim::xks::ca::Authority::load_or_create(None).map_err(StartError::Backend)?;
    kms_sim::xks::client::XksClient::new(
        Vec::new(),
        Arc::new(std::sync::RwLock::new(kms_sim::model::World::default())),
        &unused_ca,
        &[],
        Duration::from_secs(5),
    )
    .map_err(StartError::Backend)
}
