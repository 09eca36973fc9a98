//! The `freeze` command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use freezer::settings::{self, Layer, Settings};

/// `eprintln!` that never panics: a full or closed stderr (`2>/dev/full`, `2>&1 | head -1`)
/// loses the message and nothing else; the build goes on.
macro_rules! say {
    ($($arg:tt)*) => { write_stderr(format_args!($($arg)*), true) };
}

/// [`say!`] without the newline.
macro_rules! say_part {
    ($($arg:tt)*) => { write_stderr(format_args!($($arg)*), false) };
}

/// freeze's version, the VM its outputs run, and the Python language level of that VM.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (RustPython 0.6.0, Python 3.14)"
);

/// Turn a Python program into one native executable that runs without Python.
#[derive(Parser, Debug)]
#[command(name = "freeze", version = VERSION, about, long_about = None)]
#[command(args_conflicts_with_subcommands = true)]
#[command(after_help = "Examples:
  freeze app.py -o app
  freeze -m mypkg -o mytool --path src
  freeze --entry mypkg.cli:main -o mytool
  freeze app.py -o app.exe --target x86_64-pc-windows-msvc
  freeze init                     # write a [tool.freeze] section into pyproject.toml")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// The program's entry script (or a directory holding __main__.py).
    ///
    /// Example: `freeze app.py -o app`, or `freeze myproject/ -o app` for a directory with __main__.py.
    #[arg(value_name = "ENTRY", conflicts_with_all = ["module", "function"])]
    entry: Option<PathBuf>,

    /// Run a module or package as `python -m MODULE` does (a package runs its __main__).
    ///
    /// Example: `freeze -m mytool -o mytool` runs mytool/__main__.py with mytool imported first.
    #[arg(
        short = 'm',
        long = "module",
        value_name = "MODULE",
        conflicts_with = "function"
    )]
    module: Option<String>,

    /// Run FUNCTION from MODULE as a console script does; its return is the exit status.
    ///
    /// Example: `freeze --entry mytool.cli:main -o mytool`, as `[project.scripts] mytool = "mytool.cli:main"`.
    #[arg(long = "entry", value_name = "MODULE:FUNCTION")]
    function: Option<String>,

    /// Where to write the executable.
    ///
    /// Example: `-o build/app`. Default: dist/NAME (NAME from the entry; .exe for a Windows target); directories are created; the file is replaced only when the build succeeds.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: Option<PathBuf>,

    /// Another directory to search for modules, after the entry's own (repeatable).
    ///
    /// Example: `--path src --path vendor`. The active virtual environment's site-packages is searched after these.
    #[arg(long = "path", value_name = "DIR")]
    paths: Vec<PathBuf>,

    /// Bundle MODULE even if no import names it; a package brings all its submodules.
    ///
    /// Example: `--include myapp.plugins` for plugins loaded with importlib.import_module(name).
    #[arg(long = "include", value_name = "MODULE")]
    includes: Vec<String>,

    /// Never bundle MODULE (or its submodules), even when imported.
    ///
    /// Example: `--exclude numpy`; importing it at run time raises ModuleNotFoundError as usual.
    #[arg(long = "exclude", value_name = "MODULE")]
    excludes: Vec<String>,

    /// Bundle a file or directory, readable at run time through `freeze_data`.
    ///
    /// Example: `--add-data assets:static`, then `freeze_data.read_text('static/config.ini')` at run time.
    #[arg(long = "add-data", value_name = "SRC:DEST")]
    add_data: Vec<String>,

    /// Don't bundle installed plugins: distributions that register entry points in a group a bundled distribution reads.
    ///
    /// Example: `--no-plugins` to leave out the flake8 plugins installed beside flake8; importlib.metadata.entry_points() then lists none.
    #[arg(long)]
    no_plugins: bool,

    /// Write a JSON report of every module, data file and missing import.
    ///
    /// Example: `--report build/freeze.json` (its directory is created).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,

    /// The runtime stub to build on (default: FREEZE_STUB, then one next to freeze).
    ///
    /// Example: `--stub stubs/runtime-stub-x86_64-unknown-linux-gnu`.
    #[arg(long, value_name = "FILE")]
    stub: Option<PathBuf>,

    /// Build for another OS or architecture, on runtime-stub-TRIPLE[.exe] from the stub directory.
    ///
    /// Example: `--target x86_64-pc-windows-msvc -o app.exe`. The stub directory is FREEZE_STUB_DIR, else the directory of freeze; --list-targets shows what is there.
    #[arg(long, value_name = "TRIPLE")]
    target: Option<String>,

    /// List the known targets and whether a runtime stub for each is available, and where.
    ///
    /// Example: `FREEZE_STUB_DIR=~/freeze-stubs freeze --list-targets`.
    #[arg(long, exclusive = true)]
    list_targets: bool,

    /// Optimise as `python -O` (drop asserts); twice, as -OO (drop docstrings too).
    ///
    /// Example: `-OO` for the smallest payload; __debug__ is False in both.
    #[arg(short = 'O', action = clap::ArgAction::Count)]
    optimize: u8,

    /// Leave the program's sources out: tracebacks then show file and line only.
    ///
    /// Example: `--no-source` when the source must not travel with the binary.
    #[arg(long)]
    no_source: bool,

    /// Treat every warning as an error (for CI): the build fails and leaves no output.
    ///
    /// Example: `freeze --strict app.py -o app`.
    #[arg(long)]
    strict: bool,

    /// Take installed distributions from this environment: a Python interpreter or a virtual environment's directory.
    ///
    /// Example: `--python .venv` or `--python /opt/app/bin/python`. Default: VIRTUAL_ENV, else CONDA_PREFIX, else .venv at the project root.
    #[arg(long, value_name = "PATH")]
    python: Option<PathBuf>,

    /// Build even though MODULE (or a submodule) is missing and imported as the program starts (repeatable).
    ///
    /// Example: `--allow-missing colorama` when that import is never reached on the target.
    #[arg(long = "allow-missing", value_name = "MODULE")]
    allow_missing: Vec<String>,

    /// Print only errors.
    ///
    /// Example: `freeze -q app.py -o app` in a CI step.
    #[arg(short, long, conflicts_with = "verbose")]
    quiet: bool,

    /// Explain each decision: why every module is in and where it was found.
    ///
    /// Example: `freeze -v app.py -o app 2>&1 | grep json` to see what pulled json in.
    #[arg(short, long)]
    verbose: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Add a commented [tool.freeze] section to pyproject.toml in the current directory.
    Init,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
    /// Show what a frozen executable holds (any target, from any host).
    Inspect {
        /// The frozen executable.
        app: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // Every error's own message says what, where and what to do; its sources are
            // already part of it.
            say!("{} {err}", label("error:", "1;31"));
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        Some(Command::Init) => {
            let path = freezer::config::init(Path::new("."))?;
            say!("wrote a [tool.freeze] section to {}", path.display());
            return Ok(());
        }
        Some(Command::Inspect { app, json }) => {
            let found = freezer::inspect::inspect(app)?;
            if *json {
                let text = serde_json::to_string_pretty(&found).expect("serializes");
                write_stdout(format!("{text}\n").as_bytes())?;
            } else {
                write_stdout(found.to_text().as_bytes())?;
            }
            return Ok(());
        }
        Some(Command::Completions { shell }) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut cmd, "freeze", &mut script);
            write_stdout(&script)?;
            return Ok(());
        }
        None => {}
    }
    if cli.list_targets {
        write_stdout(list_targets().as_bytes())?;
        return Ok(());
    }
    for settings in all_settings(cli)? {
        build(settings)?;
    }
    Ok(())
}

/// One build, its warnings and summary printed.
fn build(Settings { options, chatter }: Settings) -> anyhow::Result<()> {
    let progress = Terminal::new(chatter.verbose);
    let result = freezer::freeze_with(&options, &progress);
    progress.clear();
    let warnings = print_summary(&result?, chatter.quiet, chatter.verbose);
    if options.strict && warnings > 0 {
        // The output is not left behind for a build --strict refuses.
        let _ = std::fs::remove_file(&options.output);
        anyhow::bail!(
            "--strict: {} (see above); the output was not kept",
            plural(warnings, "warning")
        );
    }
    Ok(())
}

fn write_stderr(text: std::fmt::Arguments, newline: bool) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = err.write_fmt(text);
    if newline {
        let _ = err.write_all(b"\n");
    }
}

/// Standard output, checked: a reader that went away (`freeze inspect app | head -1`) ends
/// freeze quietly with status 0, as ripgrep and ruff do; any other failure is an error.
fn write_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        result => Ok(result.map_err(|e| anyhow::anyhow!("cannot write to standard output: {e}"))?),
    }
}

/// Colours only on a terminal, and never with NO_COLOR set (https://no-color.org).
fn colour() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn label(text: &str, code: &str) -> String {
    if colour() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// Progress on a terminal: one line, redrawn, shown only once a build has taken a
/// second; nothing of it reaches a pipe or a log.
struct Terminal {
    start: std::time::Instant,
    live: bool,
    verbose: bool,
    drawn: std::sync::atomic::AtomicBool,
}

impl Terminal {
    fn new(verbose: bool) -> Self {
        use std::io::IsTerminal;
        Terminal {
            start: std::time::Instant::now(),
            live: std::io::stderr().is_terminal(),
            verbose,
            drawn: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn clear(&self) {
        if self.drawn.load(std::sync::atomic::Ordering::Relaxed) {
            say_part!("\r\x1b[2K");
        }
    }
}

impl freezer::Progress for Terminal {
    fn update(&self, phase: &str, done: usize, total: usize) {
        if !self.live || self.start.elapsed() < std::time::Duration::from_secs(1) {
            return;
        }
        self.drawn.store(true, std::sync::atomic::Ordering::Relaxed);
        say_part!("\r\x1b[2K{phase} {done}/{total} modules");
    }

    fn explain(&self, line: &str) {
        if self.verbose {
            say!("{} {line}", label("freeze:", "2"));
        }
    }
}

/// `freeze --list-targets`: where stubs are looked for, then one line per known target.
fn list_targets() -> String {
    use freezer::stubs::{StubSource, StubState};
    let mut out = match freezer::stubs::stub_dir() {
        Some((dir, how)) => format!("stub directory: {} ({how})\n", dir.display()),
        None => "stub directory: unknown (set FREEZE_STUB_DIR)\n".to_owned(),
    };
    for status in freezer::stubs::target_statuses() {
        let target = status.target;
        let name = if target.is_host() {
            format!("{} (host)", target.triple)
        } else {
            target.triple.to_owned()
        };
        let state = match status.state {
            StubState::Available(path, source) => {
                let how = match source {
                    StubSource::Env => " (FREEZE_STUB)",
                    StubSource::BesideFreeze => " (next to freeze)",
                    StubSource::Checkout => " (built from the checkout, cached)",
                    StubSource::Installed => " (installed)",
                    _ => "",
                };
                format!("available  {}{how}", path.display())
            }
            StubState::OnDemand(root) => format!(
                "available  built from the checkout at {} on first use",
                root.display()
            ),
            StubState::Unusable(path, why) => format!("unusable   {} {why}", path.display()),
            StubState::Missing(path) => {
                let path = path.map(|p| format!("    {}", p.display()));
                let install = freezer::stubs::install_command(target);
                let install = install.map(|cmd| format!("; install: {cmd}"));
                format!(
                    "missing{}{}",
                    path.unwrap_or_default(),
                    install.unwrap_or_default()
                )
            }
        };
        out.push_str(&format!("{name:<34} {state}\n"));
    }
    out
}

impl Cli {
    /// The command line as a settings layer: one line per flag.
    fn layer(self) -> Layer {
        let set = |flag: bool| flag.then_some(true);
        Layer {
            entry: self.entry,
            module: self.module,
            function: self.function,
            output: self.output,
            path: self.paths,
            include: self.includes,
            exclude: self.excludes,
            add_data: self.add_data,
            optimize: (self.optimize > 0).then_some(self.optimize.min(2)),
            no_source: set(self.no_source),
            no_plugins: set(self.no_plugins),
            stub: self.stub,
            report: self.report,
            target: self.target,
            quiet: set(self.quiet),
            verbose: set(self.verbose),
            python: self.python,
            allow_missing: self.allow_missing,
            strict: set(self.strict),
        }
    }
}

/// Flags over `[tool.freeze]` (from the entry's directory, or the current one) over the
/// defaults.
/// With no entry in the flags or `[tool.freeze]`, every `[project.scripts]` and
/// `[project.gui-scripts]` entry of the project, each into `dist/NAME` beside its
/// `pyproject.toml`.
fn all_settings(cli: Cli) -> anyhow::Result<Vec<Settings>> {
    let flags = cli.layer();
    let dir = flags.config_dir();
    let stacked = flags.over(freezer::config::load(&dir)?);
    let cache = || freezer::Cache::default_dir().map(freezer::Cache::new);
    let scripts = freezer::config::project_scripts(&dir)?;
    if stacked.has_entry() || scripts.is_empty() {
        return Ok(vec![settings::resolve(stacked, cache())?]);
    }
    let mut all = Vec::new();
    for (name, spec) in scripts {
        let mut layer = stacked.clone();
        layer.function = Some(spec.split_whitespace().next().unwrap_or(&spec).to_owned());
        if stacked.output.is_none() {
            layer.output = Some(dir.join(settings::output_for(&name, layer.target.as_deref())));
        }
        all.push(settings::resolve(layer, cache())?);
    }
    Ok(all)
}

/// One warning for every missing module that does not stop the build (the list with
/// `-v`). The standard library's own platform-specific imports (winreg, nt, …) are
/// expected to be missing; only the program's and its distributions' count.
fn missing_warning(report: &freezer::Report, verbose: bool) -> Option<String> {
    let mut lazy_missing = Vec::new();
    for missing in &report.missing {
        let sites: Vec<String> = missing
            .importers
            .iter()
            .filter(|s| !s.stdlib)
            .map(|s| format!("{}:{}", s.file, s.line))
            .collect();
        if !sites.is_empty() {
            lazy_missing.push(format!(
                "{} (imported at {})",
                missing.module,
                sites.join(", ")
            ));
        }
    }
    if lazy_missing.is_empty() {
        return None;
    }
    let list = if verbose {
        format!(": {}", lazy_missing.join("; "))
    } else {
        " (-v lists them)".to_owned()
    };
    Some(format!(
        "{} not found, imported inside functions or under a condition; the program raises ModuleNotFoundError if it runs such an import{list}",
        plural(lazy_missing.len(), "module")
    ))
}

/// Print the warnings and the summary line; returns how many warnings there were.
fn print_summary(report: &freezer::Report, quiet: bool, verbose: bool) -> usize {
    let mut warnings = 0;
    let mut warn = |message: String| {
        warnings += 1;
        if !quiet {
            say!("{} {message}", label("warning:", "1;33"));
        }
    };
    if let Some(line) = missing_warning(report, verbose) {
        warn(line);
    }
    for ext in &report.lazy_extensions {
        warn(format!(
            "left out {}, a compiled extension ({}) that RustPython cannot load, imported inside a function ({}, reached by {}); the program raises ImportError if it calls that function",
            ext.module, ext.file, ext.importer, ext.chain
        ));
    }
    for skipped in &report.skipped_modules {
        warn(format!(
            "left out {}, which no import of the program reaches and which does not compile ({}); importing it raises ModuleNotFoundError",
            skipped.module, skipped.reason
        ));
    }
    if quiet {
        return warnings;
    }
    if let Some(env) = &report.environment {
        say!("environment: {} ({})", env.prefix.display(), env.why);
    }
    let data_bytes: usize = report.data.iter().map(|d| d.bytes).sum();
    let data = match report.data.len() {
        0 => String::new(),
        n => format!(
            " and {} ({})",
            plural(n, "data file"),
            human_bytes(data_bytes)
        ),
    };
    say!(
        "froze {}{data} into {} ({} payload, {} total{})",
        plural(report.modules.len(), "module"),
        report.output.display(),
        human_bytes(report.payload_bytes),
        human_bytes(report.output_bytes),
        match warnings {
            0 => String::new(),
            n => format!(", {}", plural(n, "warning")),
        }
    );
    warnings
}

fn human_bytes(n: usize) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    } else if n >= 1024 {
        format!("{:.1} KB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn version_names_the_vm_and_language_the_payload_is_built_for() {
        let expected = format!(
            "(RustPython {}, Python {})",
            freeze_payload::RUSTPYTHON_VERSION,
            freeze_payload::PYTHON_VERSION
        );
        assert!(super::VERSION.ends_with(&expected), "{}", super::VERSION);
    }
}
