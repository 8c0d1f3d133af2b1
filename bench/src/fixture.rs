//! The data every benchmark uses: 40 targets (10 accounts × 4 regions) of 10 external key stores
//! each, created through aws-sdk-kms; the world kms-sim needs for them; and the AWS profile files
//! that let the console reach each target as a real deployment would.

use aws_sdk_kms::types::{
    CustomKeyStoreType, XksProxyAuthenticationCredentialType, XksProxyConnectivityType,
};
use kms_sim::model::{ExternalKey, Faults, ProxyStore};
use kms_sim::model::{World, XksCredential};
use std::path::Path;

pub const ACCOUNTS: usize = 10;
pub const REGIONS: [&str; 4] = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"];
pub const STORES_PER_TARGET: usize = 10;
pub const PROXY_HOST: &str = "bench.xks.sim.internal";
const XKS_AKID: &str = "BENCHXKSACCESSKEYAAA";
const XKS_SECRET: &str = "YmVuY2gteGtzLXNlY3JldC1mb3Ita21zLXNpbS1iZW5jaDE=";
/// Clusters for the emulator comparison (test account, us-east-1): one per store slot.
pub const LOOP_CLUSTERS: [&str; 10] = [
    "cluster-benchloopaa",
    "cluster-benchloopab",
    "cluster-benchloopac",
    "cluster-benchloopad",
    "cluster-benchloopae",
    "cluster-benchloopaf",
    "cluster-benchloopag",
    "cluster-benchloopah",
    "cluster-benchloopai",
    "cluster-benchloopaj",
];
/// The loop clusters' trust anchor is `kms_sim::demo::anchor(LOOP_ANCHOR_NAME)`.
pub const LOOP_ANCHOR_NAME: &str = "BenchLoop";
pub const LOOP_PASSWORD: &str = "bench-kmsuser-pw";

#[derive(Clone)]
pub struct Account {
    pub id: String,
    pub akid: String,
    pub secret: String,
    pub profile: String,
}

pub fn accounts() -> Vec<Account> {
    (0..ACCOUNTS)
        .map(|i| Account {
            id: format!("{}", 200_000_000_000u64 + i as u64),
            akid: format!("AKIABENCH{i:011}"),
            secret: format!("bench-secret-{i}"),
            profile: format!("bench{i:02}"),
        })
        .collect()
}

/// `--credential` flags for kms-sim.
pub fn sim_credentials() -> Vec<String> {
    accounts()
        .iter()
        .map(|a| format!("{}:{}:{}", a.akid, a.secret, a.id))
        .collect()
}

/// `PROFILE@REGION` for every target.
pub fn console_targets() -> Vec<String> {
    let mut out = Vec::new();
    for a in accounts() {
        for r in REGIONS {
            out.push(format!("{}@{r}", a.profile));
        }
    }
    out
}

/// kms-sim's seed: one XKS proxy path per store slot, and the loop's clusters.
pub fn world() -> World {
    let xks_proxies = (0..STORES_PER_TARGET)
        .map(|i| ProxyStore {
            host: PROXY_HOST.into(),
            path_prefix: format!("/s{i}"),
            credentials: vec![XksCredential {
                access_key_id: XKS_AKID.into(),
                raw_secret_access_key: XKS_SECRET.into(),
            }],
            keys: vec![ExternalKey {
                id: "bench-key".into(),
                material_hex: "5a".repeat(32),
                enabled: true,
            }],
            faults: Faults::default(),
        })
        .collect();
    let clusters = LOOP_CLUSTERS
        .iter()
        .map(|id| {
            kms_sim::demo::cluster(
                id,
                "000000000000",
                "us-east-1",
                LOOP_ANCHOR_NAME,
                LOOP_PASSWORD,
            )
        })
        .collect();
    World {
        clusters,
        xks_proxies,
        ..World::default()
    }
}

/// AWS config and credentials files naming one profile per account.
pub fn write_profiles(dir: &Path) -> Result<(), String> {
    let mut config = String::new();
    let mut credentials = String::new();
    for a in accounts() {
        config.push_str(&format!("[profile {}]\nregion = us-east-1\n\n", a.profile));
        credentials.push_str(&format!(
            "[{}]\naws_access_key_id = {}\naws_secret_access_key = {}\n\n",
            a.profile, a.akid, a.secret
        ));
    }
    std::fs::write(dir.join("aws-config"), config).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("aws-credentials"), credentials).map_err(|e| e.to_string())
}

pub fn kms_client(endpoint: &str, region: &str, akid: &str, secret: &str) -> aws_sdk_kms::Client {
    aws_sdk_kms::Client::from_conf(
        aws_sdk_kms::Config::builder()
            .behavior_version(aws_sdk_kms::config::BehaviorVersion::latest())
            .region(aws_sdk_kms::config::Region::new(region.to_string()))
            .credentials_provider(aws_sdk_kms::config::Credentials::new(
                akid, secret, None, None, "bench",
            ))
            .endpoint_url(endpoint)
            .build(),
    )
}

/// An external key store on the bench proxy, slot `i` (each slot has its own path).
pub async fn create_xks(kms: &aws_sdk_kms::Client, name: &str, i: usize) -> Result<String, String> {
    let credential = XksProxyAuthenticationCredentialType::builder()
        .access_key_id(XKS_AKID)
        .raw_secret_access_key(XKS_SECRET)
        .build()
        .map_err(|e| e.to_string())?;
    let out = kms
        .create_custom_key_store()
        .custom_key_store_name(name)
        .custom_key_store_type(CustomKeyStoreType::ExternalKeyStore)
        .xks_proxy_connectivity(XksProxyConnectivityType::PublicEndpoint)
        .xks_proxy_uri_endpoint(format!("https://{PROXY_HOST}"))
        .xks_proxy_uri_path(format!("/s{i}/kms/xks/v1"))
        .xks_proxy_authentication_credential(credential)
        .send()
        .await
        .map_err(|e| aws_sdk_kms::error::DisplayErrorContext(e).to_string())?;
    Ok(out.custom_key_store_id().unwrap_or_default().to_string())
}

/// Fills every target with its stores, all targets at once.
pub async fn populate(endpoint: &str) -> Result<usize, String> {
    let mut tasks = Vec::new();
    for a in accounts() {
        for region in REGIONS {
            let kms = kms_client(endpoint, region, &a.akid, &a.secret);
            let profile = a.profile.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..STORES_PER_TARGET {
                    create_xks(&kms, &format!("{profile}-{region}-xks-{i}"), i).await?;
                }
                Ok::<usize, String>(STORES_PER_TARGET)
            }));
        }
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.map_err(|e| e.to_string())??;
    }
    Ok(total)
}
