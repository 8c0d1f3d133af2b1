//! The secret values of runs (KeyStorePassword, RawSecretAccessKey), in memory only: kept while
//! a run may still use them, forgotten when it ends, and forgotten a while after it stops, so a
//! failed run left alone does not keep them. Resuming then asks for them again, as after a
//! restart.

use app::domain::change::Change;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a stopped (failed or interrupted) run keeps its secrets for a resume.
pub const KEEP_STOPPED: Duration = Duration::from_secs(15 * 60);

struct Held {
    change: Change,
    /// When the run stopped; None while it runs.
    stopped: Option<Instant>,
}

pub struct RunSecrets {
    keep_stopped: Duration,
    held: Mutex<HashMap<i64, Held>>,
}

impl Default for RunSecrets {
    fn default() -> Self {
        RunSecrets::new(KEEP_STOPPED)
    }
}

impl RunSecrets {
    pub fn new(keep_stopped: Duration) -> Self {
        RunSecrets {
            keep_stopped,
            held: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Held>> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn expired(&self, h: &Held) -> bool {
        h.stopped.is_some_and(|t| t.elapsed() >= self.keep_stopped)
    }

    /// The run (started or resumed) runs with these values.
    pub fn keep(&self, run: i64, change: Change) {
        self.lock().insert(
            run,
            Held {
                change,
                stopped: None,
            },
        );
    }

    /// The run's full change, while it is held.
    pub fn get(&self, run: i64) -> Option<Change> {
        let mut held = self.lock();
        if held.get(&run).is_some_and(|h| self.expired(h)) {
            held.remove(&run);
        }
        held.get(&run).map(|h| h.change.clone())
    }

    /// The run stopped: its values are kept for `keep_stopped` more.
    pub fn stopped(&self, run: i64) {
        if let Some(h) = self.lock().get_mut(&run) {
            h.stopped = Some(Instant::now());
        }
    }

    pub fn forget(&self, run: i64) {
        self.lock().remove(&run);
    }

    /// Drops what stopped runs have kept too long; returns how many.
    pub fn sweep(&self) -> usize {
        let mut held = self.lock();
        let before = held.len();
        held.retain(|_, h| !self.expired(h));
        before - held.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::user::Secret;

    fn with_password() -> Change {
        Change {
            password: Some(Secret::new("kmsuser-password")),
            ..Change::default()
        }
    }

    #[test]
    fn a_running_run_keeps_its_secrets_and_a_stopped_one_only_for_a_while() {
        let s = RunSecrets::new(Duration::ZERO);
        s.keep(1, with_password());
        s.keep(2, with_password());
        assert_eq!(s.sweep(), 0, "running runs keep their secrets");
        assert_eq!(s.get(1), Some(with_password()));
        s.stopped(1);
        assert_eq!(s.get(1), None, "stopped longer than it may keep them");
        s.stopped(2);
        assert_eq!(s.sweep(), 1);
        assert_eq!(s.get(2), None);
        let kept = RunSecrets::new(Duration::from_secs(60));
        kept.keep(3, with_password());
        kept.stopped(3);
        assert_eq!(kept.sweep(), 0);
        assert!(
            kept.get(3).is_some(),
            "a resume soon after the stop finds them"
        );
        kept.forget(3);
        assert!(kept.get(3).is_none());
    }
}
