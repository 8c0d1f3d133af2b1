//! Workflow overhead: complete disconnect → update → reconnect runs through the console's own
//! runner, against kms-sim with instant transitions. Every KMS call is timed where the console
//! makes it; what remains of a run's wall time is the console's own overhead (its database
//! writes, its waits between polls, its bookkeeping).

use crate::harness::percentile;
use app::domain::change::create::CreateRequest;
use app::domain::change::run::RunStatus;
use app::domain::change::Change;
use app::domain::change::ChangeForm;
use app::domain::change::Settings;
use app::domain::fleet::Fleet;
use app::domain::store::{StoreDetail, TargetRef};
use app::domain::user::{Role, UserInfo};
use app::error::AppError;
use app::ssr::{KeyStores, Workflows};
use serde::Serialize;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The console's KMS client, with the time spent inside each call added up.
struct Timed {
    inner: Arc<dyn KeyStores>,
    spent: Mutex<Duration>,
    calls: Mutex<u32>,
}

impl Timed {
    async fn time<T>(&self, f: impl Future<Output = T>) -> T {
        let started = Instant::now();
        let out = f.await;
        *self.spent.lock().unwrap() += started.elapsed();
        *self.calls.lock().unwrap() += 1;
        out
    }

    fn take(&self) -> (Duration, u32) {
        let spent = std::mem::take(&mut *self.spent.lock().unwrap());
        let calls = std::mem::take(&mut *self.calls.lock().unwrap());
        (spent, calls)
    }
}

#[async_trait::async_trait]
impl KeyStores for Timed {
    async fn fleet(&self) -> Fleet {
        self.time(self.inner.fleet()).await
    }
    async fn describe(&self, t: &TargetRef, id: &str) -> Result<StoreDetail, AppError> {
        self.time(self.inner.describe(t, id)).await
    }
    async fn connect(&self, t: &TargetRef, id: &str) -> Result<(), AppError> {
        self.time(self.inner.connect(t, id)).await
    }
    async fn disconnect(&self, t: &TargetRef, id: &str) -> Result<(), AppError> {
        self.time(self.inner.disconnect(t, id)).await
    }
    async fn delete(&self, t: &TargetRef, id: &str) -> Result<(), AppError> {
        self.time(self.inner.delete(t, id)).await
    }
    async fn create(&self, t: &TargetRef, r: &CreateRequest) -> Result<String, AppError> {
        self.time(self.inner.create(t, r)).await
    }
    async fn update(&self, t: &TargetRef, id: &str, c: &Change) -> Result<(), AppError> {
        self.time(self.inner.update(t, id, c)).await
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Overhead {
    pub runs: usize,
    pub kms_calls_per_run: u32,
    pub wall_p50_ms: f64,
    pub kms_p50_ms: f64,
    pub overhead_p50_ms: f64,
    pub overhead_p90_ms: f64,
    pub overhead_max_ms: f64,
}

/// The demo's connected external key store, moved between two proxy endpoints, so that every
/// run disconnects, updates, reconnects and verifies.
pub async fn measure(runs: usize) -> Result<Overhead, String> {
    let sim = kms_sim::start(kms_sim::SimConfig {
        initial: kms_sim::Initial::Demo,
        connect_duration: Duration::ZERO,
        disconnect_duration: Duration::ZERO,
        // The workflow overhead is the console's own time, without KMS's request quota.
        request_quota: 0,
        ..kms_sim::SimConfig::default()
    })
    .await
    .map_err(|e| e.to_string())?;
    let timed = Arc::new(Timed {
        inner: Arc::new(server::fleet::KmsFleet::new(
            server::backend::simulator_targets(&sim),
            server::fleet::PAGE_SIZE,
        )),
        spent: Mutex::default(),
        calls: Mutex::default(),
    });
    let (pool, _scratch) = server::db::scratch().await.map_err(|e| e.to_string())?;
    let runner = server::runs::Runner::open(
        pool,
        timed.clone(),
        Arc::new(server::preflight::XksPreflight {
            client: sim.xks_client(),
        }),
        // The poll the engine used when these figures were first taken (the quota is off here).
        server::runs::Timing {
            poll: Duration::from_millis(200),
            wait_limit: Duration::from_secs(60),
        },
        server::runs::Outage {
            external_secs: 0,
            cloudhsm_secs: 0,
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    let operator = UserInfo::new("bench", Role::Operator);
    let target = TargetRef {
        account: "000000000000".into(),
        region: "us-east-1".into(),
    };
    let id = "cks-0a1b2c3d4e5f60001";
    let endpoints = [
        "https://proxy-a2.xks.sim.internal",
        "https://proxy-a.xks.sim.internal",
    ];
    let mut walls = Vec::new();
    let mut kms = Vec::new();
    let mut overheads = Vec::new();
    let mut calls_per_run = 0;
    for n in 0..runs + 2 {
        let now = timed
            .describe(&target, id)
            .await
            .map_err(|e| e.to_string())?;
        let settings = Settings::of(&now);
        let mut form = ChangeForm::of(&settings);
        form.endpoint = endpoints[n % 2].into();
        form.reconnect = true;
        let draft = runner
            .review(
                &operator,
                target.clone(),
                id,
                &settings.fingerprint(),
                form,
                None,
            )
            .await
            .map_err(|e| e.to_string())?;
        timed.take();
        let started = Instant::now();
        let run = runner
            .start(&operator, &draft, false)
            .await
            .map_err(|e| e.to_string())?;
        let view = loop {
            let v = runner.run(run).await.map_err(|e| e.to_string())?;
            if v.status != RunStatus::Running {
                break v;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        let wall = started.elapsed();
        let (spent, calls) = timed.take();
        if view.status != RunStatus::Succeeded {
            return Err(format!(
                "run {run} ended {:?}: {:?}",
                view.status, view.error
            ));
        }
        // The first two runs warm up connections and caches.
        if n >= 2 {
            let w = wall.as_secs_f64() * 1000.0;
            let k = spent.as_secs_f64() * 1000.0;
            walls.push(w);
            kms.push(k);
            overheads.push(w - k);
            calls_per_run = calls;
        }
    }
    for v in [&mut walls, &mut kms, &mut overheads] {
        v.sort_by(|a, b| a.total_cmp(b));
    }
    Ok(Overhead {
        runs,
        kms_calls_per_run: calls_per_run,
        wall_p50_ms: percentile(&walls, 0.5),
        kms_p50_ms: percentile(&kms, 0.5),
        overhead_p50_ms: percentile(&overheads, 0.5),
        overhead_p90_ms: percentile(&overheads, 0.9),
        overhead_max_ms: overheads.last().copied().unwrap_or_default(),
    })
}
