//! The runner: the engine that carries runs out, the proxy probe, the drafts and uploads that
//! wait in memory, and the background tasks of the runs under way.

use super::draft::Draft;
use super::engine::{Engine, Timing};
use super::expiring::Expiring;
use super::store::RunStore;
use app::domain::change::ProxyConfigFile;
use app::domain::kms::{CustomKeyStoreType, StoreKind};
use app::error::AppError;
use app::ssr::{KeyStores, ProxyProbe};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Reviews and uploads wait this long for the operator, in memory only.
const KEEP_FOR: Duration = Duration::from_secs(30 * 60);

pub struct Runner {
    pub(super) engine: Arc<Engine>,
    pub(super) probe: Arc<dyn ProxyProbe>,
    pub(super) drafts: Expiring<Draft>,
    pub(super) uploads: Expiring<ProxyConfigFile>,
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

    pub(super) fn spawn(&self, run: i64) {
        let handle = tokio::spawn(self.engine.clone().drive(run));
        let mut tasks = self.tasks.lock().expect("tasks lock");
        tasks.retain(|t| !t.is_finished());
        tasks.push(handle.abort_handle());
    }
}
