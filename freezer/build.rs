//! Builds RustPython's pure-Python standard library (from rustpython-pylib) into the
//! `freeze` binary, so an installed `freeze` needs neither a cargo registry nor Python.
//!
//! Output: `stdlib.bin` (every `.py` file, concatenated in sorted path order) and
//! `stdlib_index.rs` (a sorted table of `(relative path, offset, length)`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if name == "__pycache__" || name == "site-packages" {
                continue;
            }
            collect(root, &path, out);
        } else if name.ends_with(".py") {
            let rel = path.strip_prefix(root).unwrap();
            let rel: Vec<_> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push((rel.join("/"), path));
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // `freeze --target` treats the triple it was built for as the host.
    println!(
        "cargo:rustc-env=FREEZE_HOST_TARGET={}",
        std::env::var("TARGET").expect("cargo sets TARGET for build scripts")
    );
    let root = PathBuf::from(rustpython_pylib::LIB_PATH);
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();

    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    let mut blob = Vec::new();
    let mut index = String::from("pub static STDLIB_INDEX: &[(&str, u32, u32)] = &[\n");
    for (rel, path) in &files {
        let bytes =
            std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        writeln!(index, "    ({rel:?}, {}, {}),", blob.len(), bytes.len()).unwrap();
        blob.extend_from_slice(&bytes);
    }
    index.push_str("];\n");
    std::fs::write(out_dir.join("stdlib.bin"), blob).unwrap();
    std::fs::write(out_dir.join("stdlib_index.rs"), index).unwrap();
}
