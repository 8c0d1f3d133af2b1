//! The console's SQLite database: one file in the data directory, or memory with --ephemeral.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::SqlitePool;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

pub const FILE_NAME: &str = "console.db";

pub async fn open(data_dir: Option<&Path>) -> Result<SqlitePool, sqlx::Error> {
    let pool = match data_dir {
        Some(dir) => {
            let options = SqliteConnectOptions::new()
                .filename(dir.join(FILE_NAME))
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(5));
            SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options)
                .await?
        }
        // sqlx opens `sqlite::memory:` as a named in-memory database with a shared cache, one per
        // pool, so its connections share it. It lives while a connection is open: never close them.
        None => {
            SqlitePoolOptions::new()
                .max_connections(4)
                .min_connections(4)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(SqliteConnectOptions::from_str("sqlite::memory:")?)
                .await?
        }
    };
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}
