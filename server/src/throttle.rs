//! Slows down repeated failed sign-ins, per account and per client address.
//! After a few free failures each further attempt must wait twice as long as the last, up to a cap.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Failures allowed before any wait.
    pub free_failures: u32,
    pub first_wait: Duration,
    pub max_wait: Duration,
    /// Failures older than this are forgotten.
    pub memory: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            free_failures: 3,
            first_wait: Duration::from_secs(2),
            max_wait: Duration::from_secs(300),
            memory: Duration::from_secs(3600),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

#[derive(Debug, Default)]
pub struct SignInThrottle {
    policy: Policy,
    failures: Mutex<HashMap<String, Failures>>,
}

pub fn account_key(username: &str) -> String {
    format!("user:{}", username.to_lowercase())
}

pub fn client_key(client: &str) -> String {
    format!("client:{client}")
}

impl SignInThrottle {
    pub fn new(policy: Policy) -> Self {
        SignInThrottle {
            policy,
            failures: Mutex::default(),
        }
    }

    fn wait_for(&self, count: u32) -> Duration {
        if count < self.policy.free_failures {
            return Duration::ZERO;
        }
        let doublings = (count - self.policy.free_failures).min(16);
        (self.policy.first_wait * 2u32.pow(doublings)).min(self.policy.max_wait)
    }

    /// How long the caller must still wait before another attempt, if at all.
    pub fn check(&self, keys: &[String], now: Instant) -> Option<Duration> {
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        keys.iter()
            .filter_map(|k| map.get(k))
            .filter(|f| now.duration_since(f.last) < self.policy.memory)
            .filter_map(|f| (f.last + self.wait_for(f.count)).checked_duration_since(now))
            .filter(|d| !d.is_zero())
            .max()
    }

    pub fn record_failure(&self, keys: &[String], now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, f| now.duration_since(f.last) < self.policy.memory);
        for k in keys {
            let entry = map.entry(k.clone()).or_insert(Failures {
                count: 0,
                last: now,
            });
            entry.count += 1;
            entry.last = now;
        }
    }

    /// A correct password clears the account's failures; the client's stay, so one good
    /// account cannot be used to reset guessing at others.
    pub fn record_success(&self, account: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Vec<String> {
        vec![account_key("admin"), client_key("10.0.0.1")]
    }

    #[test]
    fn first_failures_are_free_then_waits_double() {
        let t = SignInThrottle::new(Policy::default());
        let now = Instant::now();
        for _ in 0..3 {
            assert_eq!(t.check(&keys(), now), None);
            t.record_failure(&keys(), now);
        }
        assert_eq!(t.check(&keys(), now), Some(Duration::from_secs(2)));
        t.record_failure(&keys(), now);
        assert_eq!(t.check(&keys(), now), Some(Duration::from_secs(4)));
        // Once the wait is over, one more attempt is allowed.
        assert_eq!(t.check(&keys(), now + Duration::from_secs(5)), None);
    }

    #[test]
    fn waits_are_capped() {
        let t = SignInThrottle::new(Policy::default());
        let now = Instant::now();
        for _ in 0..40 {
            t.record_failure(&keys(), now);
        }
        assert_eq!(t.check(&keys(), now), Some(Duration::from_secs(300)));
    }

    #[test]
    fn a_client_guessing_many_accounts_is_slowed_down() {
        let t = SignInThrottle::new(Policy::default());
        let now = Instant::now();
        for name in ["a", "b", "c", "d"] {
            t.record_failure(&[account_key(name), client_key("10.0.0.9")], now);
        }
        assert!(t
            .check(&[account_key("e"), client_key("10.0.0.9")], now)
            .is_some());
        assert_eq!(
            t.check(&[account_key("e"), client_key("10.0.0.10")], now),
            None
        );
    }

    #[test]
    fn success_clears_the_account_but_not_the_client() {
        let t = SignInThrottle::new(Policy::default());
        let now = Instant::now();
        for _ in 0..5 {
            t.record_failure(&keys(), now);
        }
        t.record_success(&account_key("admin"));
        assert_eq!(t.check(&[account_key("admin")], now), None);
        assert!(t.check(&[client_key("10.0.0.1")], now).is_some());
    }

    #[test]
    fn old_failures_are_forgotten() {
        let t = SignInThrottle::new(Policy::default());
        let now = Instant::now();
        for _ in 0..10 {
            t.record_failure(&keys(), now);
        }
        assert_eq!(t.check(&keys(), now + Duration::from_secs(3601)), None);
    }
}
