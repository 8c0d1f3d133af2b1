//! kms-sim: a local AWS KMS custom key store service (the six custom key store operations over
//! AWS JSON 1.1 with SigV4), with simulated CloudHSM clusters and an XKS proxy simulator.
//! It depends on nothing in the console: it plays AWS, and the console is tested against it.

pub mod error;
pub mod wire;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// One access key the simulator accepts, and the account it belongs to.
#[derive(Clone, Debug)]
pub struct Credential {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub account_id: String,
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

#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Where the KMS API listens; port 0 picks a free one.
    pub listen: SocketAddr,
    /// SQLite state lives here; None keeps everything in memory.
    pub data_dir: Option<PathBuf>,
    pub credentials: Vec<Credential>,
    /// How long CONNECTING and DISCONNECTING last.
    pub connect_duration: Duration,
    pub disconnect_duration: Duration,
    /// Custom key stores per account and region.
    pub quota: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: None,
            credentials: vec![Credential::test()],
            connect_duration: Duration::from_secs(2),
            disconnect_duration: Duration::from_secs(2),
            quota: 10,
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
}

/// A running simulator; it stops when this is dropped.
pub struct Running {
    kms_addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub fn kms_addr(&self) -> SocketAddr {
        self.kms_addr
    }

    pub fn kms_url(&self) -> String {
        format!("http://{}", self.kms_addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub async fn start(config: SimConfig) -> Result<Running, SimError> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| SimError::Listen {
            addr: config.listen,
            source,
        })?;
    let kms_addr = listener.local_addr().map_err(|source| SimError::Listen {
        addr: config.listen,
        source,
    })?;
    let router = wire::router(wire::Service::new(config));
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::error!(error = %e, "kms-sim stopped");
        }
    });
    Ok(Running { kms_addr, task })
}
