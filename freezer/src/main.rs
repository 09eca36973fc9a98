//! The `freeze` command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use freezer::config::Config;
use freezer::{Entry, Options};

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
  freeze init                     # write a [tool.freeze] section into pyproject.toml")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// The program's entry script (or a directory holding __main__.py).
    #[arg(value_name = "ENTRY", conflicts_with_all = ["module", "function"])]
    entry: Option<PathBuf>,

    /// Run a module or package as `python -m MODULE` does (a package runs its __main__).
    #[arg(
        short = 'm',
        long = "module",
        value_name = "MODULE",
        conflicts_with = "function"
    )]
    module: Option<String>,

    /// Run FUNCTION from MODULE as a console script does; its return is the exit status.
    #[arg(long = "entry", value_name = "MODULE:FUNCTION")]
    function: Option<String>,

    /// Where to write the executable.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: Option<PathBuf>,

    /// Another directory to search for modules, after the entry's own (repeatable).
    #[arg(long = "path", value_name = "DIR")]
    paths: Vec<PathBuf>,

    /// Bundle MODULE even if no import names it; a package brings all its submodules.
    #[arg(long = "include", value_name = "MODULE")]
    includes: Vec<String>,

    /// Never bundle MODULE (or its submodules), even when imported.
    #[arg(long = "exclude", value_name = "MODULE")]
    excludes: Vec<String>,

    /// Bundle a file or directory, readable at run time through `freeze_data`.
    #[arg(long = "add-data", value_name = "SRC:DEST")]
    add_data: Vec<String>,

    /// Write a JSON report of every module, data file and missing import.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,

    /// The runtime stub to build on (default: FREEZE_STUB, then one next to freeze).
    #[arg(long, value_name = "FILE")]
    stub: Option<PathBuf>,

    /// Optimise as `python -O` (drop asserts); twice, as -OO (drop docstrings too).
    #[arg(short = 'O', action = clap::ArgAction::Count)]
    optimize: u8,

    /// Leave the program's sources out: tracebacks then show file and line only.
    #[arg(long)]
    no_source: bool,

    /// Print only errors.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Add a commented [tool.freeze] section to pyproject.toml in the current directory.
    Init,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Init) = cli.command {
        return match freezer::config::init(Path::new(".")) {
            Ok(path) => {
                eprintln!("wrote a [tool.freeze] section to {}", path.display());
                ExitCode::SUCCESS
            }
            Err(err) => fail(&err),
        };
    }
    let quiet = cli.quiet;
    let opts = match options(cli) {
        Ok(opts) => opts,
        Err(err) => return fail(&err),
    };
    match freezer::freeze(&opts) {
        Ok(report) => {
            print_summary(&report, quiet);
            ExitCode::SUCCESS
        }
        Err(err) => fail(&err.to_string()),
    }
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::FAILURE
}

/// Flags over `[tool.freeze]` (from the entry's directory, or the current one).
fn options(cli: Cli) -> Result<Options, String> {
    let config_dir = match &cli.entry {
        Some(entry) if entry.is_dir() => entry.clone(),
        Some(entry) => entry
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
        None => PathBuf::from("."),
    };
    let config = Config::load(&config_dir)?;
    let entry = match (cli.entry, cli.module, cli.function) {
        (Some(path), _, _) => Entry::Script(path),
        (None, Some(module), _) => Entry::Module(module),
        (None, None, Some(spec)) => Entry::function(&spec).map_err(|e| e.to_string())?,
        (None, None, None) => match (
            config.entry.clone(),
            config.module.clone(),
            config.function.clone(),
        ) {
            (Some(path), _, _) => Entry::Script(path),
            (None, Some(module), _) => Entry::Module(module),
            (None, None, Some(spec)) => Entry::function(&spec).map_err(|e| e.to_string())?,
            (None, None, None) => {
                return Err(
                    "nothing to freeze: give an ENTRY script, -m MODULE or --entry MODULE:FUNCTION (or set one under [tool.freeze])"
                        .to_owned(),
                );
            }
        },
    };
    let output = cli
        .output
        .or(config.output)
        .ok_or("no output path: pass -o OUT (or set output under [tool.freeze])")?;
    let mut add_data = Vec::new();
    for spec in config.add_data.iter().chain(&cli.add_data) {
        let (src, dest) = spec
            .rsplit_once(':')
            .ok_or_else(|| format!("--add-data {spec}: expected SRC:DEST"))?;
        add_data.push((PathBuf::from(src), dest.to_owned()));
    }
    Ok(Options {
        entry,
        output,
        paths: config.path.into_iter().chain(cli.paths).collect(),
        stub: cli.stub.or(config.stub),
        optimize: if cli.optimize > 0 {
            cli.optimize.min(2)
        } else {
            config.optimize.unwrap_or(0)
        },
        keep_source: !(cli.no_source || config.no_source.unwrap_or(false)),
        cache: freezer::compile::Cache::default_dir().map(freezer::compile::Cache::new),
        includes: config.include.into_iter().chain(cli.includes).collect(),
        excludes: config.exclude.into_iter().chain(cli.excludes).collect(),
        add_data,
        report: cli.report.or(config.report),
    })
}

fn print_summary(report: &freezer::Report, quiet: bool) {
    let mut warnings = 0;
    for missing in &report.missing {
        // The standard library's own platform-specific imports (winreg, nt, …) are
        // expected to be missing; only the program's are worth a warning.
        let sites: Vec<String> = missing
            .importers
            .iter()
            .filter(|s| !s.stdlib)
            .map(|s| format!("{}:{}", s.file, s.line))
            .collect();
        if sites.is_empty() {
            continue;
        }
        warnings += 1;
        if !quiet {
            eprintln!(
                "warning: module '{}' not found (imported at {}); the program raises ModuleNotFoundError if it runs that import",
                missing.module,
                sites.join(", ")
            );
        }
    }
    if quiet {
        return;
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
    eprintln!(
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
