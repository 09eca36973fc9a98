//! Running Windows programs under wine, headless, in the tests' own wine prefix.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::tools::{missing_tool, scratch, which};
use super::{Run, clean_command, repo_root, run_with_stdin};

pub struct Wine {
    wine: PathBuf,
    prefix: PathBuf,
}

/// wine with a ready prefix (created on first use), or None (with a printed reason) when
/// wine or mingw-w64 is missing outside CI.
pub fn wine() -> Option<&'static Wine> {
    static WINE: OnceLock<Option<Wine>> = OnceLock::new();
    WINE.get_or_init(|| {
        if which(&["x86_64-w64-mingw32-gcc"]).is_none() {
            missing_tool("x86_64-w64-mingw32-gcc (Debian: gcc-mingw-w64-x86-64)");
            return None;
        }
        let Some(wine) = which(&["wine", "wine64"]) else {
            missing_tool("wine (Debian: wine, wine64)");
            return None;
        };
        let wine = Wine {
            wine,
            prefix: scratch("wine-prefix"),
        };
        // Create the prefix (wineboot) before putting anything into it.
        let status = wine
            .command(Path::new("wineboot"))
            .arg("--init")
            .status()
            .expect("run wineboot");
        assert!(status.success(), "wineboot --init failed: {status}");
        wine.install_processprng_shim();
        Some(wine)
    })
    .as_ref()
}

impl Wine {
    /// A command running `exe` under wine with a clean environment.
    pub fn command(&self, exe: &Path) -> Command {
        let mut cmd = clean_command(&self.wine);
        cmd.arg(exe)
            .env("WINEDEBUG", "-all")
            .env("WINEPREFIX", &self.prefix)
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=");
        cmd
    }

    /// Run a Windows program with arguments and stdin in `cwd`.
    ///
    /// Run once more, and say so, when a child process the program started died inside
    /// wine's own start-up: wine 8 reports that as ERROR_INTERNAL_ERROR (1359) from
    /// CreateProcess (`NtCreateUserProcess`, dlls/ntdll/unix/process.c: the new process
    /// exited before it reported success, with no status of its own). Seen once in a full
    /// parallel test run, never on its own; the program's arguments to CreateProcess are
    /// the same as in the runs that succeed. Any other difference, or the same one twice,
    /// still fails the comparison.
    pub fn run(&self, exe: &Path, args: &[&str], stdin: &[u8], cwd: &Path) -> Run {
        let run = run_with_stdin(self.command(exe).args(args).current_dir(cwd), stdin);
        if !run.stderr.contains("[WinError 1359]") {
            return run;
        }
        eprintln!(
            "{}: a child died in wine's start-up (WinError 1359); running once more",
            exe.display()
        );
        run_with_stdin(self.command(exe).args(args).current_dir(cwd), stdin)
    }

    /// wine 8 (Debian 12) has no bcryptprimitives.dll, whose ProcessPrng every Rust
    /// program since 1.78 calls: a stand-in goes into this prefix's system32 (see
    /// tests/fixtures/wine-processprng.c). Newer wine has its own and is left alone.
    fn install_processprng_shim(&self) {
        let system32 = self.prefix.join("drive_c/windows/system32");
        let dll = system32.join("bcryptprimitives.dll");
        if dll.is_file() {
            return; // wine's own builtin placeholder, or the shim from an earlier run
        }
        let source = repo_root().join("tests/fixtures/wine-processprng.c");
        mingw_build(&source, &dll, &["-shared", "-ladvapi32"]);
    }
}

/// Compile a C file into a Windows executable or DLL with mingw-w64 (warnings are errors).
pub fn mingw_build(source: &Path, output: &Path, extra: &[&str]) {
    let gcc = which(&["x86_64-w64-mingw32-gcc"]).expect("x86_64-w64-mingw32-gcc on PATH");
    let out = Command::new(gcc)
        .args(["-O2", "-Wall", "-Werror", "-o"])
        .arg(output)
        .arg(source)
        .args(extra)
        .output()
        .expect("run mingw gcc");
    assert!(
        out.status.success(),
        "building {} failed:\n{}",
        output.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}
