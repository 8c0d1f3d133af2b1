//! The binary's flags, as a newcomer meets them.

use std::process::Command;

fn console() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cks-console"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    c
}

/// `--help` names each flag with its environment variable.
fn assert_in_help(pairs: &[(&str, &str)]) {
    let out = console().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for (flag, env) in pairs {
        assert!(help.contains(flag), "{flag} missing from --help");
        assert!(help.contains(env), "{env} missing from --help");
    }
}

#[test]
fn help_documents_every_flag_with_its_environment_variable() {
    assert_in_help(&[
        ("--listen", "CKS_LISTEN"),
        ("--data-dir", "CKS_DATA_DIR"),
        ("--ephemeral", "CKS_EPHEMERAL"),
        ("--backend", "CKS_BACKEND"),
        ("--target", "CKS_TARGETS"),
        ("--log-format", "CKS_LOG_FORMAT"),
        ("--secure-cookies", "CKS_SECURE_COOKIES"),
        ("--site-root", "CKS_SITE_ROOT"),
        ("--reset-demo", "CKS_RESET_DEMO"),
        ("--trusted-proxy", "CKS_TRUSTED_PROXIES"),
        ("--forwarded-header", "CKS_FORWARDED_HEADER"),
    ]);
}

#[test]
fn a_bad_flag_value_is_one_line_and_exit_code_2() {
    for args in [
        vec!["--backend", "azure"],
        vec!["--listen", "not-an-address"],
        vec!["--target", "nope"],
        vec!["--trusted-proxy", "proxy.internal"],
        vec!["--trusted-proxy", "10.0.0.0/33"],
        vec!["--trusted-proxy", "0.0.0.0/0"],
        vec![
            "--trusted-proxy",
            "127.0.0.1",
            "--forwarded-header",
            "x-real-ip",
        ],
        // A header to read, but no proxy to believe it from: a mistake, said at start.
        vec!["--forwarded-header", "forwarded"],
    ] {
        let out = console().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("cks-console: "), "{err}");
        assert!(!err.contains("panicked"));
    }
}

#[test]
fn a_bad_environment_value_is_refused_the_same_way() {
    let out = console().env("CKS_LOG_FORMAT", "xml").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("xml"));
}

#[test]
fn a_bad_listen_address_from_leptos_site_addr_is_a_clear_error() {
    let out = console()
        .args(["--ephemeral"])
        .env("LEPTOS_SITE_ADDR", "nowhere")
        .env("CKS_ADMIN_PASSWORD", "long-enough-pw")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("LEPTOS_SITE_ADDR"), "{err}");
}

/// The README's example `CKS_EPHEMERAL=1 make run`, and the other spellings of "on" it names:
/// the console starts and keeps nothing in ./data.
#[test]
fn the_readme_switch_values_start_an_ephemeral_console() {
    for value in ["1", "true", "yes", "on"] {
        let dir = tempfile::tempdir().unwrap();
        let (first, status) = first_log_line(
            console()
                .current_dir(dir.path())
                .args(["--listen", "127.0.0.1:0", "--log-format", "json"])
                .env("CKS_EPHEMERAL", value)
                .env("CKS_ADMIN_PASSWORD", "long-enough-pw"),
        );
        assert!(
            status.is_none(),
            "CKS_EPHEMERAL={value}: exited early: {first}"
        );
        assert!(
            first.contains("listening"),
            "CKS_EPHEMERAL={value}: {first}"
        );
        assert!(
            !dir.path().join("data").exists(),
            "CKS_EPHEMERAL={value} wrote ./data"
        );
    }
    let out = console().env("CKS_EPHEMERAL", "maybe").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("maybe"));
}

/// Starts the console, reads its first line on standard error, and stops it. The status is
/// Some when the console had already exited.
fn first_log_line(cmd: &mut Command) -> (String, Option<std::process::ExitStatus>) {
    use std::io::{BufRead, BufReader};
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let line = BufReader::new(child.stderr.take().unwrap())
        .lines()
        .next()
        .and_then(Result::ok)
        .unwrap_or_default();
    let status = child.try_wait().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    (line, status)
}

/// A console on a free port, keeping nothing, logging JSON lines to standard error.
fn ephemeral_with_json_logs() -> Command {
    let mut c = console();
    c.args([
        "--ephemeral",
        "--listen",
        "127.0.0.1:0",
        "--log-format",
        "json",
    ])
    .env("CKS_ADMIN_PASSWORD", "long-enough-pw");
    c
}

#[test]
fn json_logs_are_one_json_object_a_line() {
    let (line, _) = first_log_line(&mut ephemeral_with_json_logs());
    let log: serde_json::Value =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    assert_eq!(log["level"], "INFO");
    assert_eq!(log["fields"]["message"], "listening");
    assert!(!line.contains("long-enough-pw"));
}

/// README "Sign in with your identity provider": the client secret is never a flag (it would show
/// in process listings), the OIDC flags are in --help with their variables, and settings with which
/// nobody could sign in are refused at start with one line.
#[test]
fn the_identity_provider_settings_are_checked_at_start() {
    assert_in_help(&[
        ("--oidc-issuer", "CKS_OIDC_ISSUER"),
        ("--oidc-client-id", "CKS_OIDC_CLIENT_ID"),
        ("--oidc-groups-claim", "CKS_OIDC_GROUPS_CLAIM"),
        ("--oidc-scopes", "CKS_OIDC_SCOPES"),
        ("--oidc-operator-group", "CKS_OIDC_OPERATOR_GROUP"),
        ("--oidc-viewer-group", "CKS_OIDC_VIEWER_GROUP"),
        ("--oidc-session-hours", "CKS_OIDC_SESSION_HOURS"),
        ("--local-sign-in", "CKS_LOCAL_SIGN_IN"),
        ("--oidc-issuer", "CKS_OIDC_CLIENT_SECRET"),
    ]);
    let out = console()
        .args(["--oidc-client-secret", "s3cret"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "no secret flag");

    for (args, says) in [
        (
            vec![
                "--ephemeral",
                "--oidc-issuer",
                "http://127.0.0.1:9",
                "--oidc-client-id",
                "c",
            ],
            "--oidc-operator-group",
        ),
        (vec!["--ephemeral", "--local-sign-in=off"], "--oidc-issuer"),
        (
            vec!["--ephemeral", "--oidc-issuer", "http://127.0.0.1:9"],
            "--oidc-client-id",
        ),
        (vec!["--oidc-session-hours", "0"], "0"),
        (vec!["--oidc-operator-group", "ops\u{7}"], "printable"),
        (vec!["--oidc-scopes", "profile,a b"], "scope"),
    ] {
        let out = console().args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} started");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// A console asked to stop (SIGTERM, as systemd and container runtimes send it) with a live page
/// open ends that page's event stream and exits, instead of waiting for the browser to leave.
#[cfg(unix)]
#[tokio::test]
async fn a_console_asked_to_stop_with_a_live_page_open_exits() {
    use std::io::{BufRead, BufReader};
    let mut child = console()
        .args(["--ephemeral", "--listen", "127.0.0.1:0"])
        .env("CKS_ADMIN_PASSWORD", "stop-test-password")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // "cks-console VERSION listening on http://ADDR"; the rest of its output is read on, so that
    // its next lines do not meet a closed pipe.
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    std::thread::spawn(move || lines.for_each(drop));
    let url = first
        .split_whitespace()
        .last()
        .filter(|u| u.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_string();
    let http = reqwest::Client::new();
    let signed_in = http
        .post(format!("{url}/api/login"))
        .header("origin", &url)
        .header("accept", "application/json")
        .form(&[("username", "admin"), ("password", "stop-test-password")])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);
    let cookie = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("cks_session="))
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_string();
    let mut events = http
        .get(format!("{url}/api/events"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    // The stream ends (a keep-alive comment may come first)...
    let ended = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while let Ok(Some(_)) = events.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the event stream stayed open after SIGTERM");
    // ...and the console exits, successfully.
    let mut status = None;
    for _ in 0..300 {
        status = child.try_wait().unwrap();
        if status.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let status = status.expect("the console still runs 30 s after SIGTERM");
    assert!(status.success(), "{status:?}");
}

/// `cks-console | head -1`, or a service manager that closes standard output: the lines meant
/// for the terminal are lost, and the console still starts and serves.
#[test]
fn a_closed_standard_output_does_not_stop_the_console() {
    use std::io::{BufRead, BufReader, Read};
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = ephemeral_with_json_logs()
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let mut addr = None;
    for line in stderr.by_ref().lines().map_while(Result::ok) {
        seen.push_str(&line);
        seen.push('\n');
        if let Ok(log) = serde_json::from_str::<serde_json::Value>(&line) {
            if log["fields"]["message"] == "listening" {
                addr = log["fields"]["addr"].as_str().map(str::to_string);
                break;
            }
        }
    }
    // Whatever it writes later is drained, so that standard error never fills up.
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut stderr, &mut std::io::sink());
    });
    let addr = addr.unwrap_or_else(|| panic!("never listened: {seen}"));
    let answer = get_status_line(&addr, "/login");
    let still_running = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(answer, "HTTP/1.1 200 OK", "after {seen}");
    assert!(still_running, "the console exited after answering");
}

/// The status line of a plain HTTP/1.1 GET, or what went wrong.
fn get_status_line(addr: &str, path: &str) -> String {
    use std::io::{BufRead, BufReader, Write};
    let mut stream = match std::net::TcpStream::connect(addr) {
        Ok(s) => s,
        Err(e) => return format!("connect: {e}"),
    };
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(10)));
    if let Err(e) = write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    ) {
        return format!("write: {e}");
    }
    let mut line = String::new();
    match BufReader::new(stream).read_line(&mut line) {
        Ok(_) => line.trim_end().to_string(),
        Err(e) => format!("read: {e}"),
    }
}
