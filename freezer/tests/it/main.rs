//! The end-to-end tests: one binary, one context (`common::Ctx`). Each module freezes
//! programs with the `freeze` of this build and runs what it wrote; most compare the
//! output with CPython's `python3`.

mod common;

mod bundling;
mod corpus;
mod cross_run;
mod entries;
mod examples;
mod experience;
mod freeze_errors;
mod inputs;
mod install;
mod output_safety;
mod processes;
mod programs;
mod projects;
mod pypi;
mod reproducible;
mod robustness;
mod runtime;
mod stdlib_native;
mod targets;
mod templates;
mod vfs;
mod vm_patches;
