//! `cks-console`: parses the configuration, then hands over to the library.

use clap::Parser;
use server::config::Config;
use std::process::ExitCode;

/// Many small, short-lived allocations per request: see server/Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let config = match Config::try_parse() {
        Ok(c) => c,
        Err(e) => return server::config::exit_on_bad_arguments(e),
    };
    server::telemetry::init(config.log_format);
    match server::run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cks-console: {e}");
            ExitCode::FAILURE
        }
    }
}
