//! Every use the tests make of the `freezer` library's API, in one place: the other
//! tests drive the `freeze` command only. When the library changes shape, this file is
//! what follows it.

pub use freezer::embed_file as embed;
pub use freezer::target::{HOST, TARGETS, Target};

/// The known target named `triple`.
pub fn target(triple: &str) -> &'static Target {
    Target::find(triple).expect("known target")
}
