//! Stage 5: the executable. The [`target`] picks a runtime stub ([`stubs`], built on
//! demand in a checkout by [`stub_build`]); the payload goes into its [`container`]
//! format; [`fsutil`] writes the result atomically, never over an input ([`overwrite`]).

pub mod container;
pub mod fsutil;
pub mod installed;
pub mod overwrite;
pub mod stub_build;
pub mod stubs;
pub mod target;
