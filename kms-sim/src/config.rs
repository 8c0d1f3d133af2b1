//! How a simulator is set up: its listeners, the access keys it accepts, its timings and
//! quotas, where proxy hosts are reached, and what it starts with.

use crate::model;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// One access key the simulator accepts, and the account it belongs to.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub account_id: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("access_key_id", &self.access_key_id)
            .field("account_id", &self.account_id)
            .finish_non_exhaustive()
    }
}

impl Credential {
    /// The default credential: `test` / `test` in account 000000000000.
    pub fn test() -> Self {
        Credential {
            access_key_id: "test".into(),
            secret_access_key: "test".into(),
            account_id: "000000000000".into(),
        }
    }

    /// A random access key for `account`, in the shape of an AWS one (AKIA and 16 characters,
    /// a 40-character secret): what an embedded simulator accepts instead of `test`/`test`.
    pub fn random(account: &str) -> Self {
        const SECRET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        Credential {
            access_key_id: format!("AKIA{}", random_chars(BASE32, 16)),
            secret_access_key: random_chars(SECRET, 40),
            account_id: account.into(),
        }
    }
}

/// The characters of AWS access key IDs and of XKS access key IDs (A-Z and 2-7).
pub const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// `n` characters drawn at random from `alphabet`.
pub fn random_chars(alphabet: &[u8], n: usize) -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
        .collect()
}

/// A random bearer token for the admin API: 32 random bytes, hex.
pub fn random_token() -> String {
    use rand::Rng;
    hex::encode(rand::thread_rng().gen::<[u8; 32]>())
}

impl std::str::FromStr for Credential {
    type Err = String;

    /// `ACCESS_KEY:SECRET:ACCOUNT`.
    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.splitn(3, ':').collect();
        match parts[..] {
            [akid, secret, account]
                if !akid.is_empty()
                    && !secret.is_empty()
                    && account.len() == 12
                    && account.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Ok(Credential {
                    access_key_id: akid.into(),
                    secret_access_key: secret.into(),
                    account_id: account.into(),
                })
            }
            _ => Err("expected ACCESS_KEY:SECRET:ACCOUNT with a 12-digit account".into()),
        }
    }
}

/// What the world and the stores look like on a first start (nothing saved yet).
#[derive(Clone, Debug, Default)]
pub enum Initial {
    #[default]
    Empty,
    /// The demo data shared with the console (`demo.rs`).
    Demo,
    /// A seed file: a JSON world (clusters, VPC endpoint services, XKS proxies).
    Seed(model::World),
}

#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Where the KMS API (and the admin API under /_sim) listens; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Where the XKS proxy simulator listens (HTTPS).
    pub xks_listen: SocketAddr,
    /// SQLite state and the simulator CA live here; None keeps everything in memory.
    pub data_dir: Option<PathBuf>,
    pub credentials: Vec<Credential>,
    /// How long CONNECTING and DISCONNECTING last.
    pub connect_duration: Duration,
    pub disconnect_duration: Duration,
    /// Custom key stores per account and region.
    pub quota: usize,
    /// KMS's timeout for proxy calls.
    pub probe_timeout: Duration,
    /// Extra host name mappings for proxy endpoints (the simulator's domain is always mapped).
    pub host_routes: Vec<HostRoute>,
    /// More CA certificates (PEM) to trust for proxies, beside the simulator's CA and the system roots.
    pub trusted_cas: Vec<String>,
    pub initial: Initial,
    /// Replace whatever is saved with the initial data.
    pub reset: bool,
    /// Added to every KMS API call before it is answered, as a distant region would (benchmarks).
    pub latency: Duration,
    /// Requests per second per account, Region and operation (KMS's quota: 5); 0 turns it off.
    pub request_quota: u32,
    /// When set, the admin API under /_sim (all but its health check) needs this bearer token.
    pub admin_token: Option<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            xks_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: None,
            credentials: vec![Credential::test()],
            connect_duration: Duration::from_secs(2),
            disconnect_duration: Duration::from_secs(2),
            quota: 10,
            probe_timeout: Duration::from_millis(250),
            host_routes: Vec::new(),
            trusted_cas: Vec::new(),
            initial: Initial::Empty,
            reset: false,
            latency: Duration::ZERO,
            admin_token: None,
            request_quota: crate::quota::KMS_DEFAULT,
        }
    }
}

/// `*.example.internal` (any subdomain) or an exact host, reached at `addr`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRoute {
    pub pattern: String,
    pub addr: SocketAddr,
}

impl HostRoute {
    pub fn matches(&self, host: &str) -> bool {
        match self.pattern.strip_prefix("*.") {
            Some(suffix) => host.len() > suffix.len() + 1 && host.ends_with(&format!(".{suffix}")),
            None => self.pattern.eq_ignore_ascii_case(host),
        }
    }
}

impl std::str::FromStr for HostRoute {
    type Err = String;

    /// `HOST=ADDR`, for example `*.xks.example.com=127.0.0.1:8443`.
    fn from_str(s: &str) -> Result<Self, String> {
        let (pattern, addr) = s
            .split_once('=')
            .ok_or("expected HOST=ADDR, for example proxy.example.com=127.0.0.1:8443")?;
        let addr = addr
            .parse()
            .map_err(|_| format!("'{addr}' is not an address like 127.0.0.1:8443"))?;
        Ok(HostRoute {
            pattern: pattern.to_ascii_lowercase(),
            addr,
        })
    }
}
