//! Tools from the machine that some tests need (wine, qemu, LLVM, mingw-w64, …).

use std::path::{Path, PathBuf};

/// The first of `names` found on PATH.
pub fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// Whether this run is CI's (`.ci/run` sets CI=true and installs every tool).
pub fn under_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| v == "true")
}

/// A missing tool skips the test with a printed reason, except under CI, which installs it.
pub fn missing_tool(what: &str) {
    let msg = format!("{what} not found on PATH");
    if under_ci() {
        panic!("{msg}; .ci/run installs it");
    }
    eprintln!("skipped: {msg}");
}

/// A directory under the test build's scratch space, shared by every test binary.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
