//! Views the server renders once and serves to every viewer until what they show changes: the
//! list page's table is the same for everyone who looks at the same view of the same fleet, so
//! 32 viewers cost one render, not 32.

use std::collections::HashMap;
use std::sync::Mutex;

/// At most this many views are kept for one version; a view past them is rendered per request.
/// Filters and search text come from the URL, so the number of views has no other bound.
pub const VIEWS_PER_VERSION: usize = 64;

/// Rendered values for the current version only: a new version drops every older entry.
pub struct Rendered<V> {
    entries: Mutex<Entries<V>>,
}

struct Entries<V> {
    version: Option<Version>,
    views: HashMap<String, V>,
}

/// What a rendered value depends on besides its view: the data's version and the second it was
/// rendered in (a value that shows ages, "4 s ago", is good for that second only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub data: u64,
    pub second: u64,
}

impl<V> Default for Rendered<V> {
    fn default() -> Self {
        Rendered {
            entries: Mutex::new(Entries {
                version: None,
                views: HashMap::new(),
            }),
        }
    }
}

impl<V: Clone> Rendered<V> {
    /// The value of `view` at `version`, if a viewer has had it rendered.
    pub fn get(&self, version: Version, view: &str) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.version != Some(version) {
            return None;
        }
        entries.views.get(view).cloned()
    }

    /// Keeps `value` of `view` at `version` for the next viewers. A newer version drops every
    /// older value; a value rendered for an older version than the newest seen is not kept.
    pub fn keep(&self, version: Version, view: &str, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.version.is_none_or(|v| v < version) {
            entries.version = Some(version);
            entries.views.clear();
        }
        if entries.version == Some(version) && entries.views.len() < VIEWS_PER_VERSION {
            entries.views.insert(view.to_string(), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(data: u64, second: u64) -> Version {
        Version { data, second }
    }

    #[test]
    fn a_view_is_served_for_its_version_and_second_only() {
        let cache = Rendered::<&str>::default();
        assert_eq!(cache.get(at(1, 10), ""), None);
        cache.keep(at(1, 10), "", "a");
        assert_eq!(cache.get(at(1, 10), ""), Some("a"));
        assert_eq!(cache.get(at(1, 10), "page=2"), None, "another view");
        assert_eq!(cache.get(at(1, 11), ""), None, "the next second");
        assert_eq!(cache.get(at(2, 10), ""), None, "new data");
        // A newer version drops the older values; a late render of an older one is not kept.
        cache.keep(at(2, 10), "", "b");
        assert_eq!(cache.get(at(1, 10), ""), None);
        cache.keep(at(1, 10), "", "late");
        assert_eq!(cache.get(at(1, 10), ""), None);
        assert_eq!(cache.get(at(2, 10), ""), Some("b"));
    }

    #[test]
    fn views_past_the_limit_are_not_kept() {
        let cache = Rendered::<usize>::default();
        for i in 0..VIEWS_PER_VERSION {
            cache.keep(at(1, 1), &format!("q={i}"), i);
        }
        cache.keep(at(1, 1), "q=one-more", 0);
        assert_eq!(cache.get(at(1, 1), "q=one-more"), None);
        assert_eq!(cache.get(at(1, 1), "q=0"), Some(0));
        assert_eq!(
            cache.get(at(1, 1), &format!("q={}", VIEWS_PER_VERSION - 1)),
            Some(VIEWS_PER_VERSION - 1)
        );
    }
}
