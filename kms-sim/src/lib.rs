//! kms-sim: a local AWS KMS custom key store service (the six custom key store operations over
//! AWS JSON 1.1 with SigV4), with simulated CloudHSM clusters, VPC endpoint services and an XKS
//! proxy simulator. It depends on nothing in the console: it plays AWS, and the console is tested
//! against it as a client.

pub mod admin;
pub mod config;
pub mod demo;
pub mod error;
pub mod files;
pub mod model;
pub mod ops;
pub mod persist;
pub mod probe;
pub mod quota;
pub mod service;
pub mod shapes;
pub mod sigv4;
pub mod state;
pub mod sts;
pub mod validate;
pub mod wire;
pub mod xks;

pub use config::{Credential, HostRoute, Initial, SimConfig};
use service::{Sim, State, WorldView};
use std::net::SocketAddr;
use std::sync::Arc;

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
    credentials: Vec<Credential>,
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

    /// The access keys the KMS API accepts (the demo's second account's included).
    pub fn credentials(&self) -> &[Credential] {
        &self.credentials
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
        // The demo's second account gets its fixed key unless the caller gave that account one.
        for c in demo::credentials() {
            if !config
                .credentials
                .iter()
                .any(|k| k.account_id == c.account_id)
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
    let credentials = config.credentials.clone();
    let admin_token = config.admin_token.clone();
    let sim = Sim::open(config, db, initial, client.clone(), world.clone())
        .await
        .map_err(|e| state_err(e.message))?;

    let kms_app = wire::router(sim.clone()).merge(admin::router(sim.clone(), admin_token));
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
        credentials,
        xks_client: client,
        tasks: vec![kms_task, xks_task],
    })
}
