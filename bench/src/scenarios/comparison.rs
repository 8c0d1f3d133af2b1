//! kms-sim against fakecloud, each a separate process answering the same requests from the same
//! clients: Describe under load, Create → Describe → Delete loops, and idle memory.

use crate::harness::{find_fakecloud, step, Bench};
use crate::load::{self, Load};
use crate::peers::{self, Cycles, Kind};
use crate::procs::{free_port, Proc};
use serde::Serialize;
use std::process::Command;
use std::time::Duration;

/// How the comparison went.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Comparison {
    Measured(Box<Peers>),
    /// fakecloud is not installed; kms-sim's own figure is still there.
    NotInstalled {
        fakecloud: String,
        kms_sim_idle_rss_kib: u64,
    },
    Failed {
        error: String,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct Peers {
    pub fakecloud: String,
    pub store_kind: Kind,
    pub kms_sim_idle_rss_kib: u64,
    pub fakecloud_idle_rss_kib: u64,
    pub kms_sim_describe: Load,
    pub fakecloud_describe: Load,
    pub kms_sim_cycles: Cycles,
    pub fakecloud_cycles: Cycles,
}

pub async fn measure(b: &Bench) -> Comparison {
    step("kms-sim against fakecloud");
    match run(b).await {
        Ok(c) => c,
        Err(error) => {
            eprintln!("   comparison failed: {error}");
            Comparison::Failed { error }
        }
    }
}

async fn run(b: &Bench) -> Result<Comparison, String> {
    let (mut sim, sim_url) = b.sim("kms-sim-peer", 0)?;
    sim.wait_http(&sim_url).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (sim_idle, _) = sim.memory_kib()?;
    let sim_peer = peers::Peer::local("kms-sim", sim_url.clone());
    let Some(fc_bin) = find_fakecloud(b.args.fakecloud.clone()) else {
        return Ok(Comparison::NotInstalled {
            fakecloud: "not installed: cargo install fakecloud --version 0.51.0 --locked".into(),
            kms_sim_idle_rss_kib: sim_idle,
        });
    };
    let fc_port = free_port()?;
    let mut fc = Proc::spawn(
        "fakecloud",
        Command::new(&fc_bin)
            .args(["--addr", &format!("127.0.0.1:{fc_port}")])
            .args(["--log-level", "warn"]),
        b.work(),
    )?;
    let fc_url = format!("http://127.0.0.1:{fc_port}");
    fc.wait_http(&format!("{fc_url}/_fakecloud/health")).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (fc_idle, _) = fc.memory_kib()?;
    let fc_peer = peers::Peer::local("fakecloud", fc_url.clone());
    let kind = peers::common_kind(&[&sim_peer, &fc_peer]).await?;
    step(&format!(
        "create → describe → delete loops ({kind:?} stores)"
    ));
    let sim_cycles = peers::cycle(&sim_peer, kind, 4, b.args.seconds).await?;
    let fc_cycles = peers::cycle(&fc_peer, kind, 4, b.args.seconds).await?;
    eprintln!(
        "   kms-sim {:.0} cycles/s, fakecloud {:.0} cycles/s",
        sim_cycles.cycles_per_sec, fc_cycles.cycles_per_sec
    );
    peers::seed_ten(&sim_peer, kind).await?;
    peers::seed_ten(&fc_peer, kind).await?;
    let describe = |name: &str, url: &str| {
        let request = load::signed_kms(
            url,
            "DescribeCustomKeyStores",
            "{}",
            "us-east-1",
            "test",
            "test",
        )?;
        b.wrk(name, &request)
    };
    Ok(Comparison::Measured(Box::new(Peers {
        fakecloud: fc_bin.display().to_string(),
        store_kind: kind,
        kms_sim_idle_rss_kib: sim_idle,
        fakecloud_idle_rss_kib: fc_idle,
        kms_sim_describe: describe("peer-kms-sim-describe", &sim_url)?,
        fakecloud_describe: describe("peer-fakecloud-describe", &fc_url)?,
        kms_sim_cycles: sim_cycles,
        fakecloud_cycles: fc_cycles,
    })))
}
