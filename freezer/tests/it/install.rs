//! freeze as a user installs it: the wheelhouse `./dist` makes (built here from the stub
//! cache and the freezer wheels' cargo cache, both under `$FREEZE_STUB_CACHE`), installed
//! by pip into a fresh `python3 -m venv` with no index, no cargo or rustc on PATH and a
//! fresh HOME; then `freeze` from that venv freezes a program with third-party packages
//! for the host (its output needing only the C library, glibc 2.17 or older) and, when
//! that stub is enabled, for x86_64-pc-windows-gnu under wine, each output compared with
//! CPython. The same through `uv tool install`.
//!
//! Needs the portable host stub (`cross/stub x86_64-unknown-linux-gnu`, which `.ci/run`
//! builds first); outside CI the tests are skipped with a message when it is not cached.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::common::cross::{WINDOWS_GNU, with_build_env};
use crate::common::elf::assert_portable;
use crate::common::tools::{scratch, under_ci};
use crate::common::{Ctx, Run, RunExt, clean_command, repo_root, venv};

const HOST: &str = "x86_64-unknown-linux-gnu";
const DIST: &str = "freeze-py";
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The program: third-party packages (pure Python, from the `pypi` venv) and the
/// standard library.
const APP: &str = "\
import json, sys
import tabulate, humanize
rows = [('a', 1), ('b', 22)]
print(tabulate.tabulate(rows, headers=['k', 'v']))
print(humanize.intcomma(1234567), humanize.naturalsize(3000000))
print(json.dumps({'frozen': getattr(sys, 'frozen', False) in (True, False)}))
sys.exit(3)
";

/// Whether `cross/stub --cached TRIPLE` has the stub, building it under CI.
fn stub_available(triple: &str, build: bool) -> bool {
    let mut cmd = Command::new(repo_root().join("cross/stub"));
    if !build {
        cmd.arg("--cached");
    }
    let out = with_build_env(cmd.arg(triple).env_remove("FREEZE_STUB")).output();
    out.is_ok_and(|o| o.status.success())
}

/// The triples whose stub wheels the wheelhouse holds: the host's, and Windows' when its
/// stub is cached. None (the tests skip) without the host stub outside CI.
fn targets() -> Option<Vec<&'static str>> {
    if !stub_available(HOST, under_ci()) {
        eprintln!(
            "skipped: no cached {HOST} stub (cross/stub {HOST} builds it; .ci/run does first)"
        );
        return None;
    }
    let mut targets = vec![HOST];
    if stub_available(WINDOWS_GNU, false) {
        targets.push(WINDOWS_GNU);
    }
    Some(targets)
}

/// `./dist -o DIR TRIPLE...` once per run; its wheelhouse and the triples it holds.
fn wheelhouse() -> Option<&'static (PathBuf, Vec<&'static str>)> {
    static HOUSE: OnceLock<Option<(PathBuf, Vec<&'static str>)>> = OnceLock::new();
    HOUSE
        .get_or_init(|| {
            let targets = targets()?;
            let dir = scratch("wheelhouse").join("wheels");
            let mut cmd = clean_command(repo_root().join("dist"));
            cmd.arg("-o").arg(&dir).args(&targets);
            let start = std::time::Instant::now();
            let run = with_build_env(&mut cmd).run();
            assert_eq!(run.code, Some(0), "./dist failed:\n{}", run.stderr);
            eprintln!(
                "./dist -o {} {targets:?}: {:?}",
                dir.display(),
                start.elapsed()
            );
            Some((dir, targets))
        })
        .as_ref()
}

/// PATH for the installed freeze: the venv's bin and the system's directories that hold
/// no cargo or rustc.
fn path_without_rust(bin: &Path) -> OsString {
    let system = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&system)
            .filter(|d| !d.join("cargo").exists() && !d.join("rustc").exists()),
    );
    std::env::join_paths(dirs).unwrap()
}

/// A command with the user's environment: PATH without Rust, a fresh HOME, no index.
fn user_command(ctx: &Ctx, program: impl AsRef<std::ffi::OsStr>, bin: &Path) -> Command {
    let mut cmd = clean_command(program);
    let home = ctx.path("home");
    std::fs::create_dir_all(&home).unwrap();
    cmd.env("PATH", path_without_rust(bin))
        .env("HOME", home)
        .env("PIP_NO_INDEX", "1")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .current_dir(ctx.dir.path());
    cmd
}

fn ok(run: Run, what: &str) -> Run {
    assert_eq!(
        run.code,
        Some(0),
        "{what} failed:\n{}{}",
        run.stdout,
        run.stderr
    );
    run
}

/// A fresh venv with `freeze-py[EXTRAS]` from the wheelhouse; its bin directory.
fn pip_install(ctx: &Ctx, house: &Path, spec: &str) -> PathBuf {
    let venv = ctx.path("venv");
    if !venv.exists() {
        let mut cmd = clean_command("python3");
        ok(cmd.args(["-m", "venv"]).arg(&venv).run(), "python3 -m venv");
    }
    let bin = venv.join("bin");
    let mut pip = user_command(ctx, bin.join("pip"), &bin);
    pip.args(["install", "--quiet", "--no-index", "--find-links"])
        .arg(house)
        .arg(spec);
    ok(pip.run(), &format!("pip install {spec}"));
    bin
}

/// `freeze app.py -o OUT [--target T]` with the installed freeze, the `pypi` venv active.
fn freeze_app(ctx: &Ctx, freeze: &Path, bin: &Path, out: &str, target: Option<&str>) -> PathBuf {
    ctx.write("app.py", APP);
    let mut cmd = user_command(ctx, freeze, bin);
    cmd.env("VIRTUAL_ENV", venv("pypi"))
        .args(["app.py", "-o", out])
        .args(target.into_iter().flat_map(|t| ["--target", t]));
    ok(cmd.run(), &format!("{} app.py -o {out}", freeze.display()));
    ctx.path(out)
}

fn cpython(ctx: &Ctx) -> Run {
    ctx.write("app.py", APP);
    clean_command(venv("pypi").join("bin/python"))
        .arg(ctx.path("app.py"))
        .current_dir(ctx.dir.path())
        .run()
}

fn list_line(ctx: &Ctx, freeze: &Path, bin: &Path, triple: &str) -> String {
    let run = ok(
        user_command(ctx, freeze, bin).arg("--list-targets").run(),
        "--list-targets",
    );
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with(&format!("{triple} ")));
    line.unwrap_or_else(|| panic!("{triple} not listed:\n{}", run.stdout))
        .to_owned()
}

#[test]
fn dist_makes_a_checked_wheelhouse_with_sums() {
    let Some((house, targets)) = wheelhouse() else {
        return;
    };
    let mut files: Vec<String> = std::fs::read_dir(house)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    let stem = DIST.replace('-', "_");
    let mut expected = vec!["SHA256SUMS".to_owned()];
    expected.extend(targets.iter().map(|t| {
        format!(
            "{stem}_stub_{}-{VERSION}-py3-none-any.whl",
            t.replace('-', "_")
        )
    }));
    let freezer: Vec<_> = files
        .iter()
        .filter(|f| f.starts_with(&format!("{stem}-")))
        .collect();
    assert_eq!(freezer.len(), 1, "{files:?}");
    assert!(freezer[0].contains("manylinux_2_17_x86_64"), "{files:?}");
    expected.push(freezer[0].to_string());
    expected.sort();
    assert_eq!(files, expected);
    let check = Command::new("sha256sum")
        .args(["--check", "--quiet", "SHA256SUMS"])
        .current_dir(house)
        .status()
        .unwrap();
    assert!(check.success(), "SHA256SUMS does not match");
}

#[test]
fn pip_installed_freeze_makes_portable_outputs_and_finds_its_stubs() {
    let Some((house, targets)) = wheelhouse() else {
        return;
    };
    let ctx = Ctx::new();
    let bin = pip_install(&ctx, house, DIST);
    let freeze = bin.join("freeze");
    assert!(
        user_command(&ctx, "cargo", &bin)
            .arg("--version")
            .output()
            .is_err(),
        "cargo is reachable"
    );
    let host = list_line(&ctx, &freeze, &bin, HOST);
    assert!(
        host.contains("available") && host.ends_with("(installed)"),
        "{host}"
    );
    let win = list_line(&ctx, &freeze, &bin, WINDOWS_GNU);
    let install = format!("install: pip install '{DIST}[windows]=={VERSION}'");
    assert!(win.contains("missing") && win.ends_with(&install), "{win}");

    let out = freeze_app(&ctx, &freeze, &bin, "app", None);
    assert_portable(&out);
    let expected = cpython(&ctx);
    assert_eq!(ctx.run(&out, &[], b""), expected);

    if !targets.contains(&WINDOWS_GNU) {
        eprintln!("skipped: {WINDOWS_GNU}: no cached stub");
        return;
    }
    pip_install(&ctx, house, &format!("{DIST}[windows]"));
    let win = list_line(&ctx, &freeze, &bin, WINDOWS_GNU);
    assert!(
        win.contains("available") && win.ends_with("(installed)"),
        "{win}"
    );
    let exe = freeze_app(&ctx, &freeze, &bin, "app.exe", Some(WINDOWS_GNU));
    let Some(wine) = crate::common::wine::wine() else {
        return;
    };
    let run = wine.run(&exe, &[], b"", ctx.dir.path());
    assert_eq!(run.stdout.replace("\r\n", "\n"), expected.stdout);
    assert_eq!(run.code, expected.code);
}

#[test]
fn a_stub_of_another_release_is_refused_naming_both_versions() {
    let Some((house, _)) = wheelhouse() else {
        return;
    };
    let ctx = Ctx::new();
    let bin = pip_install(&ctx, house, DIST);
    let record = ctx.path(format!(
        "venv/share/freeze/stubs/runtime-stub-{HOST}.version"
    ));
    std::fs::write(&record, "0.0.1\n").unwrap();
    ctx.write("app.py", "print('hi')\n");
    let mut cmd = user_command(&ctx, bin.join("freeze"), &bin);
    let run = cmd.args(["app.py", "-o", "app"]).run();
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("is from freeze 0.0.1, but this is freeze ")
            && run.stderr.contains(VERSION),
        "{}",
        run.stderr
    );
    assert!(!ctx.path("app").exists());
}

#[test]
fn uv_tool_installed_freeze_finds_its_stub_through_the_link() {
    let Some((house, _)) = wheelhouse() else {
        return;
    };
    let uv = Path::new(&std::env::var_os("FREEZE_STUB_CACHE").unwrap_or_default())
        .join("dist-tools/bin/uv");
    if !uv.is_file() {
        eprintln!("skipped: no uv at {} (./dist installs it)", uv.display());
        return;
    }
    let ctx = Ctx::new();
    let bin = ctx.path("tool-bin");
    let mut cmd = user_command(&ctx, &uv, &bin);
    cmd.env("UV_TOOL_DIR", ctx.path("tools"))
        .env("UV_TOOL_BIN_DIR", &bin)
        .env("UV_NO_CACHE", "1")
        .env("UV_PYTHON_DOWNLOADS", "never")
        .args(["tool", "install", "--offline", "--no-index", "--find-links"])
        .arg(house)
        .arg(DIST);
    ok(cmd.run(), "uv tool install");
    let freeze = bin.join("freeze");
    let line = list_line(&ctx, &freeze, &bin, HOST);
    assert!(line.ends_with("(installed)"), "{line}");
    let out = freeze_app(&ctx, &freeze, &bin, "app", None);
    assert_portable(&out);
    assert_eq!(ctx.run(&out, &[], b""), cpython(&ctx));
}
