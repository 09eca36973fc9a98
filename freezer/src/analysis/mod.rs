//! Stage 1–2: what the program is and what it reaches. [`entry`] (what runs as
//! `__main__`) → [`imports`] (what a source imports) and [`resolve`] (where a name is
//! found) → [`graph`] (the walk) → [`walk`] (with what the [`rules`] add and [`whole`]
//! distributions, read through [`distribution`]; the standard library from [`stdlib`]).

pub mod distribution;
pub mod entry;
pub mod graph;
pub mod imports;
pub mod resolve;
pub mod rules;
pub mod stdlib;
pub mod walk;
pub mod whole;
