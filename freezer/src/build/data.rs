//! Data files that travel with the program: non-Python files inside bundled packages,
//! the `.dist-info` metadata of bundled distributions, and `--add-data`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use freeze_payload::ModuleKind;

use crate::analysis::dist::{Index, is_code_or_cache};
use crate::analysis::graph::Graph;
use crate::analysis::resolve::{Resolver, Root};
use crate::build::files::{rel_path, walk_all};
use crate::error::Error;

/// One data file: its `/`-separated path in the payload, and its bytes.
#[derive(Debug, Clone)]
pub struct DataFile {
    pub path: String,
    pub bytes: Vec<u8>,
    /// The file it was read from.
    pub source: PathBuf,
    /// The distribution it belongs to, when known.
    pub distribution: Option<String>,
}

/// Everything collected, plus which distribution provides each top-level name.
#[derive(Debug, Default)]
pub struct Collected {
    pub files: Vec<DataFile>,
    /// Top-level module name → distribution name (from bundled `.dist-info`).
    pub distributions: BTreeMap<String, String>,
    paths: BTreeSet<String>,
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::Read {
        path: path.to_path_buf(),
        source: e,
    })
}

/// Files under a package directory, not descending into subpackages (they bring their
/// own data when they are bundled) or caches.
fn package_files(dir: &Path, top: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if path.is_dir() {
            if name == "__pycache__" || (!top && path.join("__init__.py").is_file()) {
                continue;
            }
            if top && path.join("__init__.py").is_file() {
                continue;
            }
            package_files(&path, false, out);
        } else if !is_code_or_cache(&name) {
            out.push(path);
        }
    }
}

impl Collected {
    /// Add a file unless its path is already taken (first come wins, as on a search path).
    fn add(&mut self, path: String, file: &Path, distribution: Option<&str>) -> Result<(), Error> {
        if self.paths.insert(path.clone()) {
            self.files.push(DataFile {
                path,
                bytes: read(file)?,
                source: file.to_path_buf(),
                distribution: distribution.map(str::to_owned),
            });
        }
        Ok(())
    }
}

/// `whole` lists the data files of distributions bundled whole: `(root, path, name)`.
pub fn collect(
    graph: &Graph,
    resolver: &Resolver,
    index: &Index,
    whole: &[(usize, &str, &str)],
    add_data: &[(PathBuf, String)],
) -> Result<Collected, Error> {
    let mut out = Collected::default();
    whole_data(&mut out, resolver, whole)?;
    package_data(&mut out, graph, resolver)?;
    metadata(&mut out, graph, resolver, index)?;
    for (src, dest) in add_data {
        added_data(&mut out, src, dest)?;
    }
    out.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Data files of whole distributions, as their RECORD lists them.
fn whole_data(
    out: &mut Collected,
    resolver: &Resolver,
    whole: &[(usize, &str, &str)],
) -> Result<(), Error> {
    for &(root, path, dist) in whole {
        let Root::Dir(dir) = &resolver.roots[root] else {
            continue;
        };
        let file = dir.join(path);
        if file.is_file() {
            out.add(path.to_owned(), &file, Some(dist))?;
        }
    }
    Ok(())
}

/// The data files inside every bundled package's directory.
fn package_data(out: &mut Collected, graph: &Graph, resolver: &Resolver) -> Result<(), Error> {
    for node in graph.modules.values() {
        let found = &node.found;
        if !matches!(found.kind, ModuleKind::Package | ModuleKind::Namespace) {
            continue;
        }
        let Root::Dir(root) = &resolver.roots[found.root] else {
            continue;
        };
        let dir = root.join(found.name.replace('.', "/"));
        let mut files = Vec::new();
        package_files(&dir, true, &mut files);
        for file in files {
            let path = rel_path(root, &file);
            out.add(path, &file, None)?;
        }
    }
    Ok(())
}

/// Distribution metadata for every bundled top-level name.
fn metadata(
    out: &mut Collected,
    graph: &Graph,
    resolver: &Resolver,
    index: &Index,
) -> Result<(), Error> {
    let tops: BTreeSet<&str> = graph
        .modules
        .keys()
        .map(|n| n.split('.').next().unwrap_or(n))
        .collect();
    for dist in &index.dists {
        if !dist.top_level.iter().any(|n| tops.contains(n.as_str())) {
            continue;
        }
        let Root::Dir(root) = &resolver.roots[dist.root] else {
            continue;
        };
        for name in &dist.top_level {
            out.distributions
                .entry(name.clone())
                .or_insert_with(|| dist.name.clone());
        }
        for path in &dist.metadata_files {
            out.add(path.clone(), &root.join(path), Some(&dist.name))?;
        }
    }
    Ok(())
}

/// `--add-data SRC:DEST`: a file lands at DEST/<name>, a directory's contents under DEST.
fn added_data(out: &mut Collected, src: &Path, dest: &str) -> Result<(), Error> {
    let dest = dest.trim_matches('/');
    let shown = format!("{}:{dest}", src.display());
    if dest.split('/').any(|part| part == "..") {
        return Err(Error::AddData(
            shown,
            "DEST must stay inside the bundle (no '..')".to_owned(),
        ));
    }
    let join = |rel: &str| {
        if dest.is_empty() || dest == "." {
            rel.to_owned()
        } else {
            format!("{dest}/{rel}")
        }
    };
    if src.is_file() {
        let name = src
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        out.add(join(&name), src, None)?;
    } else if src.is_dir() {
        let mut files = Vec::new();
        walk_all(src, &mut files);
        for file in files {
            let path = join(&rel_path(src, &file));
            out.add(path, &file, None)?;
        }
    } else {
        return Err(Error::AddData(
            shown,
            format!("{} does not exist", src.display()),
        ));
    }
    Ok(())
}
