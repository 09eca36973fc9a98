//! `freeze`: turn a Python program into one native executable.
//!
//! The pipeline (see [`pipeline`] and docs/architecture.md), one file per stage:
//! [`entry`] (what runs as `__main__`) → [`imports`] (what a source imports) and
//! [`resolve`] (where a name is found) → [`graph`] (the walk) → [`walk`] (with hooks,
//! families and whole distributions) → [`compile`] → [`data`] → [`pack`] (the payload) →
//! [`container`] (into the runtime stub) → [`fsutil`] (written atomically) → [`report`].

mod cache;
mod compile;
mod container;
mod data;
mod distribution;
mod entry;
mod error;
mod explain;
mod families;
mod files;
mod fsutil;
mod graph;
mod hooks;
mod imports;
mod options;
mod pack;
mod pipeline;
mod progress;
mod report;
mod resolve;
mod source;
mod stdlib;
mod stub_build;
mod walk;
mod whole;

pub mod config;
pub mod inspect;
pub mod stubs;
pub mod target;

pub use cache::Cache;
pub use entry::Entry;
pub use error::Error;
pub use options::{Options, split_add_data};
pub use pipeline::embed_file;
pub use pipeline::{freeze_with, venv_site_packages};
pub use progress::{Progress, Silent};
pub use report::{Missing, Report};
pub use source::SourceError;

/// Freeze a program.
pub fn freeze(opts: &Options) -> Result<Report, Error> {
    freeze_with(opts, &Silent)
}
