//! The fleet page under load, beside its baselines from the same run: an axum "hello" handler,
//! kms-sim's Describe and the console's `/about`. The same console gives the browser payload,
//! the time to interactive and the memory figures.

use crate::harness::{get_page, sign_in, step, Bench};
use crate::load::{self, Load};
use crate::payload::{self, Asset};
use crate::procs::{free_port, Proc};
use crate::scenarios::live;
use crate::{fixture, tti};
use serde::Serialize;
use std::process::Command;
use std::time::Duration;

#[derive(Debug, Clone, Serialize)]
pub struct FleetPage {
    pub targets: usize,
    pub stores: usize,
    pub created: usize,
    pub page_bytes: usize,
    pub hello: Load,
    pub kms_sim_describe: Load,
    pub console_about_page: Load,
    pub console_fleet_page: Load,
    pub ratio_to_hello: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Memory {
    pub console_idle_rss_kib: u64,
    pub console_peak_rss_kib: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Payload {
    pub assets: Vec<Asset>,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
    pub tti: Option<tti::Tti>,
    /// Why the time to interactive was not measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tti_error: Option<String>,
}

pub struct FleetRun {
    pub page: FleetPage,
    pub quota: live::QuotaUse,
    pub latency: Result<live::ChangeLatency, String>,
    pub memory: Memory,
    pub payload: Payload,
}

/// The fleet page's setup, kept running for measurements by hand (`cks-bench serve`).
pub async fn serve(args: crate::harness::RunArgs) -> Result<(), String> {
    let b = Bench::new(args)?;
    let (mut sim, sim_url) = b.sim("kms-sim-fleet", 0)?;
    sim.wait_http(&sim_url).await?;
    fixture::populate(&sim_url).await?;
    live::quota_on(&sim_url).await?;
    let (console, console_url) = b.console("console-fleet", &sim_url).await?;
    let cookie = sign_in(&console_url).await?;
    println!("console {console_url} (pid {})", console.pid());
    println!("cookie  {cookie}");
    println!("logs    {}", b.work().display());
    let _ = tokio::signal::ctrl_c().await;
    drop(console);
    drop(sim);
    Ok(())
}

pub async fn measure(b: &Bench) -> Result<FleetRun, String> {
    let stores = fixture::ACCOUNTS * fixture::REGIONS.len() * fixture::STORES_PER_TARGET;
    let targets = fixture::ACCOUNTS * fixture::REGIONS.len();

    // Baseline: the machine's ceiling for an axum handler.
    step("hello baseline");
    let hello_port = free_port()?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut hello = Proc::spawn(
        "hello",
        Command::new(exe)
            .arg("hello")
            .args(["--listen", &format!("127.0.0.1:{hello_port}")]),
        b.work(),
    )?;
    let hello_url = format!("http://127.0.0.1:{hello_port}/");
    hello.wait_http(&hello_url).await?;
    let hello_load = b.wrk("hello", &load::Request::get(hello_url, vec![]))?;
    drop(hello);

    // The fleet: kms-sim with 40 targets of 10 stores, no added latency.
    step("kms-sim with 40 targets × 10 stores");
    let (mut sim, sim_url) = b.sim("kms-sim-fleet", 0)?;
    sim.wait_http(&sim_url).await?;
    let created = fixture::populate(&sim_url).await?;
    let first = &fixture::accounts()[0];
    let describe = load::signed_kms(
        &sim_url,
        "DescribeCustomKeyStores",
        "{}",
        fixture::REGIONS[0],
        &first.akid,
        &first.secret,
    )?;
    let sim_load = b.wrk("kms-sim-describe", &describe)?;

    // From here on every target has KMS's quota, as in AWS.
    live::quota_on(&sim_url).await?;
    step("console on that fleet, with KMS's request quota on");
    let (console, console_url) = b.console("console-fleet", &sim_url).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (idle_rss, _) = console.memory_kib()?;
    let cookie = sign_in(&console_url).await?;
    let page = get_page(&format!("{console_url}/"), &cookie).await?;
    let shown = format!("{stores} of {stores} key stores");
    if !page.contains(&shown) {
        return Err(format!(
            "the fleet page does not say {shown:?}; is every target listed? (console log in {})",
            b.work().display()
        ));
    }
    let signed_in = |path: &str| {
        load::Request::get(
            format!("{console_url}{path}"),
            vec![("Cookie".into(), cookie.clone())],
        )
    };
    let (describe_before, throttled_before) = live::totals(&sim_url).await?;
    let window = std::time::Instant::now();
    let fleet_load = b.wrk("console-fleet", &signed_in("/"))?;
    let (_, peak_rss) = console.memory_kib()?;
    // The floor for any signed-in page: the session check and a small render, no KMS call.
    let about_load = b.wrk("console-about", &signed_in("/about"))?;
    let window_s = window.elapsed().as_secs_f64();
    let (describe_after, throttled_after) = live::totals(&sim_url).await?;
    let after = get_page(&format!("{console_url}/"), &cookie).await?;
    let describe_calls = describe_after - describe_before;
    let quota = live::QuotaUse {
        requests_per_second: live::KMS_QUOTA,
        window_s,
        describe_calls,
        describe_per_target_per_s: describe_calls as f64 / targets as f64 / window_s,
        throttled: throttled_after - throttled_before,
        page_shows_throttling: after.contains("target-stale") || after.contains("hrottl"),
    };

    step("time for a change to reach an open page");
    let latency = live::change_latency(&console_url, &cookie, &sim_url).await;

    // Browser payload and time to interactive, on the same console.
    step("browser payload and time to interactive");
    let tti = tti::measure(b, &console_url, &cookie);
    // What the browser fetched; the page's own references when the browser could not run.
    let assets = match &tti {
        Ok(t) if !t.assets.is_empty() => payload::fetched(&t.assets, &b.args.site_root)?,
        _ => payload::assets(&page, &b.args.site_root)?,
    };
    drop(console);
    drop(sim);

    let (raw, gzip, brotli) = assets.iter().fold((0, 0, 0), |(r, g, b), a| {
        (r + a.raw, g + a.gzip, b + a.brotli)
    });
    Ok(FleetRun {
        quota,
        latency,
        page: FleetPage {
            targets,
            stores,
            created,
            page_bytes: page.len(),
            ratio_to_hello: fleet_load.requests_per_sec / hello_load.requests_per_sec,
            hello: hello_load,
            kms_sim_describe: sim_load,
            console_about_page: about_load,
            console_fleet_page: fleet_load,
        },
        memory: Memory {
            console_idle_rss_kib: idle_rss,
            console_peak_rss_kib: peak_rss,
        },
        payload: Payload {
            assets,
            raw,
            gzip,
            brotli,
            tti_error: tti.as_ref().err().cloned(),
            tti: tti.ok(),
        },
    })
}
