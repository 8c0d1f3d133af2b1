//! kms-sim's state in SQLite: one row, written whole in a transaction after every change,
//! so a crash leaves either the old or the new state, never half of one.

use crate::state::State;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::SqlitePool;
use std::path::Path;
use std::time::Duration;

pub const FILE_NAME: &str = "kms-sim.db";

#[derive(Clone)]
pub struct Db {
    pool: SqlitePool,
}

impl Db {
    pub async fn open(dir: &Path) -> Result<Db, sqlx::Error> {
        crate::files::create_private_dir(dir).map_err(sqlx::Error::Io)?;
        crate::files::create_private_file(&dir.join(FILE_NAME)).map_err(sqlx::Error::Io)?;
        let options = SqliteConnectOptions::new()
            .filename(dir.join(FILE_NAME))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL)",
        )
        .execute(&pool)
        .await?;
        Ok(Db { pool })
    }

    pub async fn load(&self) -> Result<Option<State>, String> {
        let body: Option<String> = sqlx::query_scalar("SELECT body FROM state WHERE id = 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| e.to_string())?;
        body.map(|b| {
            serde_json::from_str(&b).map_err(|e| format!("saved state is unreadable: {e}"))
        })
        .transpose()
    }

    pub async fn save(&self, state: &State) -> Result<(), String> {
        let body = serde_json::to_string(state).map_err(|e| e.to_string())?;
        sqlx::query("INSERT INTO state (id, body) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET body = excluded.body")
            .bind(body)
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

impl Db {
    /// Forgets everything saved (for --reset-demo); the next start seeds again.
    pub async fn clear(&self) -> Result<(), String> {
        sqlx::query("DELETE FROM state")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
