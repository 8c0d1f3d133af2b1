//! kms-sim: a local AWS KMS custom key store service (the six custom key store operations over
//! AWS JSON 1.1 with SigV4), with simulated CloudHSM clusters, VPC endpoint services and an XKS
//! proxy simulator. It depends on nothing in the console: it plays AWS, and the console is tested
//! against it as a client.

pub mod admin;
pub mod demo;
pub mod error;
pub mod model;
pub mod ops;
pub mod persist;
pub mod probe;
pub mod service;
pub mod shapes;
pub mod sigv4;
pub mod state;
pub mod sts;
pub mod validate;
pub mod wire;
pub mod xks;

use service::{Sim, State, WorldView};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use xks::client::HostRoute;

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
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("state in {path}: {message}")]
    State { path: String, message: String },
    #[error("{0}")]
    Tls(String),
}

/// A running simulator; it stops when this is dropped.
pub struct Running {
    kms_addr: SocketAddr,
    xks_addr: SocketAddr,
    ca_pem: String,
    sim: Arc<Sim>,
    xks_client: Arc<xks::client::XksClient>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    pub fn kms_addr(&self) -> SocketAddr {
        self.kms_addr
    }

    pub fn kms_url(&self) -> String {
        format!("http://{}", self.kms_addr)
    }

    pub fn xks_addr(&self) -> SocketAddr {
        self.xks_addr
    }

    /// The CA that signs the proxy simulator's certificates, in PEM.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    pub fn sim(&self) -> &Arc<Sim> {
        &self.sim
    }

    /// A client that reaches proxies the way the simulator's KMS does (same name mapping and CA).
    pub fn xks_client(&self) -> Arc<xks::client::XksClient> {
        self.xks_client.clone()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

async fn bind(addr: SocketAddr) -> Result<(tokio::net::TcpListener, SocketAddr), SimError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| SimError::Listen { addr, source })?;
    let local = listener
        .local_addr()
        .map_err(|source| SimError::Listen { addr, source })?;
    Ok((listener, local))
}

pub async fn start(mut config: SimConfig) -> Result<Running, SimError> {
    let state_path = config
        .data_dir
        .as_ref()
        .map(|d| d.display().to_string())
        .unwrap_or_else(|| "memory".into());
    let state_err = |message: String| SimError::State {
        path: state_path.clone(),
        message,
    };
    let db = match &config.data_dir {
        Some(dir) => Some(
            persist::Db::open(dir)
                .await
                .map_err(|e| state_err(e.to_string()))?,
        ),
        None => None,
    };
    if config.reset {
        if let Some(db) = &db {
            db.clear().await.map_err(state_err)?;
        }
    }
    let authority = Arc::new(
        xks::ca::Authority::load_or_create(config.data_dir.as_deref()).map_err(SimError::Tls)?,
    );
    let (kms_listener, kms_addr) = bind(config.listen).await?;
    let (xks_listener, xks_addr) = bind(config.xks_listen).await?;

    if matches!(config.initial, Initial::Demo) {
        for c in demo::credentials() {
            if !config
                .credentials
                .iter()
                .any(|k| k.access_key_id == c.access_key_id)
            {
                config.credentials.push(c);
            }
        }
    }
    let initial = match &config.initial {
        Initial::Empty => State::new(model::World::default()),
        Initial::Seed(world) => State::new(world.clone()),
        Initial::Demo => demo::state(),
    };
    let world: WorldView = Arc::default();
    let mut routes = vec![HostRoute {
        pattern: format!("*.{}", xks::SIM_DOMAIN),
        addr: xks_addr,
    }];
    routes.extend(config.host_routes.iter().cloned());
    let client = xks::client::XksClient::new(
        routes,
        world.clone(),
        &authority,
        &config.trusted_cas,
        config.probe_timeout,
    )
    .map_err(SimError::Tls)?;
    let client = Arc::new(client);
    let sim = Sim::open(config, db, initial, client.clone(), world.clone())
        .await
        .map_err(|e| state_err(e.message))?;

    let kms_app = wire::router(sim.clone()).merge(admin::router(sim.clone()));
    let kms_task = tokio::spawn(async move {
        if let Err(e) = axum::serve(kms_listener, kms_app).await {
            tracing::error!(error = %e, "kms-sim KMS endpoint stopped");
        }
    });
    let tls = xks::proxy::server_config(xks::proxy::CertResolver::new(
        authority.clone(),
        world.clone(),
    ))
    .map_err(SimError::Tls)?;
    let xks_task = tokio::spawn(xks::proxy::serve(
        xks_listener,
        tls,
        xks::proxy::router(world),
    ));
    Ok(Running {
        kms_addr,
        xks_addr,
        ca_pem: authority.cert_pem().to_string(),
        sim,
        xks_client: client,
        tasks: vec![kms_task, xks_task],
    })
}
