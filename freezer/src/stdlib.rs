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

/// Modules the runtime's VM provides without any source: its native modules, plus the
/// few Python modules RustPython freezes into every interpreter and imports at start.
pub fn native_modules() -> &'static BTreeSet<String> {
    static NAMES: OnceLock<BTreeSet<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let ctx = rustpython_vm::Context::genesis();
        let mut names: BTreeSet<String> = rustpython_vm::stdlib::builtin_module_defs(ctx)
            .into_iter()
            .chain(rustpython_stdlib::stdlib_module_defs(ctx))
            .map(|def| def.name.as_str().to_owned())
            .collect();
        for name in [
            "sys",
            "builtins",
            "_frozen_importlib",
            "_frozen_importlib_external",
            "codecs",
            "copyreg",
        ] {
            names.insert(name.to_owned());
        }
        names
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
    fn native_modules_are_known() {
        let names = native_modules();
        for name in ["sys", "math", "_json", "_sre", "time", "posix"] {
            assert!(names.contains(name), "{name} missing from {names:?}");
        }
        assert!(!names.contains("json"));
    }
}
