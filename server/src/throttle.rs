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

/// An account as guessed at from one client address: a storm from one address must not lock
/// the account's owner out at another.
pub fn account_key(username: &str, client: &str) -> String {
    format!("user:{}@{client}", username.to_lowercase())
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

    /// Counts an attempt before its password is checked, so attempts sent at once are counted
    /// as they arrive: refused with how long to wait when a key must still wait, else counted
    /// as a failure until `record_success` says otherwise.
    pub fn begin(&self, keys: &[String], now: Instant) -> Result<(), Duration> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, f| now.duration_since(f.last) < self.policy.memory);
        let wait = keys
            .iter()
            .filter_map(|k| map.get(k))
            .filter_map(|f| (f.last + self.wait_for(f.count)).checked_duration_since(now))
            .filter(|d| !d.is_zero())
            .max();
        if let Some(wait) = wait {
            return Err(wait);
        }
        for k in keys {
            let entry = map.entry(k.clone()).or_insert(Failures {
                count: 0,
                last: now,
            });
            entry.count += 1;
            entry.last = now;
        }
        Ok(())
    }

    /// A correct password: the account's failures at this address are forgotten, and the
    /// client gets back the attempt counted for it; its earlier failures stay, so one good
    /// account cannot be used to reset guessing at others.
    pub fn record_success(&self, account: &str, client: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(account);
        if let Some(f) = map.get_mut(client) {
            f.count = f.count.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Vec<String> {
        vec![account_key("admin", "10.0.0.1"), client_key("10.0.0.1")]
    }

    #[test]
    fn first_attempts_are_free_then_waits_double() {
        let t = SignInThrottle::new(Policy::default());
        let now = Instant::now();
        for _ in 0..3 {
            assert_eq!(t.begin(&keys(), now), Ok(()));
        }
        assert_eq!(t.begin(&keys(), now), Err(Duration::from_secs(2)));
        // Once the wait is over, one more attempt is allowed, and the next waits twice as long.
        let later = now + Duration::from_secs(2);
        assert_eq!(t.begin(&keys(), later), Ok(()));
        assert_eq!(t.begin(&keys(), later), Err(Duration::from_secs(4)));
    }

    #[test]
    fn waits_are_capped() {
        let t = SignInThrottle::new(Policy::default());
        let mut now = Instant::now();
        let mut longest = Duration::ZERO;
        for _ in 0..40 {
            if let Err(wait) = t.begin(&keys(), now) {
                longest = longest.max(wait);
                now += wait;
            }
        }
        assert_eq!(longest, Duration::from_secs(300));
    }

    #[test]
    fn a_client_guessing_many_accounts_is_slowed_down() {
        let t = SignInThrottle::new(Policy::default());
        let now = Instant::now();
        let at = |name: &str, client: &str| vec![account_key(name, client), client_key(client)];
        for name in ["a", "b", "c"] {
            assert_eq!(t.begin(&at(name, "10.0.0.9"), now), Ok(()));
        }
        assert!(t.begin(&at("e", "10.0.0.9"), now).is_err());
        assert_eq!(t.begin(&at("e", "10.0.0.10"), now), Ok(()));
    }

    #[test]
    fn a_storm_at_one_address_leaves_the_account_open_at_another() {
        let t = SignInThrottle::new(Policy::default());
        let now = Instant::now();
        let storm = [account_key("admin", "10.0.0.66"), client_key("10.0.0.66")];
        let refused = (0..40).filter(|_| t.begin(&storm, now).is_err()).count();
        assert_eq!(refused, 37);
        let owner = [account_key("admin", "10.0.0.1"), client_key("10.0.0.1")];
        assert_eq!(t.begin(&owner, now), Ok(()));
    }

    #[test]
    fn success_clears_the_account_and_gives_back_only_its_own_attempt() {
        let t = SignInThrottle::new(Policy::default());
        let now = Instant::now();
        let k = keys();
        for _ in 0..3 {
            t.begin(&k, now).unwrap();
        }
        t.record_success(&k[0], &k[1]);
        // Two failures stay with the client, so it has one free attempt left, not three.
        assert_eq!(t.begin(&k, now), Ok(()));
        assert!(t.begin(&k, now).is_err());
    }

    #[test]
    fn old_failures_are_forgotten() {
        let t = SignInThrottle::new(Policy::default());
        let now = Instant::now();
        for _ in 0..3 {
            t.begin(&keys(), now).unwrap();
        }
        assert!(t.begin(&keys(), now).is_err());
        assert_eq!(t.begin(&keys(), now + Duration::from_secs(3601)), Ok(()));
    }
}
