//! Freezing for another target as a user does: which targets the run covers
//! (`FREEZE_CROSS_TARGETS`), and `freeze --target` with the target's stub from this
//! checkout (`cross/stub`, built on demand and cached).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Ctx, RunExt};

pub const WINDOWS_GNU: &str = "x86_64-pc-windows-gnu";

/// Whether `FREEZE_CROSS_TARGETS` names `triple`; prints why not.
pub fn enabled(triple: &str) -> bool {
    let list = std::env::var("FREEZE_CROSS_TARGETS").unwrap_or_default();
    let on = list.split_whitespace().any(|t| t == triple || t == "all");
    if !on {
        eprintln!(
            "skipped: {triple} is not in FREEZE_CROSS_TARGETS (building its stub cold takes ten minutes or more; see the README)"
        );
    }
    on
}

/// Variables the stub builder needs, passed through the tests' cleared environment.
const BUILD_ENV: &[&str] = &[
    "CARGO_TARGET_DIR",
    "FREEZE_STUB_CACHE",
    "FREEZE_CROSS_TARGET_DIR",
    "XDG_CACHE_HOME",
    "CARGO_HOME",
    "RUSTUP_HOME",
    "RUSTUP_TOOLCHAIN",
];

pub fn with_build_env(cmd: &mut Command) -> &mut Command {
    for var in BUILD_ENV {
        if let Some(v) = std::env::var_os(var) {
            cmd.env(var, v);
        }
    }
    cmd
}

/// `freeze ENTRY -o OUTPUT --target TRIPLE [extra]` in the context's directory, which
/// must succeed. No FREEZE_STUB: the target's stub comes as a user's does.
pub fn freeze_for(ctx: &Ctx, triple: &str, entry: &Path, output: &str, extra: &[&str]) -> PathBuf {
    let mut cmd = ctx.freeze_without_stub();
    cmd.arg(entry)
        .args(["-o", output, "--target", triple])
        .args(extra);
    let run = with_build_env(&mut cmd).run();
    assert_eq!(
        run.code,
        Some(0),
        "freeze --target {triple} {} failed:\n{}",
        entry.display(),
        run.stderr
    );
    ctx.path(output)
}
