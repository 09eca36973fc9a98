//! A build's inputs, as the command line and `[tool.freeze]` give them.

use std::path::PathBuf;

use crate::analysis::entry::Entry;
use crate::build::cache::Cache;

/// `SRC:DEST` of `--add-data` (and `add-data` in `[tool.freeze]`): the last `:` splits,
/// so a Windows source path (`C:\\assets:static`) keeps its drive.
pub fn split_add_data(spec: &str) -> Option<(&str, &str)> {
    spec.rsplit_once(':')
}

/// A build's inputs.
#[derive(Debug, Clone)]
pub struct Options {
    pub entry: Entry,
    pub output: PathBuf,
    /// Extra directories searched for modules, after the entry's own directory.
    pub paths: Vec<PathBuf>,
    pub stub: Option<PathBuf>,
    /// The target triple to build for (`--target`); None: the stub found for the host.
    pub target: Option<String>,
    /// 0, 1 (`-O`: no asserts) or 2 (`-OO`: no docstrings either).
    pub optimize: u8,
    /// Keep the program's own sources so tracebacks show its lines (stdlib sources are
    /// never kept: tracebacks show their file and line).
    pub keep_source: bool,
    /// Where compiled modules are cached between builds (None: compile everything).
    pub cache: Option<Cache>,
    /// Modules to bundle even if no import names them (a package brings all its
    /// submodules).
    pub includes: Vec<String>,
    /// Modules never bundled, even when imported.
    pub excludes: Vec<String>,
    /// `(source file or directory, destination directory)` of extra data files.
    pub add_data: Vec<(PathBuf, String)>,
    /// Where a JSON report of the build goes.
    pub report: Option<PathBuf>,
    /// The Python environment to take installed distributions from (`--python`: an
    /// interpreter or a venv directory); None: found as [`crate::analysis::environment`]
    /// says.
    pub python: Option<PathBuf>,
    /// Missing modules (and their submodules) the build may leave out even when they are
    /// imported as the program starts (`--allow-missing`).
    pub allow_missing: Vec<String>,
    /// Every warning fails the build (`--strict`).
    pub strict: bool,
    /// Bundle the installed plugins of bundled distributions (entry points in a group
    /// they read).
    pub plugins: bool,
}
