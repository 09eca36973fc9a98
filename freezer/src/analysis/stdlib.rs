//! RustPython's pure-Python standard library, built into `freeze` (see `build.rs`), and the
//! names of the modules the runtime stub's VM implements natively.

use std::collections::BTreeSet;
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/stdlib_index.rs"));

static STDLIB_BLOB: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/stdlib.bin"));

/// Source of a standard-library file by its path relative to `Lib/` (`json/decoder.py`).
pub fn source(rel_path: &str) -> Option<&'static [u8]> {
    let i = STDLIB_INDEX
        .binary_search_by(|(path, _, _)| (*path).cmp(rel_path))
        .ok()?;
    let (_, offset, len) = STDLIB_INDEX[i];
    Some(&STDLIB_BLOB[offset as usize..(offset + len) as usize])
}

/// Paths of the standard library's files below `prefix` (e.g. `json/`), sorted.
pub fn paths_under(prefix: &str) -> impl Iterator<Item = &'static str> {
    let start = STDLIB_INDEX.partition_point(|(path, _, _)| *path < prefix);
    STDLIB_INDEX[start..]
        .iter()
        .take_while(move |(path, _, _)| path.starts_with(prefix))
        .map(|(path, _, _)| *path)
}

/// The native modules RustPython 0.6's VM, built with the stub's features, provides on
/// every OS: one per line. A test checks the list against the VM itself, so `freeze`
/// need not link the VM (nor libffi) to know them.
const COMMON_NATIVE: &str = include_str!("native_modules.txt");

/// Native modules RustPython 0.6 builds only on Windows, and only on Unix (the `cfg`s
/// of the module lists in rustpython-vm and rustpython-stdlib). None has a pure-Python
/// fallback in the standard library: whether a program finds one depends on the target's
/// VM alone.
pub const WINDOWS_NATIVE: &[&str] = &[
    "_overlapped",
    "_testconsole",
    "_winapi",
    "_wmi",
    "msvcrt",
    "nt",
    "winreg",
    "winsound",
];
pub const UNIX_NATIVE: &[&str] = &[
    "_posixshmem",
    "_posixsubprocess",
    "_uuid",
    "fcntl",
    "grp",
    "posix",
    "pwd",
    "resource",
    "syslog",
    "termios",
];
pub const MACOS_NATIVE: &[&str] = &["_scproxy"];

/// Python modules RustPython freezes into every interpreter and imports at start.
const FROZEN_IN_VM: &[&str] = &[
    "sys",
    "builtins",
    "_frozen_importlib",
    "_frozen_importlib_external",
    "codecs",
    "copyreg",
];

/// Modules the host's VM provides without any source: its native modules, plus the few
/// Python modules RustPython freezes into every interpreter.
pub fn native_modules() -> &'static BTreeSet<String> {
    static NAMES: OnceLock<BTreeSet<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut platform: Vec<&str> = Vec::new();
        if cfg!(windows) {
            platform.extend(WINDOWS_NATIVE);
        }
        if cfg!(unix) {
            platform.extend(UNIX_NATIVE);
        }
        if cfg!(target_vendor = "apple") {
            platform.extend(MACOS_NATIVE);
        }
        COMMON_NATIVE
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .chain(platform)
            .chain(FROZEN_IN_VM.iter().copied())
            .map(str::to_owned)
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdlib_is_built_in() {
        assert!(STDLIB_INDEX.len() > 500, "{} files", STDLIB_INDEX.len());
        let json = std::str::from_utf8(source("json/__init__.py").unwrap()).unwrap();
        assert!(json.contains("def dumps("));
        assert!(source("argparse.py").is_some());
        assert!(source("no_such_module.py").is_none());
        let json: Vec<_> = paths_under("json/").collect();
        assert!(json.contains(&"json/decoder.py"), "{json:?}");
        assert!(paths_under("jso/").next().is_none());
    }

    #[test]
    fn the_native_list_is_the_vms() {
        let ctx = rustpython_vm::Context::genesis();
        let vm: BTreeSet<String> = rustpython_vm::stdlib::builtin_module_defs(ctx)
            .into_iter()
            .chain(rustpython_stdlib::stdlib_module_defs(ctx))
            .map(|def| def.name.as_str().to_owned())
            .chain(FROZEN_IN_VM.iter().map(|s| s.to_string()))
            .collect();
        let ours = native_modules();
        let platform: BTreeSet<&str> = WINDOWS_NATIVE
            .iter()
            .chain(UNIX_NATIVE)
            .chain(MACOS_NATIVE)
            .copied()
            .collect();
        let common: Vec<&str> = vm
            .iter()
            .map(String::as_str)
            .filter(|n| !platform.contains(n) && !FROZEN_IN_VM.contains(n))
            .collect();
        assert_eq!(
            ours,
            &vm,
            "freezer/src/native_modules.txt must hold exactly the VM's common native modules:\n{}",
            common.join("\n")
        );
    }

    #[test]
    fn native_modules_are_known() {
        let names = native_modules();
        for name in ["sys", "math", "_json", "_sre", "time", "posix"] {
            assert!(names.contains(name), "{name} missing from {names:?}");
        }
        assert!(!names.contains("json"));
    }
}
