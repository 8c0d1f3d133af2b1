//! The update workflow: review (checks and preflight), runs persisted in SQLite and carried out
//! by a background task, the operator's choices after a failure, and the audit log.
//!
//! `review.rs` checks a change and keeps it as a draft; `actions.rs` starts runs and takes the
//! operator's choices; `views.rs` shows them; `engine.rs` carries a run out; `store.rs` keeps
//! runs and the audit log in SQLite; `expiring.rs` keeps drafts and uploads in memory.

mod actions;
pub mod engine;
pub mod expiring;
mod review;
pub mod store;
mod views;

use app::domain::change::run::{AuditEntry, DraftView, PreflightReport, RunAction, RunView};
use app::domain::change::{ChangeForm, ProxyConfigFile};
use app::domain::kms::{CustomKeyStoreType, StoreKind};
use app::domain::store::TargetRef;
use app::domain::user::{Secret, UserInfo};
use app::error::AppError;
use app::ssr::{KeyStores, ProxyProbe, Workflows};
pub use engine::{Engine, Timing};
use expiring::Expiring;
use review::Draft;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use store::RunStore;

/// Reviews and uploads wait this long for the operator, in memory only.
const KEEP_FOR: Duration = Duration::from_secs(30 * 60);

pub struct Runner {
    engine: Arc<Engine>,
    probe: Arc<dyn ProxyProbe>,
    drafts: Expiring<Draft>,
    uploads: Expiring<ProxyConfigFile>,
    tasks: Mutex<Vec<tokio::task::AbortHandle>>,
    outage: Outage,
}

/// About how long a disconnect plus reconnect keeps a store's keys unusable, for the plan.
#[derive(Clone, Copy, Debug)]
pub struct Outage {
    pub external_secs: u64,
    pub cloudhsm_secs: u64,
}

impl Outage {
    pub fn secs(&self, store_type: &CustomKeyStoreType) -> u64 {
        match store_type.kind() {
            Some(StoreKind::CloudHsm) => self.cloudhsm_secs,
            Some(StoreKind::External) | None => self.external_secs,
        }
    }
}

/// Runs stop with the console: a run cut off this way is found interrupted on the next start.
impl Drop for Runner {
    fn drop(&mut self) {
        for t in self.tasks.lock().expect("tasks lock").iter() {
            t.abort();
        }
    }
}

fn show(v: Option<&str>) -> String {
    v.unwrap_or("—").to_string()
}

impl Runner {
    /// Opens the runner over the console's database; runs left running by a previous process
    /// become interrupted.
    pub async fn open(
        pool: sqlx::SqlitePool,
        stores: Arc<dyn KeyStores>,
        probe: Arc<dyn ProxyProbe>,
        timing: Timing,
        outage: Outage,
    ) -> Result<Runner, AppError> {
        let runs = RunStore::new(pool);
        let interrupted = runs.mark_interrupted().await?;
        if interrupted > 0 {
            tracing::warn!(interrupted, "runs were under way when the console stopped");
        }
        Ok(Runner {
            engine: Arc::new(Engine {
                runs,
                stores,
                timing,
                secrets: Mutex::new(HashMap::new()),
            }),
            probe,
            drafts: Expiring::new(KEEP_FOR),
            uploads: Expiring::new(KEEP_FOR),
            tasks: Mutex::new(Vec::new()),
            outage,
        })
    }

    fn spawn(&self, run: i64) {
        let handle = tokio::spawn(self.engine.clone().drive(run));
        let mut tasks = self.tasks.lock().expect("tasks lock");
        tasks.retain(|t| !t.is_finished());
        tasks.push(handle.abort_handle());
    }
}

#[async_trait::async_trait]
impl Workflows for Runner {
    async fn review(
        &self,
        user: &UserInfo,
        target: TargetRef,
        id: &str,
        fingerprint: &str,
        form: ChangeForm,
        upload: Option<String>,
    ) -> Result<String, AppError> {
        self.review_change(user, target, id, fingerprint, form, upload)
            .await
    }

    async fn draft(&self, user: &UserInfo, draft: &str) -> Result<DraftView, AppError> {
        self.draft_view(user, draft)
    }

    async fn start(
        &self,
        user: &UserInfo,
        draft: &str,
        override_preflight: bool,
    ) -> Result<i64, AppError> {
        self.start_draft(user, draft, override_preflight).await
    }

    async fn run(&self, id: i64) -> Result<RunView, AppError> {
        self.run_view(id).await
    }

    async fn runs_of_store(
        &self,
        target: &TargetRef,
        store_id: &str,
    ) -> Result<Vec<RunView>, AppError> {
        self.store_runs(target, store_id).await
    }

    async fn act(
        &self,
        user: &UserInfo,
        run: i64,
        action: RunAction,
        password: Secret,
        secret: Secret,
    ) -> Result<i64, AppError> {
        self.act_on(user, run, action, password, secret).await
    }

    async fn audit(&self, store_id: Option<String>) -> Result<Vec<AuditEntry>, AppError> {
        self.engine.runs.audit_entries(store_id.as_deref()).await
    }

    async fn record(&self, entry: AuditEntry) -> Result<(), AppError> {
        self.engine.runs.audit(&entry).await
    }

    async fn keep_upload(&self, user: &UserInfo, file: ProxyConfigFile) -> String {
        self.uploads.insert(&user.username, file)
    }

    async fn upload(&self, user: &UserInfo, id: &str) -> Option<ProxyConfigFile> {
        self.uploads.get(&user.username, id)
    }

    async fn reconnect(
        &self,
        user: &UserInfo,
        target: TargetRef,
        id: &str,
    ) -> Result<i64, AppError> {
        self.reconnect_store(user, target, id).await
    }

    async fn test_connection(
        &self,
        target: &TargetRef,
        id: &str,
        secret: Option<Secret>,
    ) -> Result<PreflightReport, AppError> {
        self.probe_store(target, id, secret).await
    }

    async fn probe(
        &self,
        target: &TargetRef,
        endpoint: &str,
        path: &str,
        access_key_id: &str,
        secret: &Secret,
    ) -> PreflightReport {
        self.probe_new(target, endpoint, path, access_key_id, secret)
            .await
    }

    fn outage_estimate_secs(&self, store_type: &CustomKeyStoreType) -> u64 {
        self.outage.secs(store_type)
    }
}
