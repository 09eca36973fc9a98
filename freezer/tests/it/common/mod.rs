//! One test context for end-to-end tests: a temp dir, the `freeze` binary and the runtime
//! stub of this build, commands run with a cleared environment.

pub mod lib_api;
pub mod tools;
pub mod wine;

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub fn freeze_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_freeze"))
}

/// The runtime stub of this build: `FREEZE_STUB` (set by `./test`) or the one beside
/// the freeze binary of the same profile.
pub fn stub() -> PathBuf {
    let stub = std::env::var_os("FREEZE_STUB")
        .map(PathBuf::from)
        .unwrap_or_else(|| freeze_bin().with_file_name("runtime-stub"));
    assert!(
        stub.is_file(),
        "runtime stub {} not built: run the tests with ./test (it builds the stub first)",
        stub.display()
    );
    stub
}

/// insta's settings for this suite's snapshots: kept in `freezer/tests/snapshots/`,
/// named by the name the test gives.
pub fn snapshots() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(repo_root().join("freezer/tests/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// `text` with every size in it, a number followed by ` bytes`, shown as `[SIZE] bytes`.
pub fn mask_sizes(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(" bytes") {
        let (head, tail) = rest.split_at(at);
        let number = head.trim_end_matches(|c: char| c.is_ascii_digit());
        out.push_str(number);
        if number.len() < head.len() {
            out.push_str("[SIZE]");
        }
        out.push_str(" bytes");
        rest = &tail[" bytes".len()..];
    }
    out + rest
}

pub struct Ctx {
    pub dir: tempfile::TempDir,
}

/// What a process did, in a comparable form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: Option<i32>,
    pub signal: Option<i32>,
}

impl From<Output> for Run {
    fn from(out: Output) -> Self {
        #[cfg(unix)]
        let signal = std::os::unix::process::ExitStatusExt::signal(&out.status);
        #[cfg(not(unix))]
        let signal = None;
        Run {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code(),
            signal,
        }
    }
}

/// A command with only the environment a test gives it.
pub fn clean_command(program: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_clear();
    cmd.env("PATH", std::env::var_os("PATH").unwrap_or_default());
    cmd.env("LANG", "C.UTF-8");
    // CPython runs beside the sources in these tests: no __pycache__ left in the tree.
    cmd.env("PYTHONDONTWRITEBYTECODE", "1");
    if let Some(home) = std::env::var_os("HOME") {
        cmd.env("HOME", home);
    }
    cmd
}

/// Spawn, retrying while the executable is "busy": a file the test just wrote can still
/// be open in a child another test thread forked but has not yet exec'd (ETXTBSY).
pub fn spawn(cmd: &mut Command) -> std::process::Child {
    for _ in 0..50 {
        match cmd.spawn() {
            Err(e) if e.raw_os_error() == Some(26) => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            other => return other.expect("spawn"),
        }
    }
    panic!("executable stayed busy: {cmd:?}");
}

pub fn run_with_stdin(mut cmd: Command, stdin: &[u8]) -> Run {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = spawn(&mut cmd);
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().unwrap();
    out.into()
}

impl Ctx {
    pub fn new() -> Self {
        Ctx {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Write a file (creating parent directories).
    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Run `freeze ARGS` in the temp dir with the stub of this build.
    pub fn freeze<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.freeze_command();
        cmd.args(args);
        cmd.output().expect("run freeze").into()
    }

    /// Run `freeze ARGS` as [`Ctx::freeze`] does, with the virtual environment `venv`
    /// active (its site-packages is a module source).
    pub fn freeze_in_venv<I, S>(&self, venv: &Path, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.freeze_command();
        cmd.env("VIRTUAL_ENV", venv).args(args);
        cmd.output().expect("run freeze").into()
    }

    /// `freeze` in the temp dir with the stub of this build and nothing else of the
    /// caller's environment.
    fn freeze_command(&self) -> Command {
        let mut cmd = clean_command(freeze_bin());
        cmd.current_dir(self.dir.path()).env("FREEZE_STUB", stub());
        cmd
    }

    /// Freeze and insist that it worked; returns the output path.
    pub fn freeze_ok<I, S>(&self, args: I, output: &str) -> PathBuf
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut all: Vec<std::ffi::OsString> =
            args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        all.push("-o".into());
        all.push(output.into());
        let run = self.freeze(&all);
        assert_eq!(run.code, Some(0), "freeze {all:?} failed:\n{}", run.stderr);
        let out = self.path(output);
        assert!(out.is_file(), "{} not written", out.display());
        out
    }

    /// Run a frozen binary in the temp dir.
    pub fn run(&self, exe: &Path, args: &[&str], stdin: &[u8]) -> Run {
        let mut cmd = clean_command(exe);
        cmd.current_dir(self.dir.path()).args(args);
        run_with_stdin(cmd, stdin)
    }

    /// `text` with the temp dir's path shown as `[TEMP]`.
    pub fn mask_paths(&self, text: &str) -> String {
        text.replace(&self.dir.path().display().to_string(), "[TEMP]")
    }

    /// Files in the temp dir whose name contains `needle` (left-over temp files).
    pub fn files_containing(&self, needle: &str) -> Vec<String> {
        walk(self.dir.path())
            .into_iter()
            .filter(|p| p.contains(needle))
            .collect()
    }
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path.display().to_string());
        }
    }
    out
}

/// Run CPython on a script the way a user would (`python3 script args`) in `cwd`.
pub fn python(script: &Path, args: &[&str], stdin: &[u8], cwd: &Path) -> Run {
    let mut cmd = clean_command("python3");
    cmd.current_dir(cwd).arg(script).args(args);
    run_with_stdin(cmd, stdin)
}

/// A traceback reduced to what both interpreters must agree on: the file/line/function
/// lines (file names relative to `root`) and the final exception line.
pub fn traceback_summary(stderr: &str, root: &Path) -> Vec<String> {
    let root = format!("{}/", root.display());
    let mut lines: Vec<String> = stderr
        .lines()
        .filter(|l| l.starts_with("  File ") || l.starts_with("Traceback"))
        .map(|l| l.replace(&root, ""))
        .collect();
    if let Some(last) = stderr.lines().last() {
        lines.push(last.to_owned());
    }
    lines
}

/// A virtual environment with `requirements` installed by CPython's pip, made once per
/// name and kept between runs under the target directory (pip's download cache makes a
/// rebuild cheap). Returns the venv's directory.
pub fn venv(name: &str, requirements: &[&str]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let marker = dir.join("freeze-requirements.txt");
    let wanted = requirements.join("\n");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(wanted.as_str()) {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let status = clean_command("python3")
        .args(["-m", "venv"])
        .arg(&dir)
        .status()
        .unwrap();
    assert!(status.success(), "python3 -m venv failed");
    let out = clean_command(dir.join("bin/pip"))
        .args(["install", "--disable-pip-version-check", "--quiet"])
        .args(requirements)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pip install {requirements:?} failed (PyPI must be reachable):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&marker, wanted).unwrap();
    dir
}

/// Run a command in a process group of its own, with no input; after `limit`, or as soon
/// as it exits, every process left in that group is killed. Returns what it did and
/// whether it had to be stopped — a frozen program that starts copies of itself or hangs
/// cannot outlive the test.
#[cfg(unix)]
pub fn run_bounded(mut cmd: Command, limit: std::time::Duration) -> (Run, bool) {
    use std::io::Read;
    use std::os::unix::process::CommandExt;
    cmd.process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = spawn(&mut cmd);
    let group = child.id();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let start = std::time::Instant::now();
    let (status, stopped) = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break (status, false);
        }
        if start.elapsed() > limit {
            kill_group(group);
            break (child.wait().expect("wait"), true);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    // Whatever the program left running (a copy of itself, a helper process) goes too;
    // then the pipes close and the readers finish.
    kill_group(group);
    let output = Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    (output.into(), stopped)
}

#[cfg(unix)]
fn kill_group(group: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{group}")])
        .stderr(Stdio::null())
        .status();
}

/// Freeze with `venv` active (to `app` in the temp dir), then run the output and the
/// venv's CPython on the same arguments in the same directory, with the same extra
/// environment; both must agree on stdout, stderr and status.
pub fn same_as_cpython_in_venv(
    ctx: &Ctx,
    venv: &Path,
    freeze_args: &[&str],
    python_args: &[&str],
    cases: &[&[&str]],
    env: &[(&str, &Path)],
) {
    let run = ctx.freeze_in_venv(venv, freeze_args.iter().chain(&["-o", "app"]));
    assert_eq!(run.code, Some(0), "freeze {freeze_args:?}: {}", run.stderr);
    for args in cases {
        let mut frozen = clean_command(ctx.path("app"));
        frozen.current_dir(ctx.dir.path()).args(*args);
        let mut cpython = clean_command(venv.join("bin/python"));
        cpython
            .current_dir(ctx.dir.path())
            .args(python_args)
            .args(*args);
        for (key, value) in env {
            frozen.env(key, value);
            cpython.env(key, value);
        }
        let frozen = run_with_stdin(frozen, b"");
        let cpython = run_with_stdin(cpython, b"");
        assert_eq!(frozen, cpython, "{freeze_args:?} {args:?}");
    }
}
