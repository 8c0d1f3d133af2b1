//! The update workflow: review (checks and preflight), runs persisted in SQLite and carried out
//! by a background task, the operator's choices after a failure, and the audit log.

pub mod engine;
pub mod store;

use app::change::plan::Settings;
use app::change::run::{
    AuditEntry, DiffRow, DraftView, PreflightReport, RunAction, RunStatus, RunView,
};
use app::change::{build_change, Change, ChangeForm, Field, Plan, ProxyConfigFile, StepKind};
use app::error::AppError;
use app::model::{Secret, UserInfo};
use app::ssr::{KeyStores, ProxyProbe, Workflows};
use app::stores::{StoreDetail, TargetRef};
pub use engine::{Engine, Timing};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::{NewRun, RunRecord, RunStore};

/// Reviews and uploads wait this long for the operator, in memory only.
const KEEP_FOR: Duration = Duration::from_secs(30 * 60);

struct Draft {
    user: String,
    target: TargetRef,
    store: StoreDetail,
    change: Change,
    plan: Plan,
    preflight: Option<PreflightReport>,
    created: Instant,
}

struct Upload {
    user: String,
    file: ProxyConfigFile,
    created: Instant,
}

pub struct Runner {
    engine: Arc<Engine>,
    probe: Arc<dyn ProxyProbe>,
    drafts: Mutex<HashMap<String, Draft>>,
    uploads: Mutex<HashMap<String, Upload>>,
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
    pub fn secs(&self, store_type: &str) -> u64 {
        if store_type == "AWS_CLOUDHSM" {
            self.cloudhsm_secs
        } else {
            self.external_secs
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

fn random_id() -> String {
    use rand::Rng;
    hex(&rand::thread_rng().gen::<[u8; 16]>())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn show(v: Option<&String>) -> String {
    v.cloned().unwrap_or_else(|| "—".into())
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
            drafts: Mutex::new(HashMap::new()),
            uploads: Mutex::new(HashMap::new()),
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

    fn diff(before: &StoreDetail, change: &Change) -> Vec<DiffRow> {
        let b = Settings::of(before);
        let a = change.apply(&b);
        change
            .fields()
            .into_iter()
            .map(|field| {
                let (before, after) = match field {
                    Field::KeyStorePassword => ("(hidden)".into(), "changed".into()),
                    Field::Credential => (
                        format!("{} / secret (hidden)", show(b.value(field))),
                        format!("{} / secret changed", show(a.value(field))),
                    ),
                    _ => (show(b.value(field)), show(a.value(field))),
                };
                DiffRow {
                    field,
                    before,
                    after,
                }
            })
            .collect()
    }

    /// The preflight for a change that KMS will send to the proxy: the new values, merged with
    /// the current ones. A new access key ID without its secret cannot be checked.
    async fn preflight(
        &self,
        target: &TargetRef,
        store: &StoreDetail,
        change: &Change,
    ) -> Option<PreflightReport> {
        if store.row.store_type != "EXTERNAL_KEY_STORE" || !change.touches_proxy() {
            return None;
        }
        let after = change.apply(&Settings::of(store));
        let Some((akid, secret)) = change.credential.clone() else {
            return Some(PreflightReport {
                url: format!("{}{}/health", show(after.endpoint.as_ref()), show(after.path.as_ref())),
                reachable: false,
                credential_accepted: None,
                ekms: Vec::new(),
                checked: false,
                passed: false,
                layers: Vec::new(),
                verdict: "KMS never returns the proxy's secret access key, so the console can only check new proxy settings with the credential entered again. Enter the credential (or upload the proxy configuration file) to run the preflight; otherwise KMS checks the proxy itself when it applies the change.".into(),
                latency_ms: 0,
            });
        };
        Some(
            self.probe
                .health(
                    &target.region,
                    &show(after.endpoint.as_ref()),
                    &show(after.path.as_ref()),
                    &akid,
                    &secret,
                )
                .await,
        )
    }

    fn view(&self, r: RunRecord, store_now: Option<StoreDetail>) -> RunView {
        let full = self.engine.full_change(&r);
        let needs_secrets = full.missing_secrets();
        let update_done = r
            .steps
            .iter()
            .any(|s| s.kind == StepKind::Update && s.status == app::change::run::StepStatus::Done);
        let actions = match r.status {
            RunStatus::Failed | RunStatus::Interrupted => {
                let mut a = vec![RunAction::Resume];
                if update_done && !r.change.rollback(&r.before).fields().is_empty() {
                    a.push(RunAction::RollBack);
                }
                a.push(RunAction::ReconnectWithOldSettings);
                a.push(RunAction::LeaveAsIs);
                a
            }
            _ => Vec::new(),
        };
        RunView {
            id: r.id,
            target: r.target,
            store_id: r.store_id,
            store_name: r.store_name,
            user: r.user,
            created_ms: r.created_ms,
            status: r.status,
            fields: r.change.fields(),
            steps: r.steps,
            error: r.error,
            rollback_of: r.rollback_of,
            preflight: r.preflight,
            store_now,
            needs_secrets: if update_done {
                Vec::new()
            } else {
                needs_secrets
            },
            actions,
        }
    }

    /// Closes a stopped run: its secrets are forgotten.
    async fn close(&self, r: &RunRecord) -> Result<(), AppError> {
        self.engine
            .runs
            .set_status(
                r.id,
                &[RunStatus::Failed, RunStatus::Interrupted],
                RunStatus::Closed,
                r.error.as_deref(),
            )
            .await?;
        self.engine
            .secrets
            .lock()
            .expect("secrets lock")
            .remove(&r.id);
        Ok(())
    }

    /// Creates a run and starts it; the audit log gets who started what.
    async fn launch(&self, user: &str, new: NewRun<'_>, full: Change) -> Result<i64, AppError> {
        let id = self.engine.runs.create(new).await?;
        self.engine
            .secrets
            .lock()
            .expect("secrets lock")
            .insert(id, full);
        let run = self.engine.runs.get(id).await?;
        let plan: Vec<&str> = run.steps.iter().map(|s| s.kind.as_str()).collect();
        self.engine
            .audit(
                user,
                &run,
                "run started",
                "started",
                &format!("Plan: {}.", plan.join(" → ")),
            )
            .await?;
        tracing::info!(run = id, user, store = %run.store_id, "run started");
        self.spawn(id);
        Ok(id)
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
        mut form: ChangeForm,
        upload: Option<String>,
    ) -> Result<String, AppError> {
        let store = self.engine.stores.describe(&target, id).await?;
        if Settings::of(&store).fingerprint() != fingerprint {
            return Err(AppError::Conflict(
                "This store changed after you loaded the form; reload the page to edit its current settings.".into(),
            ));
        }
        // Without JavaScript, an uploaded file's secret waits on the server, never in the page.
        if let Some(upload) = upload.filter(|u| !u.is_empty()) {
            let file = self.upload(user, &upload).await.ok_or_else(|| {
                AppError::Conflict("The uploaded file has expired; upload it again.".into())
            })?;
            if let Some((akid, secret)) = file.credential {
                if form.secret.is_empty() && form.access_key_id.trim() == akid {
                    form.secret = secret;
                }
            }
        }
        let change = build_change(&store, &form).map_err(AppError::InvalidForm)?;
        let plan = Plan::new(&store.row.state, &change, form.reconnect);
        let preflight = self.preflight(&target, &store, &change).await;
        let draft = random_id();
        let mut drafts = self.drafts.lock().expect("drafts lock");
        drafts.retain(|_, d| d.created.elapsed() < KEEP_FOR);
        drafts.insert(
            draft.clone(),
            Draft {
                user: user.username.clone(),
                target,
                store,
                change,
                plan,
                preflight,
                created: Instant::now(),
            },
        );
        Ok(draft)
    }

    async fn draft(&self, user: &UserInfo, draft: &str) -> Result<DraftView, AppError> {
        let drafts = self.drafts.lock().expect("drafts lock");
        let d = drafts
            .get(draft)
            .filter(|d| d.user == user.username && d.created.elapsed() < KEEP_FOR)
            .ok_or_else(|| {
                AppError::NotFound(
                    "This review has expired or belongs to someone else; edit the store again."
                        .into(),
                )
            })?;
        let outage = self.outage.secs(&d.store.row.store_type);
        Ok(DraftView {
            id: draft.to_string(),
            store: d.store.clone(),
            diff: Self::diff(&d.store, &d.change),
            steps: d.plan.steps.clone(),
            summary: d.plan.summary(outage),
            impact: d.plan.impact(&d.store.row.state),
            preflight: d.preflight.clone(),
        })
    }

    async fn start(
        &self,
        user: &UserInfo,
        draft: &str,
        override_preflight: bool,
    ) -> Result<i64, AppError> {
        let d = {
            let mut drafts = self.drafts.lock().expect("drafts lock");
            match drafts.get(draft) {
                Some(d) if d.user == user.username && d.created.elapsed() < KEEP_FOR => {}
                _ => {
                    return Err(AppError::NotFound(
                        "This review has expired; edit the store again.".into(),
                    ))
                }
            }
            let blocked = drafts[draft].preflight.as_ref().is_some_and(|p| p.blocks());
            if blocked && !override_preflight {
                return Err(AppError::Conflict(
                    "The preflight failed, so the run was not started. Fix the settings, or tick \"Run anyway\" to override the preflight.".into(),
                ));
            }
            drafts.remove(draft).expect("checked above")
        };
        let before = Settings::of(&d.store);
        let preflight = d.preflight.as_ref().map(|p| {
            if p.passed {
                format!("passed: {}", p.verdict)
            } else if !p.checked {
                format!("not run: {}", p.verdict)
            } else {
                format!("failed and overridden by {}: {}", user.username, p.verdict)
            }
        });
        self.launch(
            &user.username,
            NewRun {
                target: &d.target,
                store_id: &d.store.row.id,
                store_name: &d.store.row.name,
                store_type: &d.store.row.store_type,
                user: &user.username,
                change: &d.change,
                before: &before,
                state_before: &d.store.row.state,
                steps: &d.plan.steps,
                rollback_of: None,
                preflight,
            },
            d.change.clone(),
        )
        .await
    }

    async fn run(&self, id: i64) -> Result<RunView, AppError> {
        let r = self.engine.runs.get(id).await?;
        let now = self
            .engine
            .stores
            .describe(&r.target, &r.store_id)
            .await
            .ok();
        Ok(self.view(r, now))
    }

    async fn runs_of_store(
        &self,
        target: &TargetRef,
        store_id: &str,
    ) -> Result<Vec<RunView>, AppError> {
        let runs = self.engine.runs.of_store(target, store_id).await?;
        Ok(runs.into_iter().map(|r| self.view(r, None)).collect())
    }

    async fn act(
        &self,
        user: &UserInfo,
        run: i64,
        action: RunAction,
        password: Secret,
        secret: Secret,
    ) -> Result<i64, AppError> {
        let r = self.engine.runs.get(run).await?;
        if !matches!(r.status, RunStatus::Failed | RunStatus::Interrupted) {
            return Err(AppError::Conflict(format!(
                "Run {run} is {}; only a stopped run can be resumed or undone.",
                r.status.as_str()
            )));
        }
        match action {
            RunAction::Resume => {
                let mut full = self.engine.full_change(&r);
                if let Some(p) = full.password.as_mut().filter(|p| p.is_empty()) {
                    *p = password;
                }
                if let Some((_, s)) = full.credential.as_mut().filter(|(_, s)| s.is_empty()) {
                    if !secret.is_empty() {
                        app::change::rules::raw_secret_access_key(secret.expose())
                            .map_err(|m| AppError::invalid("Secret access key", m))?;
                    }
                    *s = secret;
                }
                self.engine
                    .secrets
                    .lock()
                    .expect("secrets lock")
                    .insert(run, full);
                if !self
                    .engine
                    .runs
                    .set_status(
                        run,
                        &[RunStatus::Failed, RunStatus::Interrupted],
                        RunStatus::Running,
                        None,
                    )
                    .await?
                {
                    return Err(AppError::Conflict(
                        "This run changed meanwhile; reload the page.".into(),
                    ));
                }
                self.engine
                    .audit(
                        &user.username,
                        &r,
                        "run resumed",
                        "started",
                        "Carrying on from the step that stopped.",
                    )
                    .await?;
                self.spawn(run);
                Ok(run)
            }
            RunAction::LeaveAsIs => {
                self.close(&r).await?;
                self.engine
                    .audit(
                        &user.username,
                        &r,
                        "run closed",
                        "closed",
                        "The operator left the store as it is.",
                    )
                    .await?;
                Ok(run)
            }
            RunAction::RollBack | RunAction::ReconnectWithOldSettings => {
                let store = self.engine.stores.describe(&r.target, &r.store_id).await?;
                let now = Settings::of(&store);
                // Put back only what this run changed and the store still shows as changed.
                let undo = r.change.rollback(&r.before);
                let undo = Change {
                    name: undo.name.filter(|n| *n != now.name),
                    cluster_id: undo
                        .cluster_id
                        .filter(|v| Some(v) != now.cluster_id.as_ref()),
                    connectivity: undo
                        .connectivity
                        .filter(|v| Some(v) != now.connectivity.as_ref()),
                    endpoint: undo.endpoint.filter(|v| Some(v) != now.endpoint.as_ref()),
                    path: undo.path.filter(|v| Some(v) != now.path.as_ref()),
                    vpc_name: undo.vpc_name.filter(|v| Some(v) != now.vpc_name.as_ref()),
                    vpc_owner: undo.vpc_owner.filter(|v| Some(v) != now.vpc_owner.as_ref()),
                    ..Change::default()
                };
                let reconnect = action == RunAction::ReconnectWithOldSettings;
                let mut steps: Vec<StepKind> = Vec::new();
                if !undo.fields().is_empty() {
                    steps = Plan::new(&store.row.state, &undo, reconnect).steps;
                } else if reconnect {
                    if store.row.state == "FAILED" {
                        steps.extend([StepKind::Disconnect, StepKind::WaitDisconnected]);
                    }
                    if store.row.state != "CONNECTED" {
                        steps.extend([StepKind::Connect, StepKind::WaitConnected]);
                    }
                    steps.push(StepKind::Verify);
                }
                if steps.is_empty() {
                    return Err(AppError::Conflict(
                        "The store already has its old settings; there is nothing to roll back."
                            .into(),
                    ));
                }
                self.close(&r).await?;
                self.launch(
                    &user.username,
                    NewRun {
                        target: &r.target,
                        store_id: &r.store_id,
                        store_name: &store.row.name,
                        store_type: &r.store_type,
                        user: &user.username,
                        change: &undo,
                        before: &now,
                        state_before: &store.row.state,
                        steps: &steps,
                        rollback_of: Some(run),
                        preflight: None,
                    },
                    undo.clone(),
                )
                .await
            }
        }
    }

    async fn audit(&self, store_id: Option<String>) -> Result<Vec<AuditEntry>, AppError> {
        self.engine.runs.audit_entries(store_id.as_deref()).await
    }

    async fn record(&self, entry: AuditEntry) -> Result<(), AppError> {
        self.engine.runs.audit(&entry).await
    }

    async fn keep_upload(&self, user: &UserInfo, file: ProxyConfigFile) -> String {
        let id = random_id();
        let mut uploads = self.uploads.lock().expect("uploads lock");
        uploads.retain(|_, u| u.created.elapsed() < KEEP_FOR);
        uploads.insert(
            id.clone(),
            Upload {
                user: user.username.clone(),
                file,
                created: Instant::now(),
            },
        );
        id
    }

    async fn upload(&self, user: &UserInfo, id: &str) -> Option<ProxyConfigFile> {
        let uploads = self.uploads.lock().expect("uploads lock");
        uploads
            .get(id)
            .filter(|u| u.user == user.username && u.created.elapsed() < KEEP_FOR)
            .map(|u| u.file.clone())
    }

    async fn reconnect(
        &self,
        user: &UserInfo,
        target: TargetRef,
        id: &str,
    ) -> Result<i64, AppError> {
        let store = self.engine.stores.describe(&target, id).await?;
        let mut steps = Vec::new();
        match store.row.state.as_str() {
            "CONNECTED" | "FAILED" => {
                steps.extend([StepKind::Disconnect, StepKind::WaitDisconnected])
            }
            "DISCONNECTED" => {}
            other => {
                return Err(AppError::Conflict(format!(
                    "The store is {other}; wait until it settles, then reconnect it."
                )))
            }
        }
        steps.extend([StepKind::Connect, StepKind::WaitConnected, StepKind::Verify]);
        let before = Settings::of(&store);
        let none = Change::default();
        self.launch(
            &user.username,
            NewRun {
                target: &target,
                store_id: id,
                store_name: &store.row.name,
                store_type: &store.row.store_type,
                user: &user.username,
                change: &none,
                before: &before,
                state_before: &store.row.state,
                steps: &steps,
                rollback_of: None,
                preflight: None,
            },
            none.clone(),
        )
        .await
    }

    async fn test_connection(
        &self,
        target: &TargetRef,
        id: &str,
        secret: Option<Secret>,
    ) -> Result<PreflightReport, AppError> {
        let store = self.engine.stores.describe(target, id).await?;
        let s = Settings::of(&store);
        let (Some(endpoint), Some(path), Some(akid)) = (s.endpoint, s.path, s.access_key_id) else {
            return Err(AppError::invalid(
                "store",
                "only an external key store has a proxy to test",
            ));
        };
        let given = secret.filter(|s| !s.is_empty());
        // Without the secret, a stand-in signs the probe: the network layers are still tested.
        let signing = given.clone().unwrap_or_else(|| Secret::new("0".repeat(43)));
        let mut report = self
            .probe
            .health(&target.region, &endpoint, &path, &akid, &signing)
            .await;
        if given.is_none() && report.credential_accepted == Some(false) {
            report.credential_accepted = None;
            report.checked = false;
            report.verdict = "The proxy is reachable and answered; enter the secret access key to check the credential and the key managers too.".into();
        }
        Ok(report)
    }

    async fn probe(
        &self,
        target: &TargetRef,
        endpoint: &str,
        path: &str,
        access_key_id: &str,
        secret: &Secret,
    ) -> PreflightReport {
        self.probe
            .health(&target.region, endpoint, path, access_key_id, secret)
            .await
    }

    fn outage_estimate_secs(&self, store_type: &str) -> u64 {
        self.outage.secs(store_type)
    }
}
