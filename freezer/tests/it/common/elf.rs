//! What a Linux executable needs from the system it runs on: its NEEDED shared objects
//! and the newest glibc symbol version it binds (binutils' readelf and objdump).

use std::path::Path;
use std::process::Command;

/// `readelf -d`'s NEEDED entries and the highest `GLIBC_x.y` version `objdump -T` lists.
pub fn dynamic_needs(exe: &Path) -> (Vec<String>, Option<(u32, u32)>) {
    let readelf = Command::new("readelf")
        .arg("-dW")
        .arg(exe)
        .output()
        .unwrap();
    let needed = String::from_utf8_lossy(&readelf.stdout)
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| Some(l.split('[').nth(1)?.trim_end_matches(']').to_owned()))
        .collect();
    let objdump = Command::new("objdump").arg("-T").arg(exe).output().unwrap();
    let glibc = String::from_utf8_lossy(&objdump.stdout)
        .split("GLIBC_")
        .skip(1)
        .filter_map(|rest| {
            let v: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let mut parts = v.split('.').map(|p| p.parse::<u32>().ok());
            Some((parts.next()??, parts.next().flatten().unwrap_or(0)))
        })
        .max();
    (needed, glibc)
}

/// The C library's own shared objects: glibc's libc, libm, libpthread, libdl, librt,
/// libutil (openpty before glibc 2.34 moved it into libc) and the dynamic loader.
/// Anything else (libffi, libgcc_s, libz, …) is a dependency a target system may lack.
pub const C_LIBRARY: &[&str] = &[
    "libc.so.6",
    "libm.so.6",
    "libpthread.so.0",
    "libdl.so.2",
    "librt.so.1",
    "libutil.so.1",
    "ld-linux-x86-64.so.2",
];

/// Assert that `exe` needs only the C library, at glibc 2.17 or older.
pub fn assert_portable(exe: &Path) {
    let (needed, glibc) = dynamic_needs(exe);
    let foreign: Vec<_> = needed
        .iter()
        .filter(|n| !C_LIBRARY.contains(&n.as_str()))
        .collect();
    assert!(
        foreign.is_empty(),
        "{} needs {foreign:?} beyond the C library",
        exe.display()
    );
    let glibc = glibc.expect("links glibc");
    assert!(
        glibc <= (2, 17),
        "{} needs GLIBC_{}.{}",
        exe.display(),
        glibc.0,
        glibc.1
    );
}
