//! `cks-bench`: the benchmarks of `make bench`. It starts release builds of the console and
//! kms-sim (and fakecloud, when installed) on 127.0.0.1, drives them with wrk, and writes
//! BENCHMARKS.md and benchmarks.json. Every figure sits next to a baseline from the same run.

mod fixture;
mod harness;
mod load;
mod payload;
mod peers;
mod procs;
mod report;
mod scenarios;
mod tti;
mod workflow;

use clap::{Parser, Subcommand};
use harness::{step, Bench, Machine, RunArgs};
use report::Report;
use std::time::Instant;

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
    /// Start the fleet page's setup (kms-sim with 40 targets, quota on, and the console), print
    /// the console's address and a signed-in cookie, and keep both running until interrupted:
    /// for profiling a page by hand (`perf`, `wrk`).
    Serve(RunArgs),
    /// The baseline: a static axum "hello" handler.
    Hello {
        #[arg(long)]
        listen: std::net::SocketAddr,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let result = match cli.command {
        Cmd::Hello { listen } => rt.block_on(hello(listen)),
        Cmd::Run(args) => rt.block_on(run(args)),
        Cmd::Serve(args) => rt.block_on(scenarios::fleet::serve(args)),
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

async fn run(args: RunArgs) -> Result<(), String> {
    let started = Instant::now();
    let b = Bench::new(args)?;
    let machine = Machine::now();
    let fleet = scenarios::fleet::measure(&b).await?;
    let fan_out = scenarios::fan_out::measure(&b).await?;
    step("workflow overhead");
    let workflow = workflow::measure(b.args.runs).await?;
    eprintln!(
        "   overhead p50 {:.1} ms (run {:.1} ms, KMS {:.1} ms)",
        workflow.overhead_p50_ms, workflow.wall_p50_ms, workflow.kms_p50_ms
    );
    let peers = scenarios::comparison::measure(&b).await;
    let report = Report {
        machine,
        fleet_page: fleet.page,
        quota: fleet.quota,
        change_latency: fleet.latency,
        fan_out,
        workflow,
        payload: fleet.payload,
        memory: fleet.memory,
        peers,
        duration_s: started.elapsed().as_secs_f64().round(),
    };
    let findings = std::fs::read_to_string(&b.args.findings).unwrap_or_default();
    let settings = report::Settings {
        seconds: b.args.seconds,
        connections: b.args.connections,
    };
    std::fs::write(
        b.args.out.join("BENCHMARKS.md"),
        report.markdown(&settings, &findings),
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(
        b.args.out.join("benchmarks.json"),
        serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    step(&format!(
        "wrote BENCHMARKS.md and benchmarks.json in {:.0} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}
