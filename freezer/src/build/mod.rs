//! Stage 3–4: the payload's contents. [`compile`] (byte code, through the [`cache`],
//! from [`source`] text) → [`data`] (files beside code, found with [`files`]) → [`pack`]
//! (the payload).

pub mod cache;
pub mod compile;
pub mod data;
pub mod files;
pub mod pack;
pub mod source;
