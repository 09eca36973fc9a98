//! A content-addressed store on disk for what the build derives from a source alone (its
//! imports, its code): the same inputs always give the same answer, so a hit is as good
//! as the work. Best effort: a cache that cannot be read or written only costs time.
//! Every entry carries its length and SHA-256; an entry that does not match them (cut
//! short, emptied, overwritten) is a miss, so a damaged cache can never reach an output.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

/// Bumped when the layout of the store changes.
const STORE_FORMAT: &str = "freeze-cache-3";

/// An entry: this tag, the content's length (u64 little-endian), the SHA-256 of its key
/// and content (so another entry's bytes copied over it do not pass), the content.
const ENTRY_TAG: &[u8; 8] = b"FRZCACHE";
const ENTRY_HEADER: usize = 8 + 8 + 32;

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
    /// None when there is none, or when what is stored fails its length and hash check.
    pub fn get(&self, kind: Kind, parts: &[&str], content: &str) -> Option<Vec<u8>> {
        let key = key(kind, parts, content);
        let stored = std::fs::read(self.path(kind, &key)).ok()?;
        unseal(&key, stored)
    }

    pub fn put(&self, kind: Kind, parts: &[&str], content: &str, bytes: &[u8]) {
        let key = key(kind, parts, content);
        let path = self.path(kind, &key);
        let Some(dir) = path.parent() else { return };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        if let Ok(mut tmp) = tempfile::NamedTempFile::new_in(dir) {
            use std::io::Write;
            if tmp.write_all(&seal(&key, bytes)).is_ok() {
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

fn digest(key: &str, bytes: &[u8]) -> impl AsRef<[u8]> {
    let mut hasher = Sha256::new();
    hasher.update(key.as_bytes());
    hasher.update(bytes);
    hasher.finalize()
}

/// `bytes` with the header that lets [`unseal`] tell whether they came back whole, as
/// the entry of `key`.
fn seal(key: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ENTRY_HEADER + bytes.len());
    out.extend_from_slice(ENTRY_TAG);
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(digest(key, bytes).as_ref());
    out.extend_from_slice(bytes);
    out
}

/// The content of the stored entry of `key`, if its tag, length and hash all match.
fn unseal(key: &str, mut stored: Vec<u8>) -> Option<Vec<u8>> {
    let header = stored.get(..ENTRY_HEADER)?;
    let (tag, rest) = header.split_at(ENTRY_TAG.len());
    let (len, hash) = rest.split_at(8);
    let len = u64::from_le_bytes(len.try_into().ok()?);
    if tag != ENTRY_TAG || len != (stored.len() - ENTRY_HEADER) as u64 {
        return None;
    }
    if digest(key, &stored[ENTRY_HEADER..]).as_ref() != hash {
        return None;
    }
    stored.drain(..ENTRY_HEADER);
    Some(stored)
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

    #[test]
    fn a_damaged_entry_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf());
        let kind = Kind {
            name: "code",
            version: 1,
        };
        let good = b"compiled code".to_vec();
        cache.put(kind, &[], "x = 1\n", &good);
        cache.put(kind, &[], "y = 2\n", b"other code");
        let other = std::fs::read(cache.path(kind, &key(kind, &[], "y = 2\n"))).unwrap();
        let path = cache.path(kind, &key(kind, &[], "x = 1\n"));
        let whole = std::fs::read(&path).unwrap();
        let mut damaged: Vec<Vec<u8>> = vec![
            Vec::new(),
            whole[..ENTRY_HEADER].to_vec(),
            whole[..whole.len() - 1].to_vec(),
            [&whole[..], b"!"].concat(),
            good.clone(),
            other,
        ];
        let mut flipped = whole.clone();
        *flipped.last_mut().unwrap() ^= 1;
        damaged.push(flipped);
        for bytes in damaged {
            std::fs::write(&path, &bytes).unwrap();
            assert_eq!(cache.get(kind, &[], "x = 1\n"), None, "{bytes:?}");
        }
        std::fs::write(&path, &whole).unwrap();
        assert_eq!(cache.get(kind, &[], "x = 1\n"), Some(good));
    }
}
