//! The RustPython fixes carried in vendor/: each vendored crate is exactly its crates.io
//! source plus vendor/patches/*.patch, and each patch's reproducer (the `.py` beside it)
//! runs frozen exactly as under CPython.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{Ctx, python, repo_root};

fn patches() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(repo_root().join("vendor/patches"))
        .expect("vendor/patches")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "patch"))
        .collect();
    found.sort();
    found
}

#[test]
fn vendored_crates_are_pristine_sources_plus_the_patch_series() {
    let out = Command::new("bash")
        .arg(repo_root().join("vendor/regen"))
        .arg("--check")
        .output()
        .expect("run vendor/regen --check");
    assert!(
        out.status.success(),
        "vendor/regen --check failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_patch_has_a_reproducer_that_runs_as_under_cpython() {
    let patches = patches();
    assert!(!patches.is_empty(), "no patches in vendor/patches");
    for patch in patches {
        let reproducer = patch.with_extension("py");
        assert!(
            reproducer.is_file(),
            "{} has no reproducer {}",
            patch.display(),
            reproducer.display()
        );
        let ctx = Ctx::new();
        let exe = ctx.freeze_ok([reproducer.as_os_str()], "app");
        let frozen = ctx.run(&exe, &[], b"");
        let cpython = python(&reproducer, &[], b"", ctx.dir.path());
        assert_eq!(
            cpython.code,
            Some(0),
            "{}: {}",
            reproducer.display(),
            cpython.stderr
        );
        assert_eq!(
            frozen,
            cpython,
            "{} differs from CPython",
            reproducer.display()
        );
    }
}
