//! Everything that can stop a build, each naming what and where. Stages with errors of
//! their own ([`crate::build::source`], [`crate::analysis::resolve`], [`crate::analysis::graph`], [`crate::output::fsutil`])
//! are carried whole, so their sources stay reachable.

use std::path::PathBuf;

use crate::analysis::environment::EnvironmentError;
use crate::analysis::graph::{MissingImport, UnloadableExtension};
use crate::analysis::resolve::ReadError;
use crate::build::source::SourceError;
use crate::output::container::Unusable;
use crate::output::fsutil::{self, WriteError};
use crate::output::overwrite::OutputIsInput;
use crate::output::target;

#[derive(thiserror::Error, Debug)]
pub enum Error {
    #[error("entry file {0} not found")]
    EntryMissing(PathBuf),
    #[error(
        "entry {0} is a directory without a __main__.py; give a Python file, or add __main__.py to the directory"
    )]
    EntryIsDirectory(PathBuf),
    #[error(
        "module {module} not found; searched {searched}; if it is installed in another environment, pass --python PATH (its interpreter or directory)"
    )]
    ModuleMissing { module: String, searched: String },
    #[error(transparent)]
    Environment(#[from] EnvironmentError),
    #[error("module {0} is implemented inside the runtime and has no source to run as __main__")]
    ModuleNative(String),
    #[error("cannot create directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    ReadSource(#[from] ReadError),
    #[error(transparent)]
    Syntax(#[from] SourceError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    OutputIsRead(#[from] OutputIsInput),
    #[error("output {0} is the entry file itself; choose another output path")]
    OutputIsInput(PathBuf),
    #[error(
        "no runtime stub found: {install}pass --stub FILE, set FREEZE_STUB, or put runtime-stub next to the freeze executable"
    )]
    NoStub { install: String },
    #[error("cannot build the runtime stub: {0}")]
    StubBuild(String),
    #[error("cannot read runtime stub {}: {}", .0.display(), .1)]
    StubRead(PathBuf, #[source] std::io::Error),
    #[error(transparent)]
    BadStub(#[from] Unusable),
    #[error(transparent)]
    Extension(#[from] UnloadableExtension),
    #[error(transparent)]
    MissingImport(#[from] MissingImport),
    #[error("--add-data {0}: {1}")]
    AddData(String, String),
    #[error("--include {0}: no such module on the search path")]
    IncludeMissing(String),
    #[error("cannot inspect {0}: {1}")]
    Inspect(PathBuf, String),
    #[error("cannot write report {}: {why}", path.display())]
    Report {
        path: PathBuf,
        #[source]
        why: fsutil::Why,
    },
    #[error("unknown target '{0}'; known targets: {known}", known = target::Target::known_list())]
    UnknownTarget(String),
    #[error("runtime stub {path} is {kind}, but --target {triple} needs {needs}")]
    StubMismatch {
        path: PathBuf,
        kind: String,
        triple: String,
        needs: String,
    },
    #[error(
        "no runtime stub for --target {triple}: {looked}; {install}put {file} there (a freeze release asset), set FREEZE_STUB_DIR to the directory holding it, or pass --stub FILE"
    )]
    NoTargetStub {
        triple: String,
        looked: String,
        install: String,
        file: String,
    },
    #[error(transparent)]
    StaleStub(#[from] crate::output::installed::StaleStub),
}
