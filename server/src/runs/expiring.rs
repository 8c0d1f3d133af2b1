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

/// Entries under random ids, each readable only by the user who made it, for `keep_for`.
pub struct Expiring<T> {
    keep_for: Duration,
    entries: Mutex<HashMap<String, Entry<T>>>,
}

impl<T: Clone> Expiring<T> {
    pub fn new(keep_for: Duration) -> Self {
        Expiring {
            keep_for,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Keeps `value` for `user`; returns its id. Expired entries go first.
    pub fn insert(&self, user: &str, value: T) -> String {
        let id = random_id();
        let mut entries = self.lock();
        entries.retain(|_, e| e.created.elapsed() < self.keep_for);
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
        let kept = Expiring::new(Duration::from_secs(60));
        let id = kept.insert("olga", 7);
        assert_eq!(id.len(), 32);
        assert_eq!(kept.get("olga", &id), Some(7));
        assert_eq!(kept.get("ivan", &id), None);
        assert_eq!(kept.get("olga", "no-such-id"), None);
        let gone = Expiring::new(Duration::ZERO);
        let id = gone.insert("olga", 7);
        assert_eq!(gone.get("olga", &id), None);
    }

    #[test]
    fn taking_an_entry_uses_it_up_unless_refused() {
        let kept = Expiring::new(Duration::from_secs(60));
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
}
