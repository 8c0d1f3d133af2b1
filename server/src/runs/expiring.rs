//! What waits in memory for one user for a while: reviewed changes (drafts) and proxy
//! configuration files uploaded without JavaScript. Both may hold secrets, so nothing here is
//! written anywhere, and an entry is gone once it expires.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

struct Entry<T> {
    user: String,
    value: T,
    created: Instant,
}

/// Entries under random ids, each readable only by the user who made it, for `keep_for`, and
/// at most `per_user` of them for one user (a new one replaces that user's oldest).
pub struct Expiring<T> {
    keep_for: Duration,
    per_user: usize,
    entries: Mutex<HashMap<String, Entry<T>>>,
}

impl<T: Clone> Expiring<T> {
    pub fn new(keep_for: Duration, per_user: usize) -> Self {
        Expiring {
            keep_for,
            per_user,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Drops the expired entries; returns how many. The runner calls it in the background, so
    /// a secret does not outlive its time in memory even when nobody adds another entry.
    pub fn sweep(&self) -> usize {
        let mut entries = self.lock();
        let before = entries.len();
        entries.retain(|_, e| e.created.elapsed() < self.keep_for);
        before - entries.len()
    }

    /// Keeps `value` for `user`; returns its id. Expired entries go first, and the user's
    /// oldest when the user already has `per_user`.
    pub fn insert(&self, user: &str, value: T) -> String {
        let id = random_id();
        let mut entries = self.lock();
        entries.retain(|_, e| e.created.elapsed() < self.keep_for);
        let mut mine: Vec<(Instant, String)> = entries
            .iter()
            .filter(|(_, e)| e.user == user)
            .map(|(id, e)| (e.created, id.clone()))
            .collect();
        mine.sort();
        let excess = (mine.len() + 1).saturating_sub(self.per_user);
        for (_, old) in mine.into_iter().take(excess) {
            entries.remove(&old);
        }
        entries.insert(
            id.clone(),
            Entry {
                user: user.to_string(),
                value,
                created: Instant::now(),
            },
        );
        id
    }

    /// A copy of the entry, if it is `user`'s and has not expired.
    pub fn get(&self, user: &str, id: &str) -> Option<T> {
        self.with(user, id, |v| v.clone())
    }

    /// Reads the entry in place, if it is `user`'s and has not expired.
    pub fn with<R>(&self, user: &str, id: &str, read: impl FnOnce(&T) -> R) -> Option<R> {
        self.lock()
            .get(id)
            .filter(|e| e.user == user && e.created.elapsed() < self.keep_for)
            .map(|e| read(&e.value))
    }

    /// Takes the entry out when `accept` agrees, so it can be used once; it stays otherwise.
    pub fn take_if<E>(
        &self,
        user: &str,
        id: &str,
        missing: E,
        accept: impl FnOnce(&T) -> Result<(), E>,
    ) -> Result<T, E> {
        let mut entries = self.lock();
        match entries.get(id) {
            Some(e) if e.user == user && e.created.elapsed() < self.keep_for => accept(&e.value)?,
            _ => return Err(missing),
        }
        Ok(entries.remove(id).expect("checked above").value)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry<T>>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn random_id() -> String {
    use rand::Rng;
    rand::thread_rng()
        .gen::<[u8; 16]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_only_its_users_and_only_for_a_while() {
        let kept = Expiring::new(Duration::from_secs(60), 4);
        let id = kept.insert("olga", 7);
        assert_eq!(id.len(), 32);
        assert_eq!(kept.get("olga", &id), Some(7));
        assert_eq!(kept.get("ivan", &id), None);
        assert_eq!(kept.get("olga", "no-such-id"), None);
        let gone = Expiring::new(Duration::ZERO, 4);
        let id = gone.insert("olga", 7);
        assert_eq!(gone.get("olga", &id), None);
        assert_eq!(gone.sweep(), 1, "the sweep drops it from memory");
        assert_eq!(kept.sweep(), 0);
    }

    #[test]
    fn taking_an_entry_uses_it_up_unless_refused() {
        let kept = Expiring::new(Duration::from_secs(60), 4);
        let id = kept.insert("olga", 7);
        assert_eq!(
            kept.take_if("olga", &id, "gone", |v| if *v > 9 {
                Ok(())
            } else {
                Err("small")
            }),
            Err("small")
        );
        assert_eq!(kept.take_if("ivan", &id, "gone", |_| Ok(())), Err("gone"));
        assert_eq!(kept.take_if("olga", &id, "gone", |_| Ok(())), Ok(7));
        assert_eq!(kept.get("olga", &id), None);
    }

    #[test]
    fn one_user_keeps_a_bounded_number_and_others_are_untouched() {
        let kept = Expiring::new(Duration::from_secs(60), 3);
        let ivan = kept.insert("ivan", 0);
        let ids: Vec<String> = (1..=5).map(|i| kept.insert("olga", i)).collect();
        let left: Vec<i32> = ids.iter().filter_map(|id| kept.get("olga", id)).collect();
        assert_eq!(left, [3, 4, 5], "the oldest made way");
        assert_eq!(kept.get("ivan", &ivan), Some(0));
    }
}
