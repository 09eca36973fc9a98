//! Where a long build reports how far it got and why it decided what it did (the CLI
//! draws a line on a terminal and prints the reasons with `-v`).

pub trait Progress: Sync {
    /// `phase` is "compiling"; `done` of `total` modules.
    fn update(&self, phase: &str, done: usize, total: usize);
    /// Something worth saying with `-v`: why a module is in, where it was found.
    fn explain(&self, _line: &str) {}
}

/// A build that reports nothing.
pub struct Silent;

impl Progress for Silent {
    fn update(&self, _: &str, _: usize, _: usize) {}
}
