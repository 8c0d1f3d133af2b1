//! The fleet in memory: one watcher per target reads its stores in the background, and pages,
//! server functions and runs read the watcher's copy. No page view, viewer or run sends its own
//! DescribeCustomKeyStores, so the console stays within KMS's request quota whatever the number
//! of people looking (the design of a shared watch cache, as cluster dashboards use).
//!
//! Each target has one request budget in two parts, shared by the watcher, page actions and runs:
//! the reads (DescribeCustomKeyStores), and the console's own changes (connect, disconnect, update,
//! create, delete; KMS gives each operation its own quota). Each part allows by default one
//! request per second on average, two at once: a fifth of KMS's quota for each operation, which
//! leaves room for other tools in the account. Reads following a transition every second do
//! not hold up a change, and the read after a change does not wait behind it.
//!
//! The watcher reads a target
//! - every `--refresh-interval` (30 s by default);
//! - at once after the console changes one of its stores, and then every second for a while,
//!   so a run and the store page follow the transition;
//! - every second while one of its stores is CONNECTING or DISCONNECTING;
//! - at once when someone presses Refresh.
//!
//! A read that fails (throttled, timed out, refused) keeps the last good rows, marked stale with
//! the reason and their age, and the next read backs off. After its own change the console reads
//! its writes: `describe` waits for a read that began after the change.

use crate::fleet::KmsFleet;
use crate::notify::FleetEvent;
use app::domain::change::create::CreateRequest;
use app::domain::change::Change;
use app::domain::fleet::{Fleet, FleetPage, View};
use app::domain::store::{StoreDetail, TargetFailure, TargetRef, TargetStatus};
use app::error::AppError;
use app::ssr::KeyStores;
use governor::{DefaultDirectRateLimiter, Quota};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, watch, Notify, Semaphore};

/// How the watchers pace themselves.
#[derive(Clone, Copy, Debug)]
pub struct WatchSettings {
    /// The longest between reads of a quiet target (each pause is a random 50 to 100% of it).
    pub refresh_interval: Duration,
    /// KMS requests per second per target, on average: for the reads (Describe), and again for
    /// the console's own changes.
    pub budget_per_second: NonZeroU32,
    /// How long after the console's own change its target is read every second.
    pub follow_for: Duration,
}

impl Default for WatchSettings {
    fn default() -> Self {
        WatchSettings {
            refresh_interval: DEFAULT_REFRESH_INTERVAL,
            budget_per_second: NonZeroU32::MIN,
            follow_for: Duration::from_secs(120),
        }
    }
}

pub const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(30);
/// Each part of a target's budget allows this many requests at once (the average stays the
/// budget): a Refresh or a change's read does not wait behind the read before it.
const BURST: NonZeroU32 = NonZeroU32::new(2).unwrap();

/// One part of a target's budget: `per_second` on average, [`BURST`] times that at once.
fn budget(per_second: NonZeroU32) -> DefaultDirectRateLimiter {
    DefaultDirectRateLimiter::direct(
        Quota::per_second(per_second).allow_burst(per_second.saturating_mul(BURST)),
    )
}

/// The pause before a quiet target's next read: a random 50 to 100% of the refresh interval.
/// Targets started together do not all call KMS at the same moment; a change made elsewhere is
/// seen within the interval, and half the time within about 40% of it (the pauses average 75%
/// of it, and a change falls at a random moment of one).
fn quiet_pause(interval: Duration) -> Duration {
    use rand::Rng;
    interval.mul_f64(rand::thread_rng().gen_range(0.5..=1.0))
}
/// Between reads while something is moving: a store in transition, or just after a change.
const FOLLOW_EVERY: Duration = Duration::from_secs(1);
/// The first retry after a failed read; each further failure doubles it, up to the interval.
const FIRST_BACKOFF: Duration = Duration::from_secs(2);
/// The longest a store page or a run waits for a read it needs (the first one, or one after a
/// change).
const READ_WAIT: Duration = Duration::from_secs(30);
/// The longest the list page waits for targets not read yet (just after a start): a slow target
/// is shown as not read yet rather than holding up the others.
const FIRST_READ_WAIT: Duration = Duration::from_secs(3);

/// What the console knows of one target.
#[derive(Default)]
struct Snapshot {
    /// The last good read.
    stores: Option<Vec<StoreDetail>>,
    read_at: Option<Instant>,
    /// Why the last read failed, if it did.
    stale: Option<String>,
    /// Reads finished, good or not.
    reads: u64,
    /// Reads begun, and the number of the one whose outcome this is.
    started: u64,
    last_read: u64,
    /// The console's changes that every later read reflects (the count when the last read began).
    covers_writes: u64,
}

impl Snapshot {
    /// A read has finished, and it began after the console's first `writes` changes to the
    /// target (read-your-writes).
    fn covers(&self, writes: u64) -> bool {
        self.reads > 0 && self.covers_writes >= writes
    }
}

struct Watched {
    reference: TargetRef,
    snapshot: Mutex<Snapshot>,
    /// Tells waiters that a read finished (the number of reads).
    finished: watch::Sender<u64>,
    wake: Notify,
    /// The console's changes to this target so far.
    writes: Mutex<u64>,
    follow_until: Mutex<Option<Instant>>,
    /// The target's budget: its reads, and the console's own changes.
    reads: DefaultDirectRateLimiter,
    changes: DefaultDirectRateLimiter,
    announce: Arc<Announce>,
}

/// What every watcher tells the rest of the console, shared by the whole fleet.
struct Announce {
    /// Counts the changes the pages would show (the live pages' events follow it).
    fleet_changes: watch::Sender<u64>,
    /// Stores entering or leaving FAILED, targets turning unreadable or readable.
    events: broadcast::Sender<FleetEvent>,
}

impl Watched {
    fn snapshot<T>(&self, f: impl FnOnce(&Snapshot) -> T) -> T {
        f(&self.snapshot.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn writes(&self) -> u64 {
        *self.writes.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn following(&self) -> bool {
        self.follow_until
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some_and(|t| Instant::now() < t)
    }

    /// Waits, at most `limit`, until a read that satisfies `done` has finished.
    async fn wait_for(&self, limit: Duration, done: impl Fn(&Snapshot) -> bool) {
        // Most calls find the read there already: no subscription, no timer.
        if self.snapshot(&done) {
            return;
        }
        let mut finished = self.finished.subscribe();
        let _ = tokio::time::timeout(limit, async {
            loop {
                if self.snapshot(&done) {
                    return;
                }
                if finished.changed().await.is_err() {
                    return;
                }
            }
        })
        .await;
    }
}

pub struct FleetWatch {
    fleet: Arc<KmsFleet>,
    targets: Vec<Arc<Watched>>,
    settings: WatchSettings,
    announce: Arc<Announce>,
    /// Every target's rows as one fleet (without their ages), and the number of reads it
    /// reflects: pages share it until a read finishes, instead of each copying every row.
    rows: Mutex<(u64, Arc<Fleet>)>,
}

impl FleetWatch {
    /// Starts one watcher per target of `fleet`; each reads its target at once.
    pub fn start(fleet: KmsFleet, settings: WatchSettings) -> Arc<FleetWatch> {
        let fleet = Arc::new(fleet);
        let announce = Arc::new(Announce {
            fleet_changes: watch::Sender::new(0),
            events: broadcast::channel(256).0,
        });
        let targets: Vec<Arc<Watched>> = fleet
            .targets()
            .iter()
            .map(|t| {
                Arc::new(Watched {
                    reference: t.reference.clone(),
                    snapshot: Mutex::default(),
                    finished: watch::Sender::new(0),
                    wake: Notify::new(),
                    writes: Mutex::new(0),
                    follow_until: Mutex::new(None),
                    reads: budget(settings.budget_per_second),
                    changes: budget(settings.budget_per_second),
                    announce: announce.clone(),
                })
            })
            .collect();
        // A very large fleet does not open hundreds of connections at once.
        let reading = Arc::new(Semaphore::new(crate::fleet::CONCURRENCY));
        for (i, watched) in targets.iter().enumerate() {
            let fleet = Arc::downgrade(&fleet);
            let watched = Arc::downgrade(watched);
            tokio::spawn(watch_target(fleet, watched, i, settings, reading.clone()));
        }
        Arc::new(FleetWatch {
            fleet,
            targets,
            settings,
            announce,
            rows: Mutex::new((u64::MAX, Arc::default())),
        })
    }

    /// What the watchers see change, for notifications (`crate::notify`).
    pub fn events(&self) -> broadcast::Receiver<FleetEvent> {
        self.announce.events.subscribe()
    }

    /// Ticks whenever a read changes what a page shows (a store's settings or state, a target
    /// turning stale or fresh): the live pages' server-sent events follow it.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.announce.fleet_changes.subscribe()
    }

    /// Every target's rows, once the reads a page must wait for are done: a target not read yet
    /// (briefly), and after the console's own change to a target a read that began after it
    /// (read-your-writes). Built again only when a read has finished since.
    async fn current_rows(&self) -> Arc<Fleet> {
        let reads = self.current_version().await;
        let mut rows = self.rows.lock().unwrap_or_else(|p| p.into_inner());
        if rows.0 != reads {
            let mut fleet = Fleet {
                targets: self.targets.iter().map(|w| w.reference.clone()).collect(),
                ..Fleet::default()
            };
            for w in &self.targets {
                w.snapshot(|s| match &s.stores {
                    Some(stores) => fleet.stores.extend(stores.iter().map(|d| d.row.clone())),
                    None => fleet.failures.push(TargetFailure {
                        target: w.reference.clone(),
                        message: s.stale.clone().unwrap_or_else(|| {
                            "The console is still reading this target; reload in a moment.".into()
                        }),
                    }),
                });
            }
            *rows = (reads, Arc::new(fleet));
        }
        rows.1.clone()
    }

    /// The reads a page must wait for (see [`current_rows`]), then the number of reads finished:
    /// every change to a snapshot comes with a finished read, so their count versions the rows
    /// and each target's status.
    ///
    /// [`current_rows`]: FleetWatch::current_rows
    async fn current_version(&self) -> u64 {
        // Usually every read is there, and each wait returns at once (see `Watched::wait_for`).
        futures::future::join_all(self.targets.iter().map(|w| {
            let writes = w.writes();
            let limit = if w.snapshot(|s| s.reads == 0) {
                FIRST_READ_WAIT
            } else {
                READ_WAIT
            };
            w.wait_for(limit, move |s| s.covers(writes))
        }))
        .await;
        self.targets.iter().map(|w| w.snapshot(|s| s.reads)).sum()
    }

    /// How old each target's rows are, now.
    fn statuses(&self) -> Vec<TargetStatus> {
        let now = Instant::now();
        self.targets.iter().map(|w| status(w, now)).collect()
    }

    fn watched(&self, target: &TargetRef) -> Result<&Arc<Watched>, AppError> {
        self.targets
            .iter()
            .find(|w| &w.reference == target)
            .ok_or_else(|| {
                AppError::NotFound(format!(
                    "The console manages no account {} in {}.",
                    target.account, target.region
                ))
            })
    }

    /// A change of the console's own: it waits its turn in the target's budget for changes, and
    /// the target is read at once after it and followed for a while.
    async fn change<T>(
        &self,
        target: &TargetRef,
        send: impl std::future::Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        let w = self.watched(target)?;
        w.changes.until_ready().await;
        let result = send.await;
        *w.writes.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        *w.follow_until.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(Instant::now() + self.settings.follow_for);
        w.wake.notify_one();
        result
    }
}

/// One target's watcher; it ends when the console is dropped.
async fn watch_target(
    fleet: std::sync::Weak<KmsFleet>,
    watched: std::sync::Weak<Watched>,
    i: usize,
    settings: WatchSettings,
    reading: Arc<Semaphore>,
) {
    let mut failures: u32 = 0;
    loop {
        let (Some(fleet), Some(w)) = (fleet.upgrade(), watched.upgrade()) else {
            return;
        };
        w.reads.until_ready().await;
        let writes = w.writes();
        let number = {
            let mut s = w.snapshot.lock().unwrap_or_else(|p| p.into_inner());
            s.started += 1;
            s.started
        };
        let result = {
            let _turn = reading.acquire().await;
            fleet.read(i).await
        };
        let (moving, changed) = {
            let mut s = w.snapshot.lock().unwrap_or_else(|p| p.into_inner());
            let was_stale = s.stale.is_some();
            // The rows a good read replaced; a failed read keeps them.
            let replaced = match result {
                Ok(stores) => {
                    failures = 0;
                    s.read_at = Some(Instant::now());
                    s.stale = None;
                    Some(s.stores.replace(stores))
                }
                Err(reason) => {
                    failures = failures.saturating_add(1);
                    tracing::warn!(account = %w.reference.account, region = %w.reference.region, %reason, "target read failed; keeping the last good rows");
                    s.stale = Some(reason);
                    None
                }
            };
            s.reads += 1;
            s.last_read = number;
            s.covers_writes = writes;
            let moving = s
                .stores
                .as_ref()
                .is_some_and(|stores| stores.iter().any(|d| d.row.is_transitioning()));
            let before = match &replaced {
                Some(old) => old.as_deref(),
                None => s.stores.as_deref(),
            };
            for event in crate::notify::changes(
                &w.reference,
                before,
                s.stores.as_deref(),
                was_stale,
                s.stale.as_deref(),
            ) {
                // Nobody listening (no notifications configured) is fine.
                let _ = w.announce.events.send(event);
            }
            let changed = before != s.stores.as_deref() || was_stale != s.stale.is_some();
            (moving, changed)
        };
        w.finished.send_modify(|n| *n += 1);
        if changed {
            w.announce.fleet_changes.send_modify(|n| *n += 1);
        }
        let pause = if failures > 0 {
            let doubled = FIRST_BACKOFF.saturating_mul(1 << (failures - 1).min(16));
            doubled.min(settings.refresh_interval.max(FIRST_BACKOFF))
        } else if moving || w.following() {
            FOLLOW_EVERY
        } else {
            quiet_pause(settings.refresh_interval)
        };
        drop(fleet);
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = w.wake.notified() => {}
        }
    }
}

/// What KMS says of an ID it does not know (CustomKeyStoreNotFoundException, in the catalogue's
/// words), for an ID that is not in the target's last read.
fn not_found(id: &str) -> String {
    match app::domain::kms_errors::kms_error("CustomKeyStoreNotFoundException") {
        Some(info) => format!("{} Next: {} ({id})", info.meaning, info.next_step),
        None => format!("There is no key store {id}."),
    }
}

fn status(w: &Watched, now: Instant) -> TargetStatus {
    w.snapshot(|s| TargetStatus {
        target: w.reference.clone(),
        age_secs: s.read_at.map(|t| now.duration_since(t).as_secs()),
        stale: s.stale.clone(),
    })
}

#[async_trait::async_trait]
impl KeyStores for FleetWatch {
    async fn fleet(&self) -> Fleet {
        let mut fleet = Fleet::clone(&*self.current_rows().await);
        fleet.status = self.statuses();
        fleet
    }

    async fn fleet_page(&self, view: &View) -> FleetPage {
        let mut page = self.current_rows().await.page(view);
        page.status = self.statuses();
        page
    }

    async fn fleet_version(&self) -> Option<u64> {
        Some(self.current_version().await)
    }

    async fn describe(&self, target: &TargetRef, id: &str) -> Result<StoreDetail, AppError> {
        let w = self.watched(target)?;
        // Read-your-writes: after the console's own change, only a read that began after it.
        let writes = w.writes();
        w.wait_for(READ_WAIT, |s| s.covers(writes)).await;
        w.snapshot(|s| match &s.stores {
            Some(stores) => stores
                .iter()
                .find(|d| d.row.id == id)
                .cloned()
                .ok_or_else(|| AppError::NotFound(not_found(id))),
            None => Err(AppError::Kms(s.stale.clone().unwrap_or_else(|| {
                "The console has not read this target yet.".into()
            }))),
        })
    }

    async fn connect(&self, target: &TargetRef, id: &str) -> Result<(), AppError> {
        self.change(target, self.fleet.connect(target, id)).await
    }

    async fn disconnect(&self, target: &TargetRef, id: &str) -> Result<(), AppError> {
        self.change(target, self.fleet.disconnect(target, id)).await
    }

    async fn delete(&self, target: &TargetRef, id: &str) -> Result<(), AppError> {
        self.change(target, self.fleet.delete(target, id)).await
    }

    async fn create(
        &self,
        target: &TargetRef,
        request: &CreateRequest,
    ) -> Result<String, AppError> {
        self.change(target, self.fleet.create(target, request))
            .await
    }

    async fn update(&self, target: &TargetRef, id: &str, change: &Change) -> Result<(), AppError> {
        self.change(target, self.fleet.update(target, id, change))
            .await
    }

    async fn refresh(&self) {
        // The first read to begin after this request: a read under way began before it.
        let wanted: Vec<u64> = self
            .targets
            .iter()
            .map(|w| {
                let next = w.snapshot(|s| s.started + 1);
                w.wake.notify_one();
                next
            })
            .collect();
        futures::future::join_all(
            self.targets
                .iter()
                .zip(wanted)
                .map(|(w, next)| w.wait_for(READ_WAIT, move |s| s.last_read >= next)),
        )
        .await;
    }
}
