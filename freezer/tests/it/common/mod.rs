//! One test context for every end-to-end test: a temp dir, the `freeze` binary and the
//! runtime stub of this build, commands run with a cleared environment, and the two
//! checks most tests are made of — a program frozen runs as CPython runs it
//! ([`Ctx::assert_same_as_cpython`], [`Compare`]), and a bad freeze is refused
//! ([`Ctx::assert_refused`]).

pub mod cross;
pub mod elf;
pub mod lib_api;
pub mod tools;
pub mod wine;

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};

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

/// A program that says it is ready, then sleeps (for signals sent to it).
pub const SLEEPER: &str = "import time\nprint('ready', flush=True)\ntime.sleep(30)\n";

/// The entry of the JSON array `list` whose `key` is `value`.
#[track_caller]
pub fn json_entry<'j>(
    list: &'j serde_json::Value,
    key: &str,
    value: &str,
) -> &'j serde_json::Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|entry| entry[key] == value)
        .unwrap_or_else(|| panic!("no {key} {value:?} in {list}"))
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

/// Run a command to its end with `stdin` as its input.
pub fn run_with_stdin(cmd: &mut Command, stdin: &[u8]) -> Run {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = spawn(cmd);
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().unwrap();
    out.into()
}

/// `cmd.run()`: run a command to its end with no input.
pub trait RunExt {
    fn run(&mut self) -> Run;
}

impl RunExt for Command {
    fn run(&mut self) -> Run {
        run_with_stdin(self, b"")
    }
}

pub struct Ctx {
    pub dir: tempfile::TempDir,
    /// The virtual environment freeze sees as active and whose python is CPython.
    venv: Option<PathBuf>,
}

impl Ctx {
    pub fn new() -> Self {
        Ctx {
            dir: tempfile::tempdir().expect("temp dir"),
            venv: None,
        }
    }

    /// A context in which `venv` is the active virtual environment: every freeze sees it
    /// (`VIRTUAL_ENV`, its site-packages a module source) and CPython is its python.
    pub fn in_venv(venv: &Path) -> Self {
        Ctx {
            venv: Some(venv.to_owned()),
            ..Ctx::new()
        }
    }

    pub fn path(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// A context whose temp dir holds `files`: (path, text) each.
    pub fn with_files(files: &[(&str, &str)]) -> Self {
        let ctx = Ctx::new();
        ctx.write_files(files);
        ctx
    }

    /// Write each of `files`: (path, text).
    pub fn write_files(&self, files: &[(&str, &str)]) {
        for (path, text) in files {
            self.write(path, text);
        }
    }

    /// Write a file (creating parent directories).
    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The JSON file `rel` (a report) in the temp dir.
    pub fn read_json(&self, rel: &str) -> serde_json::Value {
        let text = std::fs::read(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        serde_json::from_slice(&text).unwrap()
    }

    /// A command for `program` in the temp dir with nothing of the caller's environment.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = clean_command(program);
        cmd.current_dir(self.dir.path());
        cmd
    }

    /// `freeze`, ready for its arguments: the binary of this build, in the temp dir, with
    /// the stub of this build (`FREEZE_STUB`), the context's venv active, and nothing
    /// else of the caller's environment. The one place a test's freeze command is made.
    pub fn freeze(&self) -> Command {
        let mut cmd = self.command(freeze_bin());
        cmd.env("FREEZE_STUB", stub());
        if let Some(venv) = &self.venv {
            cmd.env("VIRTUAL_ENV", venv);
        }
        cmd
    }

    /// [`Ctx::freeze`] without `FREEZE_STUB`: the stub is found as a user's is (the stub
    /// directory, a build in this checkout).
    pub fn freeze_without_stub(&self) -> Command {
        let mut cmd = self.freeze();
        cmd.env_remove("FREEZE_STUB");
        cmd
    }

    /// A copy of this build's `freeze` in `dir` (created), as a user installs it: it
    /// finds stubs beside itself. Returns its path, for [`Ctx::command`].
    pub fn install_freeze(&self, dir: &str) -> PathBuf {
        let dir = self.path(dir);
        std::fs::create_dir_all(&dir).unwrap();
        let freeze = dir.join("freeze");
        std::fs::copy(freeze_bin(), &freeze).unwrap();
        freeze
    }

    /// Freeze and insist that it worked; returns the output path.
    pub fn freeze_ok<I, S>(&self, args: I, output: &str) -> PathBuf
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut all: Vec<OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        all.push("-o".into());
        all.push(output.into());
        let run = self.freeze().args(&all).run();
        assert_eq!(run.code, Some(0), "freeze {all:?} failed:\n{}", run.stderr);
        let out = self.path(output);
        assert!(out.is_file(), "{} not written", out.display());
        out
    }

    /// Write `source` as `src/NAME.py` and freeze it to `NAME`; returns the output path.
    pub fn freeze_source(&self, name: &str, source: &str) -> PathBuf {
        let script = self.write(&format!("src/{name}.py"), source);
        self.freeze_ok([script], name)
    }

    /// [`Ctx::freeze_source`] beside CPython running the same `src/NAME.py`.
    pub fn compare_source(&self, name: &str, source: &str) -> Compare<'_> {
        let exe = self.freeze_source(name, source);
        self.compare(&exe, [self.path(format!("src/{name}.py"))])
    }

    /// `freeze ARGS -o OUTPUT` must fail: exit 1, nothing on stdout, an `error: ` line
    /// (never a panic), OUTPUT as it was before (not written when it did not exist) and
    /// no temp file left behind. Returns stderr.
    pub fn assert_refused(&self, args: &[&str], output: &str) -> String {
        self.assert_refused_by(self.freeze().args(args), output)
    }

    /// [`Ctx::assert_refused`] for a freeze command made by the test (other environment,
    /// another working directory).
    pub fn assert_refused_by(&self, cmd: &mut Command, output: &str) -> String {
        let out = self.path(output);
        let before = std::fs::read(&out).ok();
        let was_dir = out.is_dir();
        let run = cmd.args(["-o", output]).run();
        assert_eq!(run.code, Some(1), "{cmd:?} should fail: {run:?}");
        assert!(run.stdout.is_empty(), "{run:?}");
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
        if was_dir {
            assert!(out.is_dir(), "{output} was replaced");
        } else {
            assert_eq!(std::fs::read(&out).ok(), before, "{output} was written");
        }
        assert!(
            self.files_containing("freeze-tmp").is_empty(),
            "temp file left behind: {:?}",
            self.files_containing("freeze-tmp")
        );
        run.stderr
    }

    /// Run a frozen binary in the temp dir.
    pub fn run(&self, exe: &Path, args: &[&str], stdin: &[u8]) -> Run {
        run_with_stdin(self.command(exe).args(args), stdin)
    }

    /// CPython (`python3`, or the venv's python) in the temp dir.
    pub fn python(&self) -> Command {
        match &self.venv {
            Some(venv) => self.command(venv.join("bin/python")),
            None => self.command("python3"),
        }
    }

    /// CPython running `script ARGS` with `stdin` in the temp dir, for a comparison whose
    /// frozen side runs elsewhere (under wine, qemu, in a bare root).
    pub fn run_python(&self, script: &Path, args: &[&str], stdin: &[u8]) -> Run {
        run_with_stdin(self.python().arg(script).args(args), stdin)
    }

    /// Freeze `freeze_args` (an entry and flags), run the output and CPython on the entry
    /// (`python3 ENTRY`, or `python3 -m MODULE`) with `args` in the temp dir, and insist
    /// they agree on stdout, stderr and exit status. Returns the run.
    pub fn assert_same_as_cpython(&self, freeze_args: &[&str], args: &[&str]) -> Run {
        let exe = self.freeze_ok(freeze_args, "app");
        let entry = match freeze_args {
            ["-m", module, ..] => vec!["-m", *module],
            [script, ..] => vec![*script],
            [] => panic!("no entry to freeze"),
        };
        self.compare(&exe, entry).assert_same(args, b"")
    }

    /// The frozen `exe` beside CPython running `python` (a script, `-m MODULE`, …), each
    /// given the same arguments, input and working directory (the temp dir).
    pub fn compare<I, S>(&self, exe: &Path, python: I) -> Compare<'_>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Compare {
            ctx: self,
            exe: exe.to_owned(),
            python: python.into_iter().map(|a| a.as_ref().to_owned()).collect(),
            env: Vec::new(),
            python_env: Vec::new(),
        }
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

/// A frozen program and CPython running the same program: see [`Ctx::compare`].
#[derive(Clone)]
pub struct Compare<'c> {
    ctx: &'c Ctx,
    exe: PathBuf,
    python: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    python_env: Vec<(OsString, OsString)>,
}

impl Compare<'_> {
    /// An environment variable for both sides.
    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.env.push((key.into(), value.as_ref().to_owned()));
        self
    }

    /// An environment variable for CPython only (e.g. the `PYTHONPATH` that stands for
    /// the `--path` the freeze was given).
    pub fn python_env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.python_env
            .push((key.into(), value.as_ref().to_owned()));
        self
    }

    /// The frozen program and CPython, each run with `args` and `stdin`: (frozen, cpython).
    pub fn both(&self, args: &[&str], stdin: &[u8]) -> (Run, Run) {
        let mut frozen = self.ctx.command(&self.exe);
        frozen.args(args).envs(self.env.iter().cloned());
        let mut cpython = self.ctx.python();
        cpython
            .args(&self.python)
            .args(args)
            .envs(self.env.iter().cloned())
            .envs(self.python_env.iter().cloned());
        (
            run_with_stdin(&mut frozen, stdin),
            run_with_stdin(&mut cpython, stdin),
        )
    }

    /// Both runs must agree on stdout, stderr and exit status (or signal); returns the
    /// frozen program's run.
    pub fn assert_same(&self, args: &[&str], stdin: &[u8]) -> Run {
        let (frozen, cpython) = self.both(args, stdin);
        assert_eq!(
            frozen,
            cpython,
            "{} {args:?} differs from CPython {:?} (environment {:?}, CPython's own {:?})",
            self.exe.display(),
            self.python,
            self.env,
            self.python_env
        );
        frozen
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

/// `text` contains `part`; the message shows all of `text`.
#[track_caller]
pub fn assert_contains(text: &str, part: &str) {
    assert!(text.contains(part), "{part:?} is not in:\n{text}");
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

/// The virtual environment `NAME-venv` with `freezer/tests/venvs/NAME.txt` installed: see
/// [`venv_from`].
pub fn venv(name: &str) -> &'static Path {
    let requirements = repo_root().join(format!("freezer/tests/venvs/{name}.txt"));
    venv_from(&format!("{name}-venv"), &requirements)
}

/// A virtual environment with the requirements file's pins installed by CPython's pip,
/// made once per name in a run and kept between runs under the target directory (pip's
/// download cache makes a rebuild cheap). Returns the venv's directory.
pub fn venv_from(name: &str, requirements: &Path) -> &'static Path {
    static VENVS: Mutex<BTreeMap<String, &'static OnceLock<PathBuf>>> = Mutex::new(BTreeMap::new());
    let once: &'static OnceLock<PathBuf> = *VENVS
        .lock()
        .unwrap()
        .entry(name.to_owned())
        .or_insert_with(|| &*Box::leak(Box::new(OnceLock::new())));
    once.get_or_init(|| {
        let text = std::fs::read_to_string(requirements).unwrap();
        let pins: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        make_venv(name, &pins)
    })
}

fn make_venv(name: &str, requirements: &[&str]) -> PathBuf {
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
