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
    println!("cargo:rustc-env=FREEZE_VM_PATCHES={}", vm_patches_digest());
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

/// A digest of the RustPython patch series this freezer's compiler is built with
/// (`vendor/patches/`): compiled code and import lists cached by one build must not be
/// served to a build with other compiler fixes. FNV-1a over names and contents.
fn vm_patches_digest() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vendor/patches");
    println!("cargo:rerun-if-changed={}", dir.display());
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return "none".to_owned();
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap_or_default();
        for b in name.bytes().chain([0]).chain(bytes) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}
