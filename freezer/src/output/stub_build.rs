//! Building a runtime stub on demand in a source checkout: the host's with cargo, any
//! other target's with the checkout's `cross/stub` (its recipes are in
//! `cross/recipes.sh`; it caches what it builds, keyed by the stub's inputs).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::Error;
use crate::output::target::Target;

/// The host's stub from the checkout at `root`, built (incrementally) by cargo.
pub fn host(root: &Path) -> Result<PathBuf, Error> {
    let manifest = root.join("Cargo.toml");
    let metadata = cargo_metadata::MetadataCommand::new()
        .manifest_path(&manifest)
        .no_deps()
        .exec()
        .map_err(|e| Error::StubBuild(format!("cargo metadata failed: {e}")))?;
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let stub = metadata
        .target_directory
        .as_std_path()
        .join(profile)
        .join(crate::output::target::host_stub_file_name());
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.arg("build").arg("--manifest-path").arg(&manifest);
    cmd.args(["-p", "runtime-stub", "--ignore-rust-version"]);
    if profile == "release" {
        cmd.arg("--release");
    }
    if stub.is_file() {
        cmd.arg("--quiet");
    } else {
        eprintln!(
            "freeze: building the runtime stub from {} (cargo build -p runtime-stub); the first build takes several minutes",
            root.display()
        );
    }
    let status = cmd
        .status()
        .map_err(|e| Error::StubBuild(format!("cannot run cargo: {e}")))?;
    if !status.success() || !stub.is_file() {
        return Err(Error::StubBuild(format!(
            "cargo build -p runtime-stub failed ({status})"
        )));
    }
    Ok(stub)
}

fn script(root: &Path) -> PathBuf {
    root.join("cross").join("stub")
}

/// Whether the checkout at `root` has a recipe for `target` (its `RECIPE_TRIPLES`).
pub fn can_build(root: &Path, target: &Target) -> bool {
    let Ok(recipes) = std::fs::read_to_string(root.join("cross").join("recipes.sh")) else {
        return false;
    };
    recipes
        .lines()
        .find_map(|line| line.strip_prefix("RECIPE_TRIPLES="))
        .is_some_and(|list| {
            list.trim_matches('"')
                .split_whitespace()
                .any(|t| t == target.triple)
        })
}

/// The stub `cross/stub` built earlier from exactly these sources, if it is in the cache.
pub fn cached(root: &Path, target: &Target) -> Option<PathBuf> {
    let out = Command::new("bash")
        .arg(script(root))
        .args(["--cached", target.triple])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let path = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim_end());
    (out.status.success() && path.is_file()).then_some(path)
}

/// `target`'s stub from the cache, or built now by `cross/stub` (its progress on stderr).
pub fn cross(root: &Path, target: &Target) -> Result<PathBuf, Error> {
    if let Some(path) = cached(root, target) {
        return Ok(path);
    }
    eprintln!(
        "freeze: no runtime stub for {triple} yet; building it from the checkout at {} (cross/stub {triple}): 10 to 30 minutes the first time, cached after",
        root.display(),
        triple = target.triple
    );
    let out = Command::new("bash")
        .arg(script(root))
        .arg(target.triple)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Error::StubBuild(format!("cannot run bash cross/stub: {e}")))?;
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim_end());
    if !out.status.success() || !path.is_file() {
        return Err(Error::StubBuild(format!(
            "cross/stub {} failed ({}); its output is above",
            target.triple, out.status
        )));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checkouts_recipes_name_known_targets_and_not_msvc() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let buildable: Vec<&str> = crate::output::target::TARGETS
            .iter()
            .filter(|t| can_build(root, t))
            .map(|t| t.triple)
            .collect();
        assert!(
            buildable.contains(&"x86_64-pc-windows-gnu"),
            "{buildable:?}"
        );
        assert!(buildable.contains(&"aarch64-apple-darwin"), "{buildable:?}");
        assert!(!buildable.contains(&"x86_64-pc-windows-msvc"));
        // Every recipe is for a target freeze knows.
        let recipes = std::fs::read_to_string(root.join("cross/recipes.sh")).unwrap();
        let line = recipes
            .lines()
            .find_map(|l| l.strip_prefix("RECIPE_TRIPLES="))
            .unwrap();
        assert_eq!(
            line.trim_matches('"').split_whitespace().count(),
            buildable.len()
        );
        assert!(!can_build(
            Path::new("/nonexistent"),
            &crate::output::target::TARGETS[0]
        ));
    }
}
