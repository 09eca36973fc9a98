//! The RustPython fixes carried in vendor/: each vendored crate is exactly its crates.io
//! source plus vendor/patches/*.patch, each patch's reproducer (the `.py` beside it)
//! runs frozen exactly as under CPython, and a patch to a build script (which changes
//! how the VM builds, not how it runs) is checked on the build it produced.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Ctx, freeze_bin, repo_root};

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

/// Whether a patch changes only build scripts.
fn patches_only_build_scripts(patch: &Path) -> bool {
    let text = std::fs::read_to_string(patch).expect("read patch");
    let mut files = text.lines().filter_map(|l| l.strip_prefix("+++ b/"));
    files.clone().next().is_some() && files.all(|f| f.ends_with("/build.rs"))
}

#[test]
fn every_patch_has_a_reproducer_that_runs_as_under_cpython() {
    let patches = patches();
    assert!(!patches.is_empty(), "no patches in vendor/patches");
    for patch in patches {
        if patches_only_build_scripts(&patch) {
            continue;
        }
        let reproducer = patch.with_extension("py");
        assert!(
            reproducer.is_file(),
            "{} has no reproducer {}",
            patch.display(),
            reproducer.display()
        );
        let ctx = Ctx::new();
        let exe = ctx.freeze_ok([reproducer.as_os_str()], "app");
        let (frozen, cpython) = ctx.compare(&exe, [&reproducer]).both(&[], b"");
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

/// The VM's build script, vendored as a path dependency, must not make cargo rerun it on
/// every build (it embeds the build time, so each rerun recompiles the whole VM): every
/// file it asks cargo to watch exists.
#[test]
fn vendored_vm_build_script_watches_only_files_that_exist() {
    let build_dir = freeze_bin()
        .parent()
        .expect("target profile directory")
        .join("build");
    let newest_output = std::fs::read_dir(&build_dir)
        .expect("target build directory")
        .map(|e| e.unwrap().path())
        .filter(|d| {
            d.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("rustpython-vm-"))
        })
        .map(|d| d.join("output"))
        .filter(|o| o.is_file())
        .max_by_key(|o| o.metadata().and_then(|m| m.modified()).ok())
        .expect("no rustpython-vm build script output: build with ./test first");
    let package = repo_root().join("vendor/rustpython-vm-0.6.0");
    let output = std::fs::read_to_string(&newest_output).unwrap();
    for watched in output
        .lines()
        .filter_map(|l| l.strip_prefix("cargo:rerun-if-changed="))
    {
        assert!(
            package.join(watched).exists(),
            "{}: the VM's build script watches {watched}, which does not exist, so cargo \
             reruns it and recompiles the VM on every build",
            newest_output.display()
        );
    }
}
