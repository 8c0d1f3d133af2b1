//! The runner: the engine that carries runs out, the proxy probe, the drafts and uploads that
//! wait in memory, and the background tasks of the runs under way.

use super::draft::Draft;
use super::engine::{Engine, Timing};
use super::expiring::Expiring;
use super::secrets::RunSecrets;
use super::store::RunStore;
use app::domain::change::ProxyConfigFile;
use app::domain::kms::{CustomKeyStoreType, StoreKind};
use app::error::AppError;
use app::ssr::{KeyStores, ProxyProbe};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Reviews and uploads wait this long for the operator, in memory only.
const KEEP_FOR: Duration = Duration::from_secs(30 * 60);
/// Reviews, and uploads, one user keeps at once.
const KEEP_PER_USER: usize = 16;
/// How often what has expired is dropped from memory.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

pub struct Runner {
    pub(super) engine: Arc<Engine>,
    pub(super) probe: Arc<dyn ProxyProbe>,
    pub(super) drafts: Arc<Expiring<Draft>>,
    pub(super) uploads: Arc<Expiring<ProxyConfigFile>>,
    tasks: Mutex<Vec<tokio::task::AbortHandle>>,
    pub(super) outage: Outage,
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
        let runner = Runner {
            engine: Arc::new(Engine {
                runs,
                stores,
                timing,
                secrets: RunSecrets::default(),
            }),
            probe,
            drafts: Arc::new(Expiring::new(KEEP_FOR, KEEP_PER_USER)),
            uploads: Arc::new(Expiring::new(KEEP_FOR, KEEP_PER_USER)),
            tasks: Mutex::new(Vec::new()),
            outage,
        };
        runner.spawn_sweeper();
        Ok(runner)
    }

    /// Where each run's id is sent as its steps or status change, for the live run pages.
    pub fn run_changes(&self) -> tokio::sync::broadcast::Sender<i64> {
        self.engine.runs.change_feed()
    }

    /// Drops expired drafts, uploads and stopped runs' secrets once a minute, for as long as the
    /// runner lives (its Drop stops the task).
    fn spawn_sweeper(&self) {
        let (engine, drafts, uploads) = (
            self.engine.clone(),
            self.drafts.clone(),
            self.uploads.clone(),
        );
        let handle = tokio::spawn(async move {
            let mut every = tokio::time::interval(SWEEP_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                let dropped = drafts.sweep() + uploads.sweep() + engine.secrets.sweep();
                if dropped > 0 {
                    tracing::debug!(dropped, "expired reviews, uploads and run secrets dropped");
                }
            }
        });
        self.tasks
            .lock()
            .expect("tasks lock")
            .push(handle.abort_handle());
    }

    pub(super) fn spawn(&self, run: i64) {
        let handle = tokio::spawn(self.engine.clone().drive(run));
        let mut tasks = self.tasks.lock().expect("tasks lock");
        tasks.retain(|t| !t.is_finished());
        tasks.push(handle.abort_handle());
    }
}
