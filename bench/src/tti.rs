//! The list page's time to interactive, measured in Debian's Chromium by `end2end/tti.mjs`.

use crate::harness::Bench;
use serde::{Deserialize, Serialize};
use std::process::Command;

/// What the script prints on its last line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tti {
    pub runs: u32,
    /// The median moment the page was hydrated, from navigation start.
    pub hydrated_ms: f64,
    pub load_ms: f64,
    pub all_hydrated_ms: Vec<f64>,
    /// The `pkg/...` files the browser fetched for the page (the first, cold run).
    #[serde(default)]
    pub assets: Vec<String>,
}

/// Cold loads of the list page (15: a single load varies by a third on a busy machine); or why
/// they could not be measured.
pub fn measure(b: &Bench, console_url: &str, cookie: &str) -> Result<Tti, String> {
    let out = Command::new("node")
        .current_dir(&b.args.end2end)
        .args(["tti.mjs", &format!("{console_url}/"), cookie, "15"])
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
