//! Why the console could not start.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Why the console could not start; printed as one line.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Config(String),
    #[error("data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("session store: {0}")]
    Sessions(String),
    #[error("{0}")]
    App(#[from] app::error::AppError),
    #[error("backend: {0}")]
    Backend(String),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
}
