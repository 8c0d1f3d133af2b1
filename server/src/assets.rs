//! Which files under `/pkg/` a browser may keep for a year.
//!
//! cargo-leptos names each built file after the MD5 of its content (`name.<hash>.ext`, the hash
//! in unpadded base64url). With `--split` it renames some files first and rewrites the
//! references inside them afterwards (the split loader, the main wasm and js): such a file keeps a
//! name that another build can reuse for other bytes, and a browser that kept it for a year would
//! load a loader that points at chunks of an older build. So a name is trusted only when the hash
//! in it is the hash of the bytes served; every other file is revalidated on each use.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use md5::{Digest, Md5};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Length of cargo-leptos' hash: 16 bytes of MD5 in unpadded base64url.
const HASH_CHARS: usize = 22;

#[derive(Clone, Default)]
pub struct AssetNames {
    pkg_dir: PathBuf,
    /// The answer for each file asked about, read once per process.
    checked: Arc<Mutex<HashMap<String, bool>>>,
}

impl AssetNames {
    pub fn new(pkg_dir: PathBuf) -> Self {
        AssetNames {
            pkg_dir,
            checked: Arc::default(),
        }
    }

    /// Whether `/pkg/{rel}` is named after its own content, so that its bytes can never change.
    pub async fn content_named(&self, rel: &str) -> bool {
        if let Some(known) = self.checked.lock().expect("asset names").get(rel) {
            return *known;
        }
        let Some(file) = inside(&self.pkg_dir, rel) else {
            return false;
        };
        let name = rel.to_string();
        let verdict = tokio::task::spawn_blocking(move || {
            std::fs::read(&file).is_ok_and(|bytes| named_after(&name, &bytes))
        })
        .await
        .unwrap_or(false);
        self.checked
            .lock()
            .expect("asset names")
            .insert(rel.to_string(), verdict);
        verdict
    }
}

/// `rel` under `dir`, if it is a plain relative path (no `..`, no root, no prefix).
fn inside(dir: &Path, rel: &str) -> Option<PathBuf> {
    let rel = Path::new(rel);
    rel.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| dir.join(rel))
}

/// Whether the file name's next-to-last dot-separated part is the MD5 of `bytes`.
fn named_after(name: &str, bytes: &[u8]) -> bool {
    let file_name = name.rsplit('/').next().unwrap_or(name);
    let mut parts = file_name.rsplit('.');
    let (Some(_ext), Some(hash)) = (parts.next(), parts.next()) else {
        return false;
    };
    hash.len() == HASH_CHARS && hash == URL_SAFE_NO_PAD.encode(Md5::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    // MD5 digests from Python's hashlib, in unpadded base64url as cargo-leptos writes them.
    const MD5_OF_EMPTY: &str = "1B2M2Y8AsgTpgAmY7PhCfg";
    const MD5_OF_BODY: &str = "qmdpcrvSto6U746R6B0gvg"; // b"body{}"

    #[test]
    fn a_name_counts_only_when_its_hash_is_the_content_hash() {
        assert!(named_after(&format!("x.{MD5_OF_BODY}.css"), b"body{}"));
        assert!(named_after(&format!("snippets/a/b.{MD5_OF_EMPTY}.js"), b""));
        assert!(!named_after(&format!("x.{MD5_OF_BODY}.css"), b"body{ }"));
        assert!(!named_after("x.css", b"body{}"));
        assert!(!named_after(MD5_OF_BODY, b"body{}"));
    }

    #[test]
    fn only_plain_relative_paths_are_looked_up() {
        let dir = Path::new("/site/pkg");
        assert_eq!(inside(dir, "a/b.js"), Some(dir.join("a/b.js")));
        assert_eq!(inside(dir, "../hash.txt"), None);
        assert_eq!(inside(dir, "/etc/passwd"), None);
        assert_eq!(inside(dir, "a/../../b"), None);
    }
}
