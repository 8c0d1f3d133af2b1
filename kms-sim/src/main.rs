//! `kms-sim`: the KMS custom key store simulator and XKS proxy simulator, on their own.

use clap::Parser;
use kms_sim::config::HostRoute;
use kms_sim::{Credential, Initial, SimConfig};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "kms-sim",
    version,
    about = "A local AWS KMS custom key store service with an XKS proxy simulator."
)]
struct Args {
    /// Address of the KMS API (AWS JSON 1.1, SigV4) and the admin API under /_sim.
    #[arg(long, env = "KMS_SIM_LISTEN", default_value = "127.0.0.1:4599")]
    listen: SocketAddr,
    /// Address of the XKS proxy simulator (HTTPS); *.xks.sim.internal endpoints reach it.
    #[arg(long, env = "KMS_SIM_XKS_LISTEN", default_value = "127.0.0.1:4600")]
    xks_listen: SocketAddr,
    /// Directory for the SQLite state and the simulator's CA.
    #[arg(
        long,
        env = "KMS_SIM_DATA",
        default_value = "./data/kms-sim",
        conflicts_with = "ephemeral"
    )]
    data: PathBuf,
    /// Keep everything in memory.
    #[arg(long, env = "KMS_SIM_EPHEMERAL")]
    ephemeral: bool,
    /// A JSON world (clusters, VPC endpoint services, XKS proxies) for a first start.
    #[arg(long, env = "KMS_SIM_SEED", conflicts_with = "demo")]
    seed: Option<PathBuf>,
    /// Load the demo stores (two accounts, two regions) on a first start.
    #[arg(long, env = "KMS_SIM_DEMO")]
    demo: bool,
    /// Forget the saved state and start from the seed or demo data again.
    #[arg(long)]
    reset: bool,
    /// Seconds CONNECTING lasts.
    #[arg(long, env = "KMS_SIM_CONNECT_SECONDS", default_value_t = 2.0)]
    connect_seconds: f64,
    /// Seconds DISCONNECTING lasts.
    #[arg(long, env = "KMS_SIM_DISCONNECT_SECONDS", default_value_t = 2.0)]
    disconnect_seconds: f64,
    /// Custom key stores per account and region.
    #[arg(long, env = "KMS_SIM_QUOTA", default_value_t = 10)]
    quota: usize,
    /// Timeout of GetHealthStatus calls to proxies, in milliseconds.
    #[arg(long, env = "KMS_SIM_PROBE_TIMEOUT_MS", default_value_t = 250)]
    probe_timeout_ms: u64,
    /// More access keys: ACCESS_KEY:SECRET:ACCOUNT (test:test:000000000000 is always there).
    #[arg(long = "credential", value_name = "KEY:SECRET:ACCOUNT")]
    credentials: Vec<Credential>,
    /// Reach a proxy host name at a local address: HOST=ADDR, e.g. proxy.example.com=127.0.0.1:8443.
    #[arg(long = "map-host", value_name = "HOST=ADDR")]
    host_routes: Vec<HostRoute>,
    /// Also trust this CA (PEM file) for proxy certificates, e.g. a local proxy's own CA.
    #[arg(long = "trust-ca", value_name = "FILE")]
    trusted_cas: Vec<PathBuf>,
    /// Requests per second for each custom key store operation, per account and Region, as KMS
    /// allows (ThrottlingException beyond); 0 turns the quota off, for load tests of kms-sim.
    #[arg(long, env = "KMS_SIM_REQUEST_QUOTA", default_value_t = kms_sim::quota::KMS_DEFAULT)]
    request_quota: u32,
    /// Require this bearer token on the admin API under /_sim (all but /_sim/health). Prefer the
    /// variable: a flag shows in process listings.
    #[arg(long, env = "KMS_SIM_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// Milliseconds added to every KMS API call, like a distant region (for benchmarks).
    #[arg(long, env = "KMS_SIM_LATENCY_MS", default_value_t = 0)]
    latency_ms: u64,
}

fn seconds(s: f64) -> Result<Duration, String> {
    Duration::try_from_secs_f64(s).map_err(|_| format!("{s} is not a number of seconds"))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e)
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            ) =>
        {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!(
                "kms-sim: {}",
                e.to_string()
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim_start_matches("error: ")
            );
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KMS_SIM_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let initial = if args.demo {
        Initial::Demo
    } else if let Some(path) = &args.seed {
        let world = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()));
        match world {
            Ok(w) => Initial::Seed(w),
            Err(e) => {
                eprintln!("kms-sim: seed file {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    } else {
        Initial::Empty
    };
    let (connect, disconnect) = match (
        seconds(args.connect_seconds),
        seconds(args.disconnect_seconds),
    ) {
        (Ok(c), Ok(d)) => (c, d),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("kms-sim: {e}");
            return ExitCode::from(2);
        }
    };
    let mut trusted_cas = Vec::new();
    for path in &args.trusted_cas {
        match std::fs::read_to_string(path) {
            Ok(pem) => trusted_cas.push(pem),
            Err(e) => {
                eprintln!("kms-sim: --trust-ca {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    let mut credentials = vec![Credential::test()];
    credentials.extend(args.credentials);
    let config = SimConfig {
        listen: args.listen,
        xks_listen: args.xks_listen,
        data_dir: (!args.ephemeral).then_some(args.data),
        credentials,
        connect_duration: connect,
        disconnect_duration: disconnect,
        quota: args.quota,
        probe_timeout: Duration::from_millis(args.probe_timeout_ms),
        host_routes: args.host_routes,
        trusted_cas,
        initial,
        reset: args.reset,
        latency: Duration::from_millis(args.latency_ms),
        admin_token: args.admin_token.filter(|t| !t.is_empty()),
        request_quota: args.request_quota,
    };
    let guarded = config.admin_token.is_some();
    let running = match kms_sim::start(config).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kms-sim: {e}");
            return ExitCode::FAILURE;
        }
    };
    // For the terminal. A closed standard output (`kms-sim | head -1`) loses it, and the
    // simulator goes on serving.
    let banner = format!(
        "kms-sim KMS endpoint:  {url}  (credentials test/test, account 000000000000)\n\
         XKS proxy simulator:   https://{xks}  (endpoints https://<name>.{domain})\n\
         admin API:             {url}/_sim/world{guard}\n\
         try: AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test aws --region us-east-1 --endpoint-url {url} kms describe-custom-key-stores\n",
        url = running.kms_url(),
        xks = running.xks_addr(),
        domain = kms_sim::xks::SIM_DOMAIN,
        guard = if guarded {
            "  (Authorization: Bearer <admin token>)"
        } else {
            ""
        },
    );
    {
        use std::io::Write;
        let mut out = std::io::stdout();
        let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
    }
    let _ = tokio::signal::ctrl_c().await;
    ExitCode::SUCCESS
}
