//! Command-line flags; each one also reads a `CKS_` environment variable.

use clap::builder::BoolishValueParser;
use clap::{Parser, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug, Clone)]
#[command(
    name = "cks-console",
    version,
    about = "A web console for AWS KMS custom key stores (CloudHSM and external key stores).",
    after_help = "On first start with no users, the user `admin` (operator) is created. Its password is \
                  taken from CKS_ADMIN_PASSWORD, or generated and printed once."
)]
pub struct Config {
    /// Address to listen on. Falls back to LEPTOS_SITE_ADDR, then 127.0.0.1:3000.
    #[arg(long, env = "CKS_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,

    /// Directory for the console's SQLite database and the embedded simulator's state.
    #[arg(
        long,
        env = "CKS_DATA_DIR",
        default_value = "./data",
        value_name = "DIR"
    )]
    pub data_dir: PathBuf,

    /// Keep state for this run only (a temporary directory removed at exit); nothing goes to the data directory.
    #[arg(long, env = "CKS_EPHEMERAL", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_value = "false", default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub ephemeral: bool,

    /// Which KMS to manage: the embedded simulator or AWS.
    #[arg(long, env = "CKS_BACKEND", value_enum, default_value_t = Backend::Sim)]
    pub backend: Backend,

    /// With --backend aws: a PROFILE@REGION to manage; repeat for more (default: the default profile and region).
    #[arg(long = "target", env = "CKS_TARGETS", value_delimiter = ',', value_parser = parse_target, value_name = "PROFILE@REGION")]
    pub targets: Vec<TargetSpec>,

    /// Log format on standard error.
    #[arg(long, env = "CKS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,

    /// Mark the session cookie Secure; set this when the console is served over HTTPS.
    #[arg(long, env = "CKS_SECURE_COOKIES", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_value = "false", default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub secure_cookies: bool,

    /// With the simulator: forget its saved stores and load the demo data again.
    #[arg(long, env = "CKS_RESET_DEMO", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_value = "false", default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub reset_demo: bool,

    /// With the simulator: how long CONNECTING and DISCONNECTING last, in milliseconds.
    #[arg(
        long,
        env = "CKS_SIM_TRANSITION_MS",
        default_value_t = 2000,
        value_name = "MS"
    )]
    pub sim_transition_ms: u64,

    /// With the simulator: write its access keys here (0600, in the AWS shared credentials
    /// format, one profile per account) so other tools can call its KMS API; new at each start.
    #[arg(long, env = "CKS_SIM_CREDENTIALS_FILE", value_name = "PATH")]
    pub sim_credentials_file: Option<PathBuf>,

    /// The most seconds between background reads of a quiet target (each target is read at once after
    /// the console's own change, and every second while a store changes state).
    #[arg(long, env = "CKS_REFRESH_INTERVAL", default_value_t = 30, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub refresh_interval: u64,

    /// Where to POST a JSON event when a store enters or leaves FAILED, or a target becomes
    /// unreadable or readable again; repeatable.
    #[arg(long = "notify-webhook", env = "CKS_NOTIFY_WEBHOOKS", value_delimiter = ',', value_parser = parse_webhook, value_name = "URL")]
    pub notify_webhooks: Vec<reqwest::Url>,

    /// The console's address as people reach it, for the links in notifications
    /// (default: http:// and the listen address).
    #[arg(long, env = "CKS_PUBLIC_URL", value_parser = parse_webhook, value_name = "URL")]
    pub public_url: Option<reqwest::Url>,

    /// A reverse proxy in front of the console (an address or a network such as 10.0.0.0/8),
    /// whose X-Forwarded-For entries name the client; repeatable. Without one the header is
    /// ignored, so a client cannot choose the address the sign-in throttle counts.
    #[arg(long = "trusted-proxy", env = "CKS_TRUSTED_PROXIES", value_delimiter = ',', value_parser = crate::forwarded::parse_trusted_proxy, value_name = "ADDR")]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// The header the trusted proxies append the client's address to: `x-forwarded-for`, or
    /// `forwarded` (RFC 7239, its `for=`). Only that one is read.
    #[arg(
        long,
        env = "CKS_FORWARDED_HEADER",
        value_name = "HEADER",
        default_value = "x-forwarded-for",
        requires = "trusted_proxies"
    )]
    pub forwarded_header: crate::forwarded::ForwardedHeader,

    /// Sign in through this OpenID Connect provider (its issuer URL; discovery finds the rest).
    /// The client secret comes from CKS_OIDC_CLIENT_SECRET only, never a flag.
    #[arg(long, env = "CKS_OIDC_ISSUER", value_parser = parse_webhook, value_name = "URL", requires = "oidc_client_id")]
    pub oidc_issuer: Option<reqwest::Url>,

    /// The console's client ID at the identity provider.
    #[arg(long, env = "CKS_OIDC_CLIENT_ID", value_name = "ID", requires = "oidc_issuer", value_parser = parse_printable)]
    pub oidc_client_id: Option<String>,

    /// The name on the sign-in page's button, "Sign in with NAME" (default: the issuer's host).
    #[arg(long, env = "CKS_OIDC_PROVIDER_NAME", value_name = "NAME", value_parser = parse_printable)]
    pub oidc_provider_name: Option<String>,

    /// The ID token claim that lists the user's groups.
    #[arg(long, env = "CKS_OIDC_GROUPS_CLAIM", default_value = "groups", value_name = "CLAIM", value_parser = parse_printable)]
    pub oidc_groups_claim: String,

    /// The scopes to ask the provider for besides `openid`, comma-separated
    /// (default: `profile` and the groups claim's name).
    #[arg(long = "oidc-scopes", env = "CKS_OIDC_SCOPES", value_delimiter = ',', value_parser = parse_scope, value_name = "SCOPE")]
    pub oidc_scopes: Vec<String>,

    /// Members of this group sign in as operators.
    #[arg(long, env = "CKS_OIDC_OPERATOR_GROUP", value_name = "GROUP", value_parser = parse_printable)]
    pub oidc_operator_group: Option<String>,

    /// Members of this group (and not of the operator group) sign in as viewers.
    #[arg(long, env = "CKS_OIDC_VIEWER_GROUP", value_name = "GROUP", value_parser = parse_printable)]
    pub oidc_viewer_group: Option<String>,

    /// A federated user's session ends this many hours after sign-in, whatever the activity.
    #[arg(long, env = "CKS_OIDC_SESSION_HOURS", default_value_t = 8, value_name = "HOURS", value_parser = clap::value_parser!(u32).range(1..=168))]
    pub oidc_session_hours: u32,

    /// Local accounts (user name and password) may sign in: keep them as a break-glass path with
    /// an identity provider, or turn them off.
    #[arg(long, env = "CKS_LOCAL_SIGN_IN", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_value = "true", default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub local_sign_in: bool,

    /// Directory with the built site (pkg/, favicon); cargo-leptos builds it into target/site.
    #[arg(long, env = "CKS_SITE_ROOT", value_name = "DIR")]
    pub site_root: Option<PathBuf>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    /// The embedded kms-sim and XKS proxy simulator (no AWS account needed).
    Sim,
    /// AWS KMS through the standard AWS configuration (profiles, environment, SSO).
    Aws,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetSpec {
    pub profile: String,
    pub region: String,
}

/// An http or https URL (a webhook, or the console's public address).
fn parse_webhook(s: &str) -> Result<reqwest::Url, String> {
    // The URL standard drops tabs and newlines silently; a pasted value with them is a mistake.
    if s.chars().any(char::is_control) {
        return Err("a URL has no control characters".into());
    }
    let url = reqwest::Url::parse(s).map_err(|e| format!("not a URL: {e}"))?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(url),
        _ => Err("expected an http:// or https:// URL with a host".into()),
    }
}

/// A name or identifier typed in a flag: printable, not empty, at most 256 characters.
fn parse_printable(s: &str) -> Result<String, String> {
    if s.is_empty() || s.chars().count() > 256 || s.chars().any(char::is_control) {
        return Err("expected 1 to 256 printable characters".into());
    }
    Ok(s.to_string())
}

/// An OAuth scope token (RFC 6749 §3.3): visible ASCII other than quotes and backslashes.
fn parse_scope(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
    if !ok {
        return Err(
            "a scope is 1 to 128 visible ASCII characters, without quotes or backslashes".into(),
        );
    }
    Ok(s.to_string())
}

fn parse_target(s: &str) -> Result<TargetSpec, String> {
    let (profile, region) = s
        .split_once('@')
        .ok_or_else(|| "expected PROFILE@REGION, for example default@us-east-1".to_string())?;
    let region_ok = !region.is_empty()
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if profile.is_empty() || !region_ok {
        return Err("expected PROFILE@REGION, for example default@us-east-1".to_string());
    }
    Ok(TargetSpec {
        profile: profile.to_string(),
        region: region.to_string(),
    })
}

impl Config {
    /// The base of links in notifications: `--public-url`, or the listen address.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.as_str().trim_end_matches('/').to_string(),
            None => match self.listen_addr() {
                Ok(addr) => format!("http://{addr}"),
                Err(_) => String::new(),
            },
        }
    }

    pub fn watch_settings(&self) -> crate::watch::WatchSettings {
        crate::watch::WatchSettings {
            refresh_interval: std::time::Duration::from_secs(self.refresh_interval),
            ..Default::default()
        }
    }

    pub fn listen_addr(&self) -> Result<SocketAddr, String> {
        if let Some(addr) = self.listen {
            return Ok(addr);
        }
        match std::env::var("LEPTOS_SITE_ADDR") {
            Ok(v) => v.parse().map_err(|_| {
                format!("LEPTOS_SITE_ADDR: '{v}' is not an address like 127.0.0.1:3000")
            }),
            Err(_) => Ok(SocketAddr::from(([127, 0, 0, 1], 3000))),
        }
    }
}

/// A bad flag or environment value: one line on standard error and exit code 2.
/// `--help` and `--version` print as usual.
pub fn exit_on_bad_arguments(err: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = err.print();
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("cks-console: {}", one_line(&err.to_string()));
            ExitCode::from(2)
        }
    }
}

fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
        .map(|l| l.trim_start_matches("error: "))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, clap::Error> {
        Config::try_parse_from(std::iter::once("cks-console").chain(args.iter().copied()))
    }

    #[test]
    fn defaults_are_the_embedded_simulator_on_disk() {
        let c = parse(&[]).unwrap();
        assert_eq!(c.backend, Backend::Sim);
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert!(!c.ephemeral);
        assert_eq!(c.log_format, LogFormat::Human);
    }

    #[test]
    fn targets_are_profile_at_region() {
        let c = parse(&[
            "--backend",
            "aws",
            "--target",
            "prod@eu-west-1",
            "--target",
            "dev@us-east-1",
        ])
        .unwrap();
        assert_eq!(c.targets.len(), 2);
        assert_eq!(c.targets[0].profile, "prod");
        assert_eq!(c.targets[1].region, "us-east-1");
        assert!(parse(&["--target", "nope"]).is_err());
        assert!(parse(&["--target", "p@EU WEST"]).is_err());
    }

    /// README "Configuration": a switch takes 1/0, true/false, yes/no or on/off, as a flag value
    /// or in its CKS_ variable; the bare flag means on.
    #[test]
    fn switches_take_what_people_type() {
        for (on, off) in [
            ("1", "0"),
            ("true", "false"),
            ("yes", "no"),
            ("on", "off"),
            ("YES", "Off"),
        ] {
            for (value, want) in [(on, true), (off, false)] {
                let c = parse(&[
                    &format!("--ephemeral={value}"),
                    &format!("--secure-cookies={value}"),
                    &format!("--reset-demo={value}"),
                ])
                .unwrap_or_else(|e| panic!("{value}: {e}"));
                assert_eq!(
                    (c.ephemeral, c.secure_cookies, c.reset_demo),
                    (want, want, want),
                    "{value}"
                );
            }
        }
        let c = parse(&["--ephemeral", "--secure-cookies", "--reset-demo"]).unwrap();
        assert!(c.ephemeral && c.secure_cookies && c.reset_demo);
        assert!(parse(&["--ephemeral=maybe"]).is_err());
    }

    #[test]
    fn bad_values_become_one_line() {
        let err = parse(&["--backend", "azure"]).unwrap_err();
        let line = one_line(&err.to_string());
        assert!(!line.contains('\n'));
        assert!(line.contains("azure"), "{line}");
        assert!(line.contains("sim"), "{line}");
    }
}
