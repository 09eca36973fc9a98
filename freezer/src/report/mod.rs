//! Stage 6: what the user reads. The build's [`summary`] (and `--report` JSON), the
//! reasons of [`explain`], and [`inspect`] of an existing output.

pub mod explain;
pub mod inspect;
pub mod summary;
