//! kms-sim against fakecloud: the same requests, the same load, in the same run.

use crate::fixture::{self, LOOP_ANCHOR_NAME, LOOP_CLUSTERS, LOOP_PASSWORD};
use aws_sdk_kms::types::CustomKeyStoreType;
use serde::Serialize;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub enum Kind {
    CloudHsm,
    External,
}

pub struct Peer {
    pub name: &'static str,
    pub endpoint: String,
    pub akid: &'static str,
    pub secret: &'static str,
    pub region: &'static str,
}

impl Peer {
    /// An emulator on this machine, reached as access key `test` in us-east-1.
    pub fn local(name: &'static str, endpoint: String) -> Peer {
        Peer {
            name,
            endpoint,
            akid: "test",
            secret: "test",
            region: "us-east-1",
        }
    }

    pub fn client(&self) -> aws_sdk_kms::Client {
        fixture::kms_client(&self.endpoint, self.region, self.akid, self.secret)
    }
}

fn sdk_error<E>(e: aws_sdk_kms::error::SdkError<E>) -> String
where
    E: std::error::Error + aws_sdk_kms::error::ProvideErrorMetadata + 'static,
{
    aws_sdk_kms::error::DisplayErrorContext(e).to_string()
}

/// Creates one store of `kind` in worker slot `slot` (its own cluster or proxy path).
pub async fn create(
    kms: &aws_sdk_kms::Client,
    kind: Kind,
    name: &str,
    slot: usize,
) -> Result<String, String> {
    match kind {
        Kind::External => fixture::create_xks(kms, name, slot).await,
        Kind::CloudHsm => kms
            .create_custom_key_store()
            .custom_key_store_name(name)
            .custom_key_store_type(CustomKeyStoreType::AwsCloudhsm)
            .cloud_hsm_cluster_id(LOOP_CLUSTERS[slot % LOOP_CLUSTERS.len()])
            .trust_anchor_certificate(kms_sim::demo::anchor(LOOP_ANCHOR_NAME))
            .key_store_password(LOOP_PASSWORD)
            .send()
            .await
            .map(|o| o.custom_key_store_id().unwrap_or_default().to_string())
            .map_err(sdk_error),
    }
}

/// Ten stores for the Describe load (the same requests for every peer).
pub async fn seed_ten(peer: &Peer, kind: Kind) -> Result<(), String> {
    let kms = peer.client();
    for i in 0..10 {
        create(&kms, kind, &format!("describe-{i}"), i)
            .await
            .map_err(|e| format!("{}: creating store {i}: {e}", peer.name))?;
    }
    let listed = kms
        .describe_custom_key_stores()
        .send()
        .await
        .map_err(sdk_error)?;
    let n = listed.custom_key_stores().len();
    if n != 10 {
        return Err(format!("{} lists {n} stores, not 10", peer.name));
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct Cycles {
    pub kind: Kind,
    pub workers: usize,
    pub seconds: f64,
    pub cycles: u64,
    pub cycles_per_sec: f64,
    pub calls_per_sec: f64,
}

/// `workers` loops of Create → Describe (that store) → Delete for `seconds`.
pub async fn cycle(
    peer: &Peer,
    kind: Kind,
    workers: usize,
    seconds: u32,
) -> Result<Cycles, String> {
    let deadline = Instant::now() + Duration::from_secs(seconds as u64);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..workers {
        let kms = peer.client();
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                let id = create(&kms, kind, &format!("cycle-{w}-{n}"), w).await?;
                let d = kms
                    .describe_custom_key_stores()
                    .custom_key_store_id(&id)
                    .send()
                    .await
                    .map_err(sdk_error)?;
                if d.custom_key_stores().len() != 1 {
                    return Err(format!("Describe of {id} did not return it"));
                }
                kms.delete_custom_key_store()
                    .custom_key_store_id(&id)
                    .send()
                    .await
                    .map_err(sdk_error)?;
                n += 1;
            }
            Ok::<u64, String>(n)
        }));
    }
    let mut cycles = 0;
    for t in tasks {
        cycles += t.await.map_err(|e| e.to_string())??;
    }
    let secs = started.elapsed().as_secs_f64();
    Ok(Cycles {
        kind,
        workers,
        seconds: secs,
        cycles,
        cycles_per_sec: cycles as f64 / secs,
        calls_per_sec: 3.0 * cycles as f64 / secs,
    })
}

/// The store kind both peers accept: CloudHSM first (no proxy probe, so the loop measures the
/// emulator, not the XKS proxy), else external.
pub async fn common_kind(peers: &[&Peer]) -> Result<Kind, String> {
    let mut problems = Vec::new();
    for kind in [Kind::CloudHsm, Kind::External] {
        let mut ok = true;
        for p in peers {
            let kms = p.client();
            match create(&kms, kind, "probe-kind", 0).await {
                Ok(id) => {
                    let _ = kms
                        .delete_custom_key_store()
                        .custom_key_store_id(id)
                        .send()
                        .await;
                }
                Err(e) => {
                    problems.push(format!("{} refuses {kind:?}: {e}", p.name));
                    ok = false;
                }
            }
        }
        if ok {
            return Ok(kind);
        }
    }
    Err(problems.join("; "))
}
