//! The console against KMS's request quota, and how fast a change reaches an open page.
//!
//! kms-sim enforces KMS's quota (5 requests per second per operation, account and Region) while
//! the fleet page is under load; its request counts (`GET /_sim/request-counts`) say how many
//! Describe calls the console sent per target, and how many were throttled. Then a client holds
//! the live pages' event stream open while stores change, once behind the console's back (through
//! kms-sim, as another tool would) and once through the console.

use crate::fixture;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// The quota every target gets for the load (KMS's default).
pub const KMS_QUOTA: u32 = 5;
/// The console's `--refresh-interval` in this run: short, so that the idle samples take little time.
pub const REFRESH_INTERVAL_S: u64 = 10;
/// Changes made behind the console's back, each to a store of another target: each watcher
/// keeps its own schedule, so a change falls at a random moment of its target's cycle, whatever
/// the sample before it did.
const OUTSIDE_SAMPLES: usize = 24;
/// Changes made through the console, to one store.
const CONSOLE_SAMPLES: usize = 8;

#[derive(Debug, Clone, Serialize)]
pub struct QuotaUse {
    pub requests_per_second: u32,
    /// The window the counts cover: the fleet page's load, then `/about`'s.
    pub window_s: f64,
    pub describe_calls: u64,
    pub describe_per_target_per_s: f64,
    /// Requests of any custom key store operation kms-sim refused with ThrottlingException.
    pub throttled: u64,
    /// The list page after the load names a stale target or throttling.
    pub page_shows_throttling: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangeLatency {
    pub refresh_interval_s: u64,
    /// From a change made through kms-sim directly until the console's event reaches the page.
    pub outside_ms: Vec<f64>,
    /// From a change asked of the console until its event reaches the page.
    pub console_ms: Vec<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Counts {
    operation: String,
    admitted: u64,
    throttled: u64,
}

async fn counts(sim_url: &str) -> Result<Vec<Counts>, String> {
    reqwest::get(format!("{sim_url}/_sim/request-counts"))
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| format!("kms-sim's request counts: {e}"))
}

/// Describe calls and throttled requests so far.
pub async fn totals(sim_url: &str) -> Result<(u64, u64), String> {
    let all = counts(sim_url).await?;
    let describe = all
        .iter()
        .filter(|c| c.operation == "DescribeCustomKeyStores")
        .map(|c| c.admitted + c.throttled)
        .sum();
    Ok((describe, all.iter().map(|c| c.throttled).sum()))
}

/// Gives every target KMS's quota (kms-sim's own load run has it off).
pub async fn quota_on(sim_url: &str) -> Result<(), String> {
    let http = reqwest::Client::new();
    for a in fixture::accounts() {
        for region in fixture::REGIONS {
            let r = http
                .post(format!("{sim_url}/_sim/request-quotas"))
                .json(&serde_json::json!({
                    "account": a.id, "region": region, "requestsPerSecond": KMS_QUOTA
                }))
                .send()
                .await
                .map_err(|e| e.to_string())?;
            if !r.status().is_success() {
                return Err(format!("kms-sim refused the quota: {}", r.status()));
            }
        }
    }
    Ok(())
}

/// The live pages' event stream, as a browser holds it open.
struct Events {
    stream: reqwest::Response,
    seen: String,
}

impl Events {
    async fn open(console_url: &str, cookie: &str) -> Result<Events, String> {
        let stream = reqwest::Client::new()
            .get(format!("{console_url}{}", app::api::EVENTS_PATH))
            .header("cookie", cookie)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !stream.status().is_success() {
            return Err(format!("the event stream answered {}", stream.status()));
        }
        Ok(Events {
            stream,
            seen: String::new(),
        })
    }

    /// Waits for the next fleet event; false when none came within `limit`.
    async fn next_fleet(&mut self, limit: Duration) -> Result<bool, String> {
        let marker = format!("event: {}\n", app::api::FLEET_EVENT);
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if let Some(at) = self.seen.find(&marker) {
                self.seen.drain(..at + marker.len());
                return Ok(true);
            }
            match tokio::time::timeout_at(deadline, self.stream.chunk()).await {
                Err(_) => return Ok(false),
                Ok(Ok(Some(chunk))) => self.seen.push_str(&String::from_utf8_lossy(&chunk)),
                Ok(Ok(None)) => return Err("the event stream ended".into()),
                Ok(Err(e)) => return Err(e.to_string()),
            }
        }
    }

    /// Forgets whatever came so far, after a quiet `pause`.
    async fn settle(&mut self, pause: Duration) -> Result<(), String> {
        while self.next_fleet(pause).await? {}
        self.seen.clear();
        Ok(())
    }
}

/// The first store of target `n` (targets in the fixture's order), a client of kms-sim in its
/// account and Region, and whether the store is connected.
async fn subject(sim_url: &str, n: usize) -> Result<(aws_sdk_kms::Client, String, bool), String> {
    let accounts = fixture::accounts();
    let a = &accounts[(n / fixture::REGIONS.len()) % accounts.len()];
    let region = fixture::REGIONS[n % fixture::REGIONS.len()];
    let kms = fixture::kms_client(sim_url, region, &a.akid, &a.secret);
    let name = format!("{}-{region}-xks-0", a.profile);
    let out = kms
        .describe_custom_key_stores()
        .custom_key_store_name(&name)
        .send()
        .await
        .map_err(|e| aws_sdk_kms::error::DisplayErrorContext(e).to_string())?;
    let store = out
        .custom_key_stores()
        .first()
        .ok_or_else(|| format!("no store {name}"))?;
    let id = store
        .custom_key_store_id()
        .ok_or_else(|| format!("no ID for {name}"))?;
    let connected =
        store.connection_state() == Some(&aws_sdk_kms::types::ConnectionStateType::Connected);
    Ok((kms, id.to_string(), connected))
}

/// Connects or disconnects the store behind the console's back.
async fn outside(kms: &aws_sdk_kms::Client, id: &str, connect: bool) -> Result<(), String> {
    if connect {
        kms.connect_custom_key_store()
            .custom_key_store_id(id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| aws_sdk_kms::error::DisplayErrorContext(e).to_string())
    } else {
        kms.disconnect_custom_key_store()
            .custom_key_store_id(id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| aws_sdk_kms::error::DisplayErrorContext(e).to_string())
    }
}

/// Connects or disconnects the store through the console's own action.
async fn through_console(
    console_url: &str,
    cookie: &str,
    id: &str,
    connect: bool,
) -> Result<(), String> {
    let a = &fixture::accounts()[0];
    // The answer only: following its redirect would time a store page's render too.
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?
        .post(format!("{console_url}/api/stores/act"))
        .header("cookie", cookie)
        .header("origin", console_url)
        .header("accept", "application/json")
        .form(&[
            ("account", a.id.as_str()),
            ("region", fixture::REGIONS[0]),
            ("id", id),
            ("action", if connect { "connect" } else { "disconnect" }),
            ("confirm", "yes"),
        ])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !(r.status().is_success() || r.status().is_redirection()) {
        return Err(format!(
            "the console's {} answered {}",
            if connect { "connect" } else { "disconnect" },
            r.status()
        ));
    }
    Ok(())
}

/// Times changes until an open page hears of them: made outside the console, to the first store
/// of one target after another (the watcher sees each at its next read of the target), then
/// through the console, to one store.
pub async fn change_latency(
    console_url: &str,
    cookie: &str,
    sim_url: &str,
) -> Result<ChangeLatency, String> {
    let mut events = Events::open(console_url, cookie).await?;
    let limit = Duration::from_secs(3 * REFRESH_INTERVAL_S);
    let mut outside_ms = Vec::new();
    for n in 0..OUTSIDE_SAMPLES {
        let (kms, id, connected) = subject(sim_url, n).await?;
        events.settle(Duration::from_millis(1500)).await?;
        outside(&kms, &id, !connected).await?;
        let made = Instant::now();
        if !events.next_fleet(limit).await? {
            return Err(format!(
                "no event within {limit:?} of a change made through kms-sim"
            ));
        }
        outside_ms.push(made.elapsed().as_secs_f64() * 1000.0);
    }
    let (_, id, connected) = subject(sim_url, 0).await?;
    let mut connect = !connected;
    let mut console_ms = Vec::new();
    for _ in 0..CONSOLE_SAMPLES {
        events.settle(Duration::from_millis(1500)).await?;
        let asked = Instant::now();
        through_console(console_url, cookie, &id, connect).await?;
        if !events.next_fleet(limit).await? {
            return Err(format!(
                "no event within {limit:?} of a change made through the console"
            ));
        }
        console_ms.push(asked.elapsed().as_secs_f64() * 1000.0);
        connect = !connect;
    }
    Ok(ChangeLatency {
        refresh_interval_s: REFRESH_INTERVAL_S,
        outside_ms,
        console_ms,
    })
}
