//! The console's SQLite database: one file in the data directory, or in a
//! temporary directory removed at exit with --ephemeral.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::SqlitePool;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub const FILE_NAME: &str = "console.db";

pub async fn open(dir: &Path) -> Result<SqlitePool, sqlx::Error> {
    // Sessions, users and runs: the owner's alone (0600), before SQLite writes anything.
    kms_sim::files::create_private_file(&dir.join(FILE_NAME)).map_err(sqlx::Error::Io)?;
    let options = SqliteConnectOptions::new()
        .filename(dir.join(FILE_NAME))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}

/// Keeps an ephemeral database's directory until the last holder drops it, then removes it.
#[derive(Clone)]
pub struct Scratch(#[allow(dead_code)] Arc<tempfile::TempDir>);

/// An ephemeral database: the same file database as [`open`], in a new temporary directory.
///
/// Not `sqlite::memory:`: its connections share one cache with table locks, where a writer
/// waiting on a reader can block without any timeout; a file with WAL waits at most the busy
/// timeout and behaves exactly like the database a real start uses.
pub async fn scratch() -> Result<(SqlitePool, Scratch), sqlx::Error> {
    let dir = tempfile::Builder::new()
        .prefix("cks-console-")
        .tempdir()
        .map_err(sqlx::Error::Io)?;
    let pool = open(dir.path()).await?;
    Ok((pool, Scratch(Arc::new(dir))))
}
