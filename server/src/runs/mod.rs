//! The update workflow: review (checks and preflight), runs persisted in SQLite and carried out
//! by a background task, the operator's choices after a failure, and the audit log.
//!
//! `review.rs` checks a change and keeps it as a draft; `actions.rs` starts runs and takes the
//! operator's choices; `views.rs` shows them; `engine.rs` carries a run out; `store.rs` keeps
//! runs and the audit log in SQLite; `expiring.rs` keeps drafts and uploads in memory.

mod actions;
mod draft;
pub mod engine;
pub mod expiring;
mod review;
mod runner;
pub mod secrets;
pub mod store;
mod views;

use app::domain::change::run::{AuditEntry, DraftView, PreflightReport, RunAction, RunView};
use app::domain::change::{ChangeForm, ProxyConfigFile};
use app::domain::kms::CustomKeyStoreType;
use app::domain::notification::Delivery;
use app::domain::store::TargetRef;
use app::domain::user::{Secret, UserInfo};
use app::error::AppError;
use app::ssr::Workflows;
pub use engine::{Engine, Timing};
pub use runner::{Outage, Runner};

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

    async fn record_delivery(&self, delivery: &Delivery) -> Result<i64, AppError> {
        self.engine.runs.record_delivery(delivery).await
    }

    async fn deliveries(&self) -> Result<Vec<Delivery>, AppError> {
        self.engine.runs.deliveries().await
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
