//! A content-addressed store on disk for what the build derives from a source alone (its
//! imports, its code): the same inputs always give the same answer, so a hit is as good
//! as the work. Best effort: a cache that cannot be read or written only costs time.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

/// Bumped when the layout of the store changes.
const STORE_FORMAT: &str = "freeze-cache-2";

/// What every key depends on besides its own inputs: this freezer and the compiler it
/// carries (the RustPython version and the patch series applied to it, see `build.rs`).
const BUILD_IDENTITY: [&str; 3] = [
    env!("CARGO_PKG_VERSION"),
    freeze_payload::RUSTPYTHON_VERSION,
    env!("FREEZE_VM_PATCHES"),
];

/// A kind of entry, named by its directory and versioned by whoever computes it (the
/// import scanner bumps its version when what it finds changes).
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    pub name: &'static str,
    pub version: u32,
}

#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache in `dir` (created on first write).
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// `FREEZE_CACHE_DIR`, else `freeze` in the user's cache directory as the OS
    /// defines it (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS,
    /// `%LOCALAPPDATA%` on Windows); None when neither is known.
    pub fn default_dir() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os("FREEZE_CACHE_DIR").filter(|d| !d.is_empty()) {
            return Some(PathBuf::from(dir));
        }
        Some(dirs::cache_dir()?.join("freeze"))
    }

    /// The stored bytes for `content` under `parts` (what else the answer depends on).
    pub fn get(&self, kind: Kind, parts: &[&str], content: &str) -> Option<Vec<u8>> {
        std::fs::read(self.path(kind, &key(kind, parts, content))).ok()
    }

    pub fn put(&self, kind: Kind, parts: &[&str], content: &str, bytes: &[u8]) {
        let path = self.path(kind, &key(kind, parts, content));
        let Some(dir) = path.parent() else { return };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        if let Ok(mut tmp) = tempfile::NamedTempFile::new_in(dir) {
            use std::io::Write;
            if tmp.write_all(bytes).is_ok() {
                let _ = tmp.persist(&path);
            }
        }
    }

    fn path(&self, kind: Kind, key: &str) -> PathBuf {
        self.dir
            .join(kind.name)
            .join(&key[..2])
            .join(format!("{}.bin", &key[2..]))
    }
}

fn key(kind: Kind, parts: &[&str], content: &str) -> String {
    let version = kind.version.to_string();
    let mut hasher = Sha256::new();
    let fixed = [STORE_FORMAT, kind.name, &version];
    for part in fixed.iter().chain(&BUILD_IDENTITY).chain(parts) {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.update(content.as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_version_bump_misses_what_the_old_version_stored() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf());
        let v1 = Kind {
            name: "imports",
            version: 1,
        };
        let v2 = Kind {
            name: "imports",
            version: 2,
        };
        cache.put(v1, &["pkg"], "import os\n", b"old answer");
        assert_eq!(
            cache.get(v1, &["pkg"], "import os\n").as_deref(),
            Some(&b"old answer"[..])
        );
        assert_eq!(cache.get(v2, &["pkg"], "import os\n"), None);
        assert_eq!(cache.get(v1, &["other"], "import os\n"), None);
        assert_eq!(cache.get(v1, &["pkg"], "import sys\n"), None);
    }
}
