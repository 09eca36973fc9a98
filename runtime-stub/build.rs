//! Link the stub as a position-dependent executable on x86-64 Linux with glibc.
//!
//! A position-independent executable (rustc's default) carries a dynamic relocation for
//! every absolute pointer in its data — the VM's many static tables of types, methods and
//! strings, 60,000 of them — and the loader applies each at every start (0.85 M
//! instructions for hello world, and 1 MiB of pages they touch become private copies).
//! Linked with `-no-pie`, the linker resolves them once. What is given up is the random
//! placement of the executable's own image (heap, stack, libraries and mappings stay
//! randomised), as with Debian's own `/usr/bin/python3.11`.
//!
//! The image base is 4 KiB past a 2 MiB boundary on purpose: at the linker's default
//! (0x200000) the first segment's addresses and file offsets agree modulo 2 MiB, so the
//! kernel maps the read-only data from the page cache's large folios with 2 MiB pages,
//! and the resident set grows by the 6 MiB of read-only data those pages cover but the
//! program never reads.
//!
//! Both linkers this target is linked with here take these arguments: rust-lld (rustc's
//! default for it) and `zig cc` (the cross build's, cross/recipes.sh); the `-no-pie`
//! comes after rustc's own `-pie`, and the later one wins in both. Only the stub's
//! binary is affected: build scripts, proc macros and the freezer link as before.
//!
//! Not elsewhere: aarch64 Linux links with GNU ld by default, which spells the image
//! base `-Ttext-segment`; rustc links a musl executable `-static-pie` with its own start
//! files, and `-no-pie` after that makes gcc link a dynamic executable.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let var = |name| std::env::var(name).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") == "linux"
        && var("CARGO_CFG_TARGET_ENV") == "gnu"
        && var("CARGO_CFG_TARGET_ARCH") == "x86_64"
    {
        println!("cargo:rustc-link-arg-bins=-no-pie");
        println!("cargo:rustc-link-arg-bins=-Wl,--image-base=0x201000");
    }
}
