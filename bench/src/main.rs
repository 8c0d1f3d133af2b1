//! `cks-bench`: the benchmarks of `make bench`. It starts release builds of the console and
//! kms-sim (and fakecloud, when installed) on 127.0.0.1, drives them with wrk, and writes
//! BENCHMARKS.md and benchmarks.json. Every figure sits next to a baseline from the same run.

mod fixture;
mod load;
mod payload;
mod peers;
mod procs;
mod workflow;

use clap::{Parser, Subcommand};
use procs::{free_port, Proc};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(name = "cks-bench", about = "Benchmarks of cks-console and kms-sim")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run every benchmark and write the report.
    Run(RunArgs),
    /// The baseline: a static axum "hello" handler.
    Hello {
        #[arg(long)]
        listen: std::net::SocketAddr,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    /// The release console binary.
    #[arg(long)]
    console: PathBuf,
    /// The release kms-sim binary.
    #[arg(long)]
    kms_sim: PathBuf,
    /// The release site (cargo leptos build --release).
    #[arg(long)]
    site_root: PathBuf,
    /// fakecloud, if installed (looked up on PATH and in ~/.cargo/bin otherwise).
    #[arg(long)]
    fakecloud: Option<PathBuf>,
    /// Seconds of load per measurement.
    #[arg(long, default_value_t = 10)]
    seconds: u32,
    /// Concurrent connections of the load generator.
    #[arg(long, default_value_t = 32)]
    connections: u32,
    /// Workflow runs measured.
    #[arg(long, default_value_t = 30)]
    runs: usize,
    /// Where BENCHMARKS.md and benchmarks.json go.
    #[arg(long, default_value = ".")]
    out: PathBuf,
    /// Hand-written findings included in BENCHMARKS.md.
    #[arg(long, default_value = "bench/FINDINGS.md")]
    findings: PathBuf,
    /// The directory with node_modules for the time-to-interactive script.
    #[arg(long, default_value = "end2end")]
    end2end: PathBuf,
}

const ADMIN_PASSWORD: &str = "bench-admin-password";

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let result = match cli.command {
        Cmd::Hello { listen } => rt.block_on(hello(listen)),
        Cmd::Run(args) => rt.block_on(run(args)),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cks-bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn hello(listen: std::net::SocketAddr) -> Result<(), String> {
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "hello" }));
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| e.to_string())?;
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}

fn step(what: &str) {
    eprintln!("== {what}");
}

struct Bench {
    args: RunArgs,
    work: tempfile::TempDir,
    json: serde_json::Map<String, Value>,
}

impl Bench {
    fn work(&self) -> &Path {
        self.work.path()
    }

    fn wrk(&self, name: &str, req: &load::Request) -> Result<load::Load, String> {
        step(&format!(
            "load: {name}, {} connections, {} s",
            self.args.connections, self.args.seconds
        ));
        let l = load::run(
            name,
            req,
            self.args.connections,
            self.args.seconds,
            self.work(),
        )?;
        eprintln!(
            "   {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
            l.requests_per_sec, l.p50_ms, l.p99_ms
        );
        Ok(l)
    }

    fn sim(&self, name: &str, latency_ms: u64) -> Result<(Proc, String), String> {
        let port = free_port()?;
        let xks = free_port()?;
        let seed = self.work().join("world.json");
        std::fs::write(
            &seed,
            serde_json::to_string(&fixture::world()).map_err(|e| e.to_string())?,
        )
        .map_err(|e| e.to_string())?;
        let mut cmd = Command::new(&self.args.kms_sim);
        cmd.args(["--ephemeral", "--seed"])
            .arg(&seed)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--xks-listen", &format!("127.0.0.1:{xks}")])
            .args(["--connect-seconds", "0", "--disconnect-seconds", "0"])
            .args(["--latency-ms", &latency_ms.to_string()])
            .env("RUST_LOG", "warn");
        for c in fixture::sim_credentials() {
            cmd.args(["--credential", &c]);
        }
        Ok((
            Proc::spawn(name, &mut cmd, self.work())?,
            format!("http://127.0.0.1:{port}"),
        ))
    }

    async fn console(&self, name: &str, sim_url: &str) -> Result<(Proc, String), String> {
        fixture::write_profiles(self.work())?;
        let port = free_port()?;
        let mut cmd = Command::new(&self.args.console);
        cmd.args(["--backend", "aws", "--ephemeral"])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .arg("--site-root")
            .arg(&self.args.site_root)
            .env("CKS_TARGETS", fixture::console_targets().join(","))
            .env("CKS_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("CKS_LOG", "warn")
            .env("AWS_CONFIG_FILE", self.work().join("aws-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.work().join("aws-credentials"),
            )
            .env("AWS_ENDPOINT_URL_KMS", sim_url)
            .env("AWS_ENDPOINT_URL_STS", sim_url)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY");
        let mut p = Proc::spawn(name, &mut cmd, self.work())?;
        let url = format!("http://127.0.0.1:{port}");
        p.wait_http(&format!("{url}/healthz")).await?;
        Ok((p, url))
    }
}

/// Signs in as admin and returns the session cookie (`name=value`).
async fn sign_in(url: &str) -> Result<String, String> {
    let res = reqwest::Client::new()
        .post(format!("{url}/api/login"))
        .header("origin", url)
        .header("accept", "application/json")
        .form(&[("username", "admin"), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !res.status().is_success() {
        return Err(format!("sign-in answered {}", res.status()));
    }
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("cks_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
        .ok_or_else(|| "sign-in set no session cookie".to_string())
}

async fn get_page(url: &str, cookie: &str) -> Result<String, String> {
    let res = reqwest::Client::new()
        .get(url)
        .header("cookie", cookie)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = res.status();
    let body = res.text().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("{url} answered {status}"));
    }
    Ok(body)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    percentile(&xs, 0.5)
}

/// The value at fraction `p` of sorted figures (the nearest rank), or 0 when there are none.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn find_fakecloud(given: Option<PathBuf>) -> Option<PathBuf> {
    if given.is_some() {
        return given;
    }
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo/bin"));
    }
    dirs.into_iter()
        .map(|d| d.join("fakecloud"))
        .find(|p| p.is_file())
}

async fn run(args: RunArgs) -> Result<(), String> {
    let started = Instant::now();
    let mut b = Bench {
        args,
        work: tempfile::Builder::new()
            .prefix("cks-bench-")
            .tempdir()
            .map_err(|e| e.to_string())?,
        json: serde_json::Map::new(),
    };
    let total_stores = fixture::ACCOUNTS * fixture::REGIONS.len() * fixture::STORES_PER_TARGET;
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

    step("console on that fleet");
    let (console, console_url) = b.console("console-fleet", &sim_url).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (idle_rss, _) = console.memory_kib()?;
    let cookie = sign_in(&console_url).await?;
    let page = get_page(&format!("{console_url}/"), &cookie).await?;
    let shown = format!("{total_stores} of {total_stores} key stores");
    if !page.contains(&shown) {
        return Err(format!(
            "the fleet page does not say {shown:?}; is every target listed? (console log in {})",
            b.work().display()
        ));
    }
    let page_bytes = page.len();
    let signed_in = |path: &str| {
        load::Request::get(
            format!("{console_url}{path}"),
            vec![("Cookie".into(), cookie.clone())],
        )
    };
    let fleet_load = b.wrk("console-fleet", &signed_in("/"))?;
    let (_, peak_rss) = console.memory_kib()?;
    // The floor for any signed-in page: the session check and a small render, no KMS call.
    let about_load = b.wrk("console-about", &signed_in("/about"))?;

    // Browser payload and time to interactive, on the same console.
    step("browser payload and time to interactive");
    let assets = payload::assets(&page, &b.args.site_root)?;
    let tti = tti(&b, &console_url, &cookie);
    drop(console);
    drop(sim);

    // Fan-out: every KMS call takes 50 ms more.
    step("fan-out with 50 ms per KMS call");
    let (mut slow_sim, slow_url) = b.sim("kms-sim-slow", 50)?;
    slow_sim.wait_http(&slow_url).await?;
    fixture::populate(&slow_url).await?;
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
    let (call_p50, page_p50) = (median(call_ms), median(page_ms));

    // Workflow overhead, in process, transitions instant.
    step("workflow overhead");
    let overhead = workflow::measure(b.args.runs).await?;
    eprintln!(
        "   overhead p50 {:.1} ms (run {:.1} ms, KMS {:.1} ms)",
        overhead.overhead_p50_ms, overhead.wall_p50_ms, overhead.kms_p50_ms
    );

    // kms-sim against fakecloud.
    step("kms-sim against fakecloud");
    let peers = compare(&b).await;

    // The report.
    let machine = machine();
    b.json.insert("machine".into(), machine.clone());
    b.json.insert(
        "fleet_page".into(),
        json!({
            "targets": targets, "stores": total_stores, "created": created,
            "page_bytes": page_bytes,
            "hello": hello_load, "kms_sim_describe": sim_load, "console_about_page": about_load,
            "console_fleet_page": fleet_load,
            "ratio_to_hello": fleet_load.requests_per_sec / hello_load.requests_per_sec,
        }),
    );
    b.json.insert(
        "fan_out".into(),
        json!({"added_latency_ms": 50, "one_call_p50_ms": call_p50, "fleet_page_p50_ms": page_p50,
               "ratio": page_p50 / call_p50}),
    );
    b.json.insert("workflow".into(), json!(overhead));
    let (raw, gz, br) = assets.iter().fold((0, 0, 0), |(r, g, b), a| {
        (r + a.raw, g + a.gzip, b + a.brotli)
    });
    b.json.insert(
        "payload".into(),
        json!({"assets": assets, "raw": raw, "gzip": gz, "brotli": br,
               "tti": tti.as_ref().map_err(|e| e.to_string()).ok()}),
    );
    b.json.insert(
        "memory".into(),
        json!({"console_idle_rss_kib": idle_rss, "console_peak_rss_kib": peak_rss}),
    );
    b.json.insert("peers".into(), peers.clone());
    b.json.insert(
        "duration_s".into(),
        json!(started.elapsed().as_secs_f64().round()),
    );

    let md = report(
        &b,
        &Figures {
            hello: &hello_load,
            sim: &sim_load,
            fleet: &fleet_load,
            about: &about_load,
            targets,
            total_stores,
            page_bytes,
            call_p50,
            page_p50,
            overhead: &overhead,
            assets: &assets,
            tti: &tti,
            idle_rss,
            peak_rss,
            peers: &peers,
            machine: &machine,
        },
    )?;
    std::fs::write(b.args.out.join("BENCHMARKS.md"), md).map_err(|e| e.to_string())?;
    std::fs::write(
        b.args.out.join("benchmarks.json"),
        serde_json::to_string_pretty(&Value::Object(b.json.clone())).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    step(&format!(
        "wrote BENCHMARKS.md and benchmarks.json in {:.0} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

fn tti(b: &Bench, console_url: &str, cookie: &str) -> Result<Value, String> {
    let out = Command::new("node")
        .current_dir(&b.args.end2end)
        .args(["tti.mjs", &format!("{console_url}/"), cookie, "5"])
        .output()
        .map_err(|e| format!("cannot run node: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).map_err(|_| {
        let stderr = String::from_utf8_lossy(&out.stderr);
        // Playwright's errors run to a page of call log; the first line says what failed.
        let first = stderr
            .lines()
            .chain(stdout.lines())
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no output");
        format!("the time-to-interactive script failed: {}", first.trim())
    })
}

/// kms-sim and fakecloud side by side; the figures, or why fakecloud was left out.
async fn compare(b: &Bench) -> Value {
    let run = async {
        let (mut sim, sim_url) = b.sim("kms-sim-peer", 0)?;
        sim.wait_http(&sim_url).await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (sim_idle, _) = sim.memory_kib()?;
        let sim_peer = peers::Peer::local("kms-sim", sim_url.clone());
        let Some(fc_bin) = find_fakecloud(b.args.fakecloud.clone()) else {
            return Ok::<Value, String>(json!({
                "fakecloud": "not installed: cargo install fakecloud --version 0.51.0 --locked",
                "kms_sim_idle_rss_kib": sim_idle,
            }));
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
        let sim_describe = describe("peer-kms-sim-describe", &sim_url)?;
        let fc_describe = describe("peer-fakecloud-describe", &fc_url)?;
        Ok(json!({
            "fakecloud": fc_bin.display().to_string(),
            "store_kind": kind,
            "kms_sim_idle_rss_kib": sim_idle, "fakecloud_idle_rss_kib": fc_idle,
            "kms_sim_describe": sim_describe, "fakecloud_describe": fc_describe,
            "kms_sim_cycles": sim_cycles, "fakecloud_cycles": fc_cycles,
        }))
    };
    match run.await {
        Ok(v) => v,
        Err(e) => {
            eprintln!("   comparison failed: {e}");
            json!({ "error": e })
        }
    }
}

fn machine() -> Value {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpu = read("/proc/cpuinfo")
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_default();
    let wrk = Command::new("wrk")
        .arg("--version")
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .unwrap_or_default();
    json!({
        "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "cpu": cpu,
        "load_average": read("/proc/loadavg").split_whitespace().take(3).collect::<Vec<_>>().join(" "),
        "wrk": wrk,
        "date": Command::new("date").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default(),
    })
}

struct Figures<'a> {
    hello: &'a load::Load,
    about: &'a load::Load,
    sim: &'a load::Load,
    fleet: &'a load::Load,
    targets: usize,
    total_stores: usize,
    page_bytes: usize,
    call_p50: f64,
    page_p50: f64,
    overhead: &'a workflow::Overhead,
    assets: &'a [payload::Asset],
    tti: &'a Result<Value, String>,
    idle_rss: u64,
    peak_rss: u64,
    peers: &'a Value,
    machine: &'a Value,
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "**missed**"
    }
}

fn kib(bytes: u64) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn load_row(name: &str, l: &load::Load, base: &load::Load) -> String {
    format!(
        "| {name} | {:.0} | {:.2} | {:.2} | {:.1}% |\n",
        l.requests_per_sec,
        l.p50_ms,
        l.p99_ms,
        100.0 * l.requests_per_sec / base.requests_per_sec
    )
}

fn report(b: &Bench, f: &Figures) -> Result<String, String> {
    let mut md = String::new();
    md.push_str("# Benchmarks\n\n");
    md.push_str(
        "Written by `make bench` (`cks-bench run`); the raw figures are in `benchmarks.json`. ",
    );
    md.push_str("This machine is shared and noisy: read each figure against the baseline measured in the same run.\n\n");
    md.push_str(&format!(
        "Run: {}, {} CPUs ({}), load average before the run {}, {}; {} s of load per measurement at {} connections.\n\n",
        f.machine["date"].as_str().unwrap_or_default(),
        f.machine["cpus"],
        f.machine["cpu"].as_str().unwrap_or_default(),
        f.machine["load_average"].as_str().unwrap_or_default(),
        f.machine["wrk"].as_str().unwrap_or_default(),
        b.args.seconds,
        b.args.connections
    ));

    let ratio = f.fleet.requests_per_sec / f.hello.requests_per_sec;
    md.push_str("## Fleet page\n\n");
    md.push_str(&format!(
        "Server-side render of the list page (`GET /`, signed in) with {} targets × 10 stores ({} stores, the first {} rows shown, {} of HTML), the console reaching a separate kms-sim through aws-sdk-kms, with no added latency.\n\n",
        f.targets, f.total_stores, app::domain::fleet::PAGE_SIZE, kib(f.page_bytes as u64)
    ));
    md.push_str("| | requests/s | p50 ms | p99 ms | of hello |\n|---|---:|---:|---:|---:|\n");
    md.push_str(&load_row(
        "axum \"hello\" handler (baseline)",
        f.hello,
        f.hello,
    ));
    md.push_str(&load_row(
        "kms-sim DescribeCustomKeyStores, one target (10 stores)",
        f.sim,
        f.hello,
    ));
    md.push_str(&load_row(
        "console `/about`, signed in, no KMS call (the floor for a page)",
        f.about,
        f.hello,
    ));
    md.push_str(&load_row(
        "console fleet page, 40 targets",
        f.fleet,
        f.hello,
    ));
    md.push_str(&format!(
        "\nTarget: at least 25% of hello's requests/s ({:.1}%: {}), and p99 ≤ 50 ms ({:.2} ms: {}).\n\n",
        100.0 * ratio,
        verdict(ratio >= 0.25),
        f.fleet.p99_ms,
        verdict(f.fleet.p99_ms <= 50.0)
    ));

    md.push_str("## Fan-out\n\n");
    md.push_str("kms-sim adds 50 ms to every call. One DescribeCustomKeyStores call against the full fleet page (40 targets), median of 10 each, one at a time.\n\n");
    md.push_str("| | p50 ms |\n|---|---:|\n");
    md.push_str(&format!(
        "| one KMS call | {:.1} |\n| fleet page, 40 targets | {:.1} |\n",
        f.call_p50, f.page_p50
    ));
    md.push_str(&format!(
        "\nThe page takes {:.2}× one call. Target ≤ 2×: {}.\n\n",
        f.page_p50 / f.call_p50,
        verdict(f.page_p50 <= 2.0 * f.call_p50)
    ));

    let o = f.overhead;
    md.push_str("## Workflow overhead\n\n");
    md.push_str(&format!(
        "{} complete runs (disconnect, wait, update, connect, wait, verify) of an external key store through the console's runner, kms-sim's transitions set to 0. Each KMS call is timed where the console makes it ({} calls per run); the overhead is the run's wall time minus that.\n\n",
        o.runs, o.kms_calls_per_run
    ));
    md.push_str("| run p50 ms | KMS p50 ms | overhead p50 ms | overhead p90 ms | overhead max ms |\n|---:|---:|---:|---:|---:|\n");
    md.push_str(&format!(
        "| {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |\n",
        o.wall_p50_ms, o.kms_p50_ms, o.overhead_p50_ms, o.overhead_p90_ms, o.overhead_max_ms
    ));
    md.push_str(&format!(
        "\nTarget: overhead ≤ 50 ms (p50): {}.\n\n",
        verdict(o.overhead_p50_ms <= 50.0)
    ));

    md.push_str("## Browser payload\n\n");
    md.push_str("What the list page loads from `/pkg/` in the release build (wasm-opt applied), compressed at the highest level.\n\n");
    md.push_str("| file | raw | gzip | brotli |\n|---|---:|---:|---:|\n");
    let (mut raw, mut gz, mut br) = (0, 0, 0);
    for a in f.assets {
        md.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            a.file,
            kib(a.raw),
            kib(a.gzip),
            kib(a.brotli)
        ));
        raw += a.raw;
        gz += a.gzip;
        br += a.brotli;
    }
    md.push_str(&format!(
        "| **total** | {} | {} | {} |\n",
        kib(raw),
        kib(gz),
        kib(br)
    ));
    md.push_str(&format!(
        "\nTarget ≤ 300 KiB brotli: {}. For scale, the Leptos 0.8 starter (router and a counter) ships about 100 KiB brotli.\n\n",
        verdict(br <= 300 * 1024)
    ));
    match f.tti {
        Ok(t) => md.push_str(&format!(
            "Time to interactive of the list page in headless Chromium (cold cache, median of {}): hydrated after {:.0} ms, load event at {:.0} ms.\n\n",
            t["runs"], t["hydrated_ms"].as_f64().unwrap_or_default(), t["load_ms"].as_f64().unwrap_or_default()
        )),
        Err(e) => md.push_str(&format!("Time to interactive was not measured: {e}\n\n")),
    }

    md.push_str("## Memory\n\n");
    md.push_str(&format!(
        "| console | RSS |\n|---|---:|\n| idle, after start with 40 targets | {} |\n| peak, serving the fleet-page load above | {} |\n\n",
        mib(f.idle_rss),
        mib(f.peak_rss)
    ));

    md.push_str("## kms-sim against fakecloud\n\n");
    let p = f.peers;
    if let Some(e) = p.get("error") {
        md.push_str(&format!(
            "The comparison did not complete: {}\n\n",
            e.as_str().unwrap_or_default()
        ));
    } else if p.get("fakecloud_describe").is_none() {
        md.push_str(&format!(
            "fakecloud is {}; everything else ran. kms-sim idle RSS: {}.\n\n",
            p["fakecloud"].as_str().unwrap_or_default(),
            mib(p["kms_sim_idle_rss_kib"].as_u64().unwrap_or_default())
        ));
    } else {
        let rps = |k: &str| p[k]["requests_per_sec"].as_f64().unwrap_or_default();
        let cyc = |k: &str| p[k]["cycles_per_sec"].as_f64().unwrap_or_default();
        let ms = |k: &str, m: &str| p[k][m].as_f64().unwrap_or_default();
        md.push_str(&format!(
            "fakecloud 0.51 and kms-sim, each a separate process, the same requests from the same clients. Store type used by both: {}.\n\n",
            p["store_kind"].as_str().unwrap_or_default()
        ));
        md.push_str("| | kms-sim | fakecloud | kms-sim ÷ fakecloud |\n|---|---:|---:|---:|\n");
        md.push_str(&format!(
            "| DescribeCustomKeyStores (10 stores), requests/s at {} connections | {:.0} | {:.0} | {:.2} |\n",
            b.args.connections, rps("kms_sim_describe"), rps("fakecloud_describe"), rps("kms_sim_describe") / rps("fakecloud_describe")
        ));
        md.push_str(&format!(
            "| DescribeCustomKeyStores p50 / p99 ms | {:.2} / {:.2} | {:.2} / {:.2} | |\n",
            ms("kms_sim_describe", "p50_ms"),
            ms("kms_sim_describe", "p99_ms"),
            ms("fakecloud_describe", "p50_ms"),
            ms("fakecloud_describe", "p99_ms")
        ));
        md.push_str(&format!(
            "| Create → Describe → Delete, cycles/s (4 clients) | {:.0} | {:.0} | {:.2} |\n",
            cyc("kms_sim_cycles"),
            cyc("fakecloud_cycles"),
            cyc("kms_sim_cycles") / cyc("fakecloud_cycles")
        ));
        let rss = |k: &str| p[k].as_u64().unwrap_or_default();
        md.push_str(&format!(
            "| idle RSS after start | {} | {} | {:.2} |\n\n",
            mib(rss("kms_sim_idle_rss_kib")),
            mib(rss("fakecloud_idle_rss_kib")),
            rss("kms_sim_idle_rss_kib") as f64 / rss("fakecloud_idle_rss_kib").max(1) as f64
        ));
        md.push_str("kms-sim writes nothing here (`--ephemeral`); it validates every request against the KMS service model and checks every SigV4 signature. fakecloud serves a hundred services from one process.\n\n");
    }

    let findings = std::fs::read_to_string(&b.args.findings).unwrap_or_default();
    if !findings.trim().is_empty() {
        md.push_str(findings.trim_end());
        md.push('\n');
    }
    Ok(md)
}
