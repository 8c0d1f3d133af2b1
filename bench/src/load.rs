//! Bounded load with wrk (Debian's `wrk`): a fixed number of connections for a fixed time.
//! A Lua script sets the request and prints the figures as one JSON line.

use serde::Serialize;
use std::path::Path;
use std::process::Command;
use std::time::SystemTime;

/// One wrk run's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Load {
    pub connections: u32,
    pub seconds: u32,
    pub requests: u64,
    pub requests_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub mean_ms: f64,
    /// Socket errors and timeouts.
    pub errors: u64,
    /// Answers other than 2xx and 3xx.
    pub non_2xx: u64,
}

/// The request wrk sends over and over.
pub struct Request {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    pub fn get(url: String, headers: Vec<(String, String)>) -> Request {
        Request {
            method: "GET",
            url,
            headers,
            body: String::new(),
        }
    }
}

fn lua_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn run(
    name: &str,
    req: &Request,
    connections: u32,
    seconds: u32,
    work_dir: &Path,
) -> Result<Load, String> {
    let mut script = format!(
        "wrk.method = {}\nwrk.body = {}\n",
        lua_string(req.method),
        lua_string(&req.body)
    );
    for (k, v) in &req.headers {
        script.push_str(&format!(
            "wrk.headers[{}] = {}\n",
            lua_string(k),
            lua_string(v)
        ));
    }
    script.push_str(
        r#"done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH {\"requests\":%d,\"duration_us\":%d,\"errors\":%d,\"non_2xx\":%d,\"p50_us\":%d,\"p99_us\":%d,\"mean_us\":%.1f}\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
"#,
    );
    let path = work_dir.join(format!("{name}.lua"));
    std::fs::write(&path, script).map_err(|e| format!("{}: {e}", path.display()))?;
    let threads = connections.min(2);
    let out = Command::new("wrk")
        .arg(format!("-t{threads}"))
        .arg(format!("-c{connections}"))
        .arg(format!("-d{seconds}s"))
        .arg("--timeout")
        .arg("10s")
        .arg("-s")
        .arg(&path)
        .arg(&req.url)
        .output()
        .map_err(|e| format!("cannot run wrk (apt-get install wrk): {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("BENCH "))
        .ok_or_else(|| {
            format!(
                "wrk printed no figures for {name}: {stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
    let v: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let n = |k: &str| v[k].as_f64().unwrap_or_default();
    let duration_s = n("duration_us") / 1e6;
    let load = Load {
        connections,
        seconds,
        requests: n("requests") as u64,
        requests_per_sec: if duration_s > 0.0 {
            n("requests") / duration_s
        } else {
            0.0
        },
        p50_ms: n("p50_us") / 1000.0,
        p99_ms: n("p99_us") / 1000.0,
        mean_ms: n("mean_us") / 1000.0,
        errors: n("errors") as u64,
        non_2xx: n("non_2xx") as u64,
    };
    if load.requests == 0 || load.non_2xx * 100 > load.requests {
        return Err(format!(
            "{name}: {} requests, {} not 2xx: the target refused the load",
            load.requests, load.non_2xx
        ));
    }
    Ok(load)
}

/// A KMS JSON 1.1 request signed with SigV4 now; wrk sends it unchanged for the next minutes,
/// well inside the 15 minutes a signature is accepted.
pub fn signed_kms(
    base_url: &str,
    operation: &str,
    body: &str,
    region: &str,
    akid: &str,
    secret: &str,
) -> Result<Request, String> {
    let host = base_url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let url = format!("http://{host}/");
    let target = format!("TrentService.{operation}");
    let headers = [
        ("host", host.as_str()),
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", target.as_str()),
    ];
    let signature = kms_sim::sigv4::Signer {
        access_key_id: akid,
        secret,
        region,
        service: "kms",
        at: SystemTime::now(),
    }
    .headers("POST", &url, &headers, body.as_bytes())?;
    // wrk sets Host from the URL; a second one would be sent twice.
    let sent = headers[1..]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .chain(signature)
        .collect();
    Ok(Request {
        method: "POST",
        url,
        headers: sent,
        body: body.to_string(),
    })
}
