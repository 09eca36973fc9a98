//! `freeze`: turn a Python program into one native executable.
//!
//! The pipeline (see [`pipeline`] and docs/architecture.md), a folder per stage:
//! [`analysis`] (the entry and every module it reaches) → [`build`] (compile, data, the
//! payload) → [`output`] (into the runtime stub, written atomically) → [`report`].

mod analysis;
mod build;
mod error;
mod options;
mod output;
mod pipeline;
mod progress;
mod report;

pub mod config;
pub mod settings;
pub use output::{stubs, target};
pub use report::inspect;

pub use analysis::entry::Entry;
pub use build::cache::Cache;
pub use build::source::SourceError;
pub use error::Error;
pub use options::{Options, split_add_data};
pub use pipeline::embed_file;
pub use pipeline::{freeze_with, venv_site_packages};
pub use progress::{Progress, Silent};
pub use report::summary::{Missing, Report};

/// Freeze a program.
pub fn freeze(opts: &Options) -> Result<Report, Error> {
    freeze_with(opts, &Silent)
}
