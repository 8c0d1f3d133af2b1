//! What every scenario uses: the run's settings and scratch directory, wrk, starting kms-sim
//! and the console, signing in, and the statistics.

use crate::fixture;
use crate::load;
use crate::procs::{free_port, Proc};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What `cks-bench run` is told.
#[derive(clap::Args)]
pub struct RunArgs {
    /// The release console binary.
    #[arg(long)]
    pub console: PathBuf,
    /// The release kms-sim binary.
    #[arg(long)]
    pub kms_sim: PathBuf,
    /// The release site (cargo leptos build --release).
    #[arg(long)]
    pub site_root: PathBuf,
    /// fakecloud, if installed (looked up on PATH and in ~/.cargo/bin otherwise).
    #[arg(long)]
    pub fakecloud: Option<PathBuf>,
    /// Seconds of load per measurement.
    #[arg(long, default_value_t = 10)]
    pub seconds: u32,
    /// Concurrent connections of the load generator.
    #[arg(long, default_value_t = 32)]
    pub connections: u32,
    /// Workflow runs measured.
    #[arg(long, default_value_t = 30)]
    pub runs: usize,
    /// Where BENCHMARKS.md and benchmarks.json go.
    #[arg(long, default_value = ".")]
    pub out: PathBuf,
    /// Hand-written findings included in BENCHMARKS.md.
    #[arg(long, default_value = "bench/FINDINGS.md")]
    pub findings: PathBuf,
    /// The directory with node_modules for the time-to-interactive script.
    #[arg(long, default_value = "end2end")]
    pub end2end: PathBuf,
}

/// The console's first admin in every run.
pub const ADMIN_PASSWORD: &str = "bench-admin-password";

pub fn step(what: &str) {
    eprintln!("== {what}");
}

pub struct Bench {
    pub args: RunArgs,
    work: tempfile::TempDir,
}

impl Bench {
    pub fn new(args: RunArgs) -> Result<Bench, String> {
        Ok(Bench {
            args,
            work: tempfile::Builder::new()
                .prefix("cks-bench-")
                .tempdir()
                .map_err(|e| e.to_string())?,
        })
    }

    pub fn work(&self) -> &Path {
        self.work.path()
    }

    pub fn wrk(&self, name: &str, req: &load::Request) -> Result<load::Load, String> {
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

    pub fn sim(&self, name: &str, latency_ms: u64) -> Result<(Proc, String), String> {
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
            // Off for kms-sim's own load run and the fixture's creates; the fleet scenario turns
            // KMS's quota on for every target before it starts the console.
            .args(["--request-quota", "0"])
            .env("RUST_LOG", "warn");
        for c in fixture::sim_credentials() {
            cmd.args(["--credential", &c]);
        }
        Ok((
            Proc::spawn(name, &mut cmd, self.work())?,
            format!("http://127.0.0.1:{port}"),
        ))
    }

    pub async fn console(&self, name: &str, sim_url: &str) -> Result<(Proc, String), String> {
        fixture::write_profiles(self.work())?;
        let port = free_port()?;
        let mut cmd = Command::new(&self.args.console);
        cmd.args(["--backend", "aws", "--ephemeral"])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .arg("--site-root")
            .arg(&self.args.site_root)
            .env("CKS_TARGETS", fixture::console_targets().join(","))
            .env("CKS_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env(
                "CKS_REFRESH_INTERVAL",
                crate::scenarios::live::REFRESH_INTERVAL_S.to_string(),
            )
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
pub async fn sign_in(url: &str) -> Result<String, String> {
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

pub async fn get_page(url: &str, cookie: &str) -> Result<String, String> {
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

pub fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    percentile(&xs, 0.5)
}

/// The value at fraction `p` of sorted figures (the nearest rank), or 0 when there are none.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

pub fn find_fakecloud(given: Option<PathBuf>) -> Option<PathBuf> {
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

/// The machine a run measured, for the report's first line.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cpus: usize,
    pub cpu: String,
    pub load_average: String,
    pub wrk: String,
    pub date: String,
}

impl Machine {
    pub fn now() -> Machine {
        let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
        let first_line = |cmd: &mut Command| {
            cmd.output()
                .map(|o| {
                    String::from_utf8_lossy(&o.stdout)
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .to_string()
                })
                .unwrap_or_default()
        };
        Machine {
            cpus: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(0),
            cpu: read("/proc/cpuinfo")
                .lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
                .unwrap_or_default(),
            load_average: read("/proc/loadavg")
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" "),
            wrk: first_line(Command::new("wrk").arg("--version")),
            date: first_line(Command::new("date").arg("-u")),
        }
    }
}
