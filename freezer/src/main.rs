//! The `freeze` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use freezer::{Entry, Options};

/// freeze's version, the VM its outputs run, and the Python language level of that VM.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (RustPython 0.6.0, Python 3.14)"
);

/// Turn a Python program into one native executable that runs without Python.
#[derive(Parser, Debug)]
#[command(name = "freeze", version = VERSION, about, long_about = None)]
#[command(after_help = "Examples:\n  freeze app.py -o app\n  freeze -m mypkg -o mytool --path src")]
struct Cli {
    /// The program's entry script (or a directory holding __main__.py).
    #[arg(
        value_name = "ENTRY",
        required_unless_present = "module",
        conflicts_with = "module"
    )]
    entry: Option<PathBuf>,

    /// Run a module or package as `python -m MODULE` does (a package runs its __main__).
    #[arg(short = 'm', long = "module", value_name = "MODULE")]
    module: Option<String>,

    /// Where to write the executable.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: PathBuf,

    /// Another directory to search for modules, after the entry's own (repeatable).
    #[arg(long = "path", value_name = "DIR")]
    paths: Vec<PathBuf>,

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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let entry = match (cli.entry, cli.module) {
        (Some(path), _) => Entry::Script(path),
        (None, Some(module)) => Entry::Module(module),
        (None, None) => unreachable!("clap requires ENTRY or -m"),
    };
    let opts = Options {
        entry,
        output: cli.output,
        paths: cli.paths,
        stub: cli.stub,
        optimize: cli.optimize.min(2),
        keep_source: !cli.no_source,
        cache: freezer::compile::Cache::default_dir().map(freezer::compile::Cache::new),
    };
    match freezer::freeze(&opts) {
        Ok(report) => {
            let mut warnings = 0;
            for missing in &report.missing {
                // The standard library's own platform-specific imports (winreg, nt, …)
                // are expected to be missing; only the program's are worth a warning.
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
                if !cli.quiet {
                    eprintln!(
                        "warning: module '{}' not found (imported at {}); the program raises ModuleNotFoundError if it runs that import",
                        missing.module,
                        sites.join(", ")
                    );
                }
            }
            if !cli.quiet {
                eprintln!(
                    "froze {} into {} ({} payload, {} total{})",
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
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
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
