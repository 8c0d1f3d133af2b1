//! Fan-out: with every KMS call 50 ms slower, how the fleet page (40 targets) compares with one
//! call. Targets are read concurrently, so the page should take about one call, not forty.

use crate::fixture;
use crate::harness::{get_page, median, sign_in, step, Bench};
use serde::Serialize;
use std::time::Instant;

pub const ADDED_LATENCY_MS: u64 = 50;

#[derive(Debug, Clone, Serialize)]
pub struct FanOut {
    pub added_latency_ms: u64,
    pub one_call_p50_ms: f64,
    pub fleet_page_p50_ms: f64,
    pub ratio: f64,
}

pub async fn measure(b: &Bench) -> Result<FanOut, String> {
    step(&format!("fan-out with {ADDED_LATENCY_MS} ms per KMS call"));
    let (mut slow_sim, slow_url) = b.sim("kms-sim-slow", ADDED_LATENCY_MS)?;
    slow_sim.wait_http(&slow_url).await?;
    fixture::populate(&slow_url).await?;
    let first = &fixture::accounts()[0];
    let kms = fixture::kms_client(&slow_url, fixture::REGIONS[0], &first.akid, &first.secret);
    let mut call_ms = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        kms.describe_custom_key_stores()
            .send()
            .await
            .map_err(|e| e.to_string())?;
        call_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (slow_console, slow_console_url) = b.console("console-slow", &slow_url).await?;
    let slow_cookie = sign_in(&slow_console_url).await?;
    let mut page_ms = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        get_page(&format!("{slow_console_url}/"), &slow_cookie).await?;
        page_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    drop(slow_console);
    drop(slow_sim);
    let (one_call_p50_ms, fleet_page_p50_ms) = (median(call_ms), median(page_ms));
    Ok(FanOut {
        added_latency_ms: ADDED_LATENCY_MS,
        one_call_p50_ms,
        fleet_page_p50_ms,
        ratio: fleet_page_p50_ms / one_call_p50_ms,
    })
}
