//! Runs, their steps and the audit log in SQLite. Only blanked changes are written: the secret
//! values of a run live in memory (`super::Engine`) and are never stored.

use app::domain::change::run::{AuditEntry, RunStatus, StepStatus, StepView};
use app::domain::change::Settings;
use app::domain::change::{Change, StepKind};
use app::domain::notification::{Delivery, DeliveryStatus};
use app::domain::store::TargetRef;
use app::error::AppError;
use sqlx::SqlitePool;
use tokio::sync::broadcast;

pub use app::domain::change::run::now_ms;
use app::domain::kms::{ConnectionState, CustomKeyStoreType};

fn db(e: sqlx::Error) -> AppError {
    app::ssr::guard::internal(e)
}

/// A run as stored.
#[derive(Clone, Debug)]
pub struct RunRecord {
    pub id: i64,
    pub target: TargetRef,
    pub store_id: String,
    pub store_name: String,
    pub store_type: CustomKeyStoreType,
    pub user: String,
    pub created_ms: i64,
    pub status: RunStatus,
    /// Secret values blanked.
    pub change: Change,
    pub before: Settings,
    pub state_before: ConnectionState,
    pub error: Option<String>,
    pub rollback_of: Option<i64>,
    pub preflight: Option<String>,
    pub steps: Vec<StepView>,
}

pub struct NewRun<'a> {
    pub target: &'a TargetRef,
    pub store_id: &'a str,
    pub store_name: &'a str,
    pub store_type: &'a CustomKeyStoreType,
    pub user: &'a str,
    pub change: &'a Change,
    pub before: &'a Settings,
    pub state_before: &'a ConnectionState,
    pub steps: &'a [StepKind],
    pub rollback_of: Option<i64>,
    pub preflight: Option<String>,
}

type RunRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
);

/// kind, status, started_ms, finished_ms, message
type StepRow = (String, String, Option<i64>, Option<i64>, Option<String>);

const RUN_COLUMNS: &str = "id, account, region, store_id, store_name, store_type, username, created_ms, status, change_json, before_json, state_before, error, rollback_of, preflight";

#[derive(Clone)]
pub struct RunStore {
    pool: SqlitePool,
    /// The id of each run whose status or steps just changed, for the live run pages.
    changed: broadcast::Sender<i64>,
}

/// Notification deliveries kept (the Notifications page shows the latest 200).
const DELIVERIES_KEPT: i64 = 2000;

/// How many run changes a slow live page may fall behind before it is told to read again.
const CHANGES_KEPT: usize = 256;

impl RunStore {
    pub fn new(pool: SqlitePool) -> RunStore {
        RunStore {
            pool,
            changed: broadcast::Sender::new(CHANGES_KEPT),
        }
    }

    /// Tells each live page of a run's change (nobody listening is fine).
    fn announce(&self, run: i64) {
        let _ = self.changed.send(run);
    }

    /// Where the ids of runs are sent as they change (a step starts or ends, the run's status
    /// moves): each live page subscribes.
    pub fn change_feed(&self) -> broadcast::Sender<i64> {
        self.changed.clone()
    }

    /// A run that was under way when the console stopped is interrupted, not running.
    pub async fn mark_interrupted(&self) -> Result<u64, AppError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query("UPDATE run_steps SET status = 'interrupted' WHERE status = 'running'")
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let n = sqlx::query("UPDATE runs SET status = 'interrupted', error = 'The console stopped while this run was under way.' WHERE status = 'running'")
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        // A delivery's webhook URL is not kept (it may hold a token): it cannot be resumed.
        sqlx::query("UPDATE notification_deliveries SET status = 'failed', last_error = 'The console stopped before this notification was delivered.' WHERE status = 'retrying'")
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(n)
    }

    /// Inserts a running run and its pending steps; refused while another run of the store runs.
    pub async fn create(&self, new: NewRun<'_>) -> Result<i64, AppError> {
        let change = serde_json::to_string(&new.change.without_secrets())
            .map_err(app::ssr::guard::internal)?;
        let before = serde_json::to_string(new.before).map_err(app::ssr::guard::internal)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let inserted = sqlx::query(
            "INSERT INTO runs (account, region, store_id, store_name, store_type, username, created_ms, status, change_json, before_json, state_before, rollback_of, preflight)
             VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?)",
        )
        .bind(&new.target.account)
        .bind(&new.target.region)
        .bind(new.store_id)
        .bind(new.store_name)
        .bind(new.store_type.as_str())
        .bind(new.user)
        .bind(now_ms())
        .bind(change)
        .bind(before)
        .bind(new.state_before.as_str())
        .bind(new.rollback_of)
        .bind(&new.preflight)
        .execute(&mut *tx)
        .await;
        let id = match inserted {
            Ok(r) => r.last_insert_rowid(),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(AppError::Conflict(format!(
                    "Another run is changing {} right now; wait until it finishes.",
                    new.store_name
                )))
            }
            Err(e) => return Err(db(e)),
        };
        for (idx, kind) in new.steps.iter().enumerate() {
            sqlx::query(
                "INSERT INTO run_steps (run_id, idx, kind, status) VALUES (?, ?, ?, 'pending')",
            )
            .bind(id)
            .bind(idx as i64)
            .bind(kind.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(id)
    }

    pub async fn get(&self, id: i64) -> Result<RunRecord, AppError> {
        let row: Option<RunRow> =
            sqlx::query_as(&format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
        let row = row.ok_or_else(|| AppError::NotFound(format!("There is no run {id}.")))?;
        self.record(row).await
    }

    pub async fn of_store(
        &self,
        target: &TargetRef,
        store_id: &str,
    ) -> Result<Vec<RunRecord>, AppError> {
        let rows: Vec<RunRow> = sqlx::query_as(&format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE account = ? AND region = ? AND store_id = ? ORDER BY id DESC LIMIT 20"
        ))
        .bind(&target.account)
        .bind(&target.region)
        .bind(store_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(self.record(row).await?);
        }
        Ok(out)
    }

    async fn record(&self, r: RunRow) -> Result<RunRecord, AppError> {
        let steps: Vec<StepRow> = sqlx::query_as(
            "SELECT kind, status, started_ms, finished_ms, message FROM run_steps WHERE run_id = ? ORDER BY idx",
        )
        .bind(r.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let corrupt =
            |what: &str| app::ssr::guard::internal(format!("run {}: unreadable {what}", r.0));
        Ok(RunRecord {
            id: r.0,
            target: TargetRef {
                account: r.1,
                region: r.2,
            },
            store_id: r.3,
            store_name: r.4,
            store_type: CustomKeyStoreType::parse(&r.5),
            user: r.6,
            created_ms: r.7,
            status: RunStatus::parse(&r.8).ok_or_else(|| corrupt("status"))?,
            change: serde_json::from_str(&r.9).map_err(|_| corrupt("change"))?,
            before: serde_json::from_str(&r.10).map_err(|_| corrupt("settings"))?,
            state_before: ConnectionState::parse(&r.11),
            error: r.12,
            rollback_of: r.13,
            preflight: r.14,
            steps: steps
                .into_iter()
                .map(|(kind, status, started_ms, finished_ms, message)| {
                    Ok(StepView {
                        kind: StepKind::parse(&kind).ok_or_else(|| corrupt("step"))?,
                        status: StepStatus::parse(&status).ok_or_else(|| corrupt("step status"))?,
                        started_ms,
                        finished_ms,
                        message,
                    })
                })
                .collect::<Result<_, AppError>>()?,
        })
    }

    pub async fn step_started(&self, run: i64, idx: usize) -> Result<(), AppError> {
        sqlx::query("UPDATE run_steps SET status = 'running', started_ms = ?, finished_ms = NULL, message = NULL WHERE run_id = ? AND idx = ?")
            .bind(now_ms())
            .bind(run)
            .bind(idx as i64)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        self.announce(run);
        Ok(())
    }

    pub async fn step_finished(
        &self,
        run: i64,
        idx: usize,
        status: StepStatus,
        message: &str,
    ) -> Result<(), AppError> {
        sqlx::query("UPDATE run_steps SET status = ?, finished_ms = ?, message = ? WHERE run_id = ? AND idx = ?")
            .bind(status.as_str())
            .bind(now_ms())
            .bind(message)
            .bind(run)
            .bind(idx as i64)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        self.announce(run);
        Ok(())
    }

    /// Moves a run to `status`; `from` guards against racing another change of the same run.
    pub async fn set_status(
        &self,
        run: i64,
        from: &[RunStatus],
        status: RunStatus,
        error: Option<&str>,
    ) -> Result<bool, AppError> {
        let allowed: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
        let placeholders = vec!["?"; allowed.len()].join(", ");
        let sql = format!(
            "UPDATE runs SET status = ?, error = ? WHERE id = ? AND status IN ({placeholders})"
        );
        let mut q = sqlx::query(&sql)
            .bind(status.as_str())
            .bind(error)
            .bind(run);
        for a in allowed {
            q = q.bind(a);
        }
        match q.execute(&self.pool).await {
            Ok(r) if r.rows_affected() == 1 => {
                self.announce(run);
                Ok(true)
            }
            Ok(_) => Ok(false),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(AppError::Conflict(
                "Another run is changing this store right now; wait until it finishes.".into(),
            )),
            Err(e) => Err(db(e)),
        }
    }

    pub async fn audit(&self, e: &AuditEntry) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO audit (at_ms, username, action, account, region, store_id, store_name, run_id, fields, outcome, detail)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(e.at_ms)
        .bind(&e.user)
        .bind(&e.action)
        .bind(&e.target.account)
        .bind(&e.target.region)
        .bind(&e.store_id)
        .bind(&e.store_name)
        .bind(e.run_id)
        .bind(e.fields.join(","))
        .bind(&e.outcome)
        .bind(&e.detail)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Inserts a delivery (id 0) or updates its status, attempts and last error; returns its id.
    pub async fn record_delivery(&self, d: &Delivery) -> Result<i64, AppError> {
        if d.id != 0 {
            sqlx::query("UPDATE notification_deliveries SET status = ?, attempts = ?, last_error = ?, updated_ms = ? WHERE id = ?")
                .bind(d.status.as_str())
                .bind(d.attempts)
                .bind(&d.last_error)
                .bind(d.updated_ms)
                .bind(d.id)
                .execute(&self.pool)
                .await
                .map_err(db)?;
            return Ok(d.id);
        }
        let inserted = sqlx::query(
            "INSERT INTO notification_deliveries (at_ms, event, account, region, store_id, store_name, receiver, status, attempts, last_error, updated_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(d.at_ms)
        .bind(&d.event)
        .bind(&d.target.account)
        .bind(&d.target.region)
        .bind(&d.store_id)
        .bind(&d.store_name)
        .bind(&d.receiver)
        .bind(d.status.as_str())
        .bind(d.attempts)
        .bind(&d.last_error)
        .bind(d.updated_ms)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        let id = inserted.last_insert_rowid();
        // The page shows the latest; older deliveries go, so a flapping target cannot fill the disk.
        // The delivery is recorded whatever happens here: an error would leave its id unknown,
        // and its next attempt would record it a second time.
        if let Err(e) = sqlx::query("DELETE FROM notification_deliveries WHERE id <= ?")
            .bind(id - DELIVERIES_KEPT)
            .execute(&self.pool)
            .await
        {
            tracing::warn!(error = %e, "old notification deliveries not removed");
        }
        Ok(id)
    }

    /// The latest deliveries, newest first.
    pub async fn deliveries(&self) -> Result<Vec<Delivery>, AppError> {
        type Row = (
            i64,
            i64,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            String,
            String,
            i64,
            Option<String>,
            i64,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, at_ms, event, account, region, store_id, store_name, receiver, status, attempts, last_error, updated_ms
             FROM notification_deliveries ORDER BY id DESC LIMIT 200",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(rows
            .into_iter()
            .map(|r| Delivery {
                id: r.0,
                at_ms: r.1,
                event: r.2,
                target: TargetRef {
                    account: r.3,
                    region: r.4,
                },
                store_id: r.5,
                store_name: r.6,
                receiver: r.7,
                status: DeliveryStatus::parse(&r.8).unwrap_or(DeliveryStatus::Failed),
                attempts: u32::try_from(r.9).unwrap_or_default(),
                last_error: r.10,
                updated_ms: r.11,
            })
            .collect())
    }

    pub async fn audit_entries(&self, store_id: Option<&str>) -> Result<Vec<AuditEntry>, AppError> {
        type Row = (
            i64,
            String,
            String,
            String,
            String,
            String,
            String,
            Option<i64>,
            String,
            String,
            String,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT at_ms, username, action, account, region, store_id, store_name, run_id, fields, outcome, detail
             FROM audit WHERE (?1 IS NULL OR store_id = ?1) ORDER BY id DESC LIMIT 500",
        )
        .bind(store_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                at_ms: r.0,
                user: r.1,
                action: r.2,
                target: TargetRef {
                    account: r.3,
                    region: r.4,
                },
                store_id: r.5,
                store_name: r.6,
                run_id: r.7,
                fields: r
                    .8
                    .split(',')
                    .filter(|f| !f.is_empty())
                    .map(str::to_string)
                    .collect(),
                outcome: r.9,
                detail: r.10,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::notification::{Delivery, DeliveryStatus};
    use app::domain::store::TargetRef;

    /// The Notifications page shows one row for each delivery, however many attempts it takes,
    /// even when removing old rows fails.
    #[tokio::test]
    async fn a_delivery_is_one_row_even_when_old_rows_cannot_be_removed() {
        let (pool, _dir) = crate::db::scratch().await.unwrap();
        let store = RunStore::new(pool.clone());
        // A full table, and a database that refuses every removal from it.
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
             INSERT INTO notification_deliveries (at_ms, event, account, region, receiver, status, attempts, updated_ms)
             SELECT 0, 'target_readable', '111122223333', 'eu-west-1', 'http://127.0.0.1:9', 'delivered', 1, 0 FROM n",
        )
        .bind(DELIVERIES_KEPT)
        .execute(&pool)
        .await
        .unwrap();
        sqlx::query(
            "CREATE TRIGGER keep_all BEFORE DELETE ON notification_deliveries
             BEGIN SELECT RAISE(FAIL, 'removal refused'); END",
        )
        .execute(&pool)
        .await
        .unwrap();
        let mut delivery = Delivery {
            id: 0,
            at_ms: 1,
            event: "store_failed".into(),
            target: TargetRef {
                account: "111122223333".into(),
                region: "eu-west-1".into(),
            },
            store_id: Some("cks-1".into()),
            store_name: Some("name".into()),
            receiver: "http://127.0.0.1:9".into(),
            status: DeliveryStatus::Retrying,
            attempts: 1,
            last_error: Some("could not connect to the receiver".into()),
            updated_ms: 1,
        };
        delivery.id = store.record_delivery(&delivery).await.unwrap();
        assert_ne!(delivery.id, 0);
        delivery.attempts = 2;
        delivery.status = DeliveryStatus::Delivered;
        assert_eq!(store.record_delivery(&delivery).await.unwrap(), delivery.id);
        let rows: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM notification_deliveries WHERE event = 'store_failed'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(rows, 1);
        let latest = &store.deliveries().await.unwrap()[0];
        assert_eq!(
            (latest.attempts, latest.status),
            (2, DeliveryStatus::Delivered)
        );
    }
}
