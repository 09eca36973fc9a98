//! Installed distributions: the `*.dist-info` directories on the search roots (a venv's
//! site-packages, `--path` directories). Each one says which files it installed (its
//! `RECORD`), hence which modules and data files it owns, and which entry-point groups it
//! registers plugins in (`entry_points.txt`). Third-party code is bundled per
//! distribution: these are the units.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::analysis::imports::is_identifier;
use crate::analysis::resolve::{Found, Root};

/// One installed distribution.
#[derive(Debug, Clone)]
pub struct Distribution {
    /// `Name:` from its METADATA.
    pub name: String,
    /// Index of the search root it is installed on.
    pub root: usize,
    /// Dotted names of its Python modules (packages by their `__init__.py`), sorted.
    pub modules: Vec<String>,
    /// Its other files inside its packages' directories (`/`-separated, relative to the
    /// root): package data.
    pub data: Vec<String>,
    /// Entry-point group → the plugin names it registers there.
    pub entry_points: BTreeMap<String, Vec<String>>,
    /// Its Python files, relative to the root, for finding a module's owner.
    code: BTreeSet<String>,
}

/// Launcher groups: read by installers, never by the program.
pub const LAUNCHER_GROUPS: &[&str] = &["console_scripts", "gui_scripts"];

/// Every distribution on the roots.
#[derive(Debug, Default)]
pub struct Index {
    pub dists: Vec<Distribution>,
}

impl Index {
    pub fn scan(roots: &[Root]) -> Self {
        let mut dists = Vec::new();
        for (index, root) in roots.iter().enumerate() {
            let Root::Dir(dir) = root else { continue };
            dists.extend(
                dist_info_dirs(dir)
                    .iter()
                    .map(|d| Distribution::read(dir, d, index)),
            );
        }
        Index { dists }
    }

    /// The distribution that installed a module (by its file on its root).
    pub fn owner(&self, found: &Found) -> Option<&Distribution> {
        if !matches!(found.source, crate::analysis::resolve::Source::File(_)) {
            return None;
        }
        self.dists
            .iter()
            .find(|d| d.root == found.root && d.code.contains(&found.origin))
    }

    /// A distribution by its name, compared as installers do (`Foo_Bar` = `foo-bar`).
    pub fn named(&self, name: &str) -> Option<&Distribution> {
        self.dists
            .iter()
            .find(|d| normalize(&d.name) == normalize(name))
    }
}

/// The `*.dist-info` directories in a search root, sorted.
pub fn dist_info_dirs(root: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && p.extension().is_some_and(|e| e == "dist-info"))
        .collect();
    dirs.sort();
    dirs
}

/// PEP 503 name normalization.
pub fn normalize(name: &str) -> String {
    name.to_ascii_lowercase().replace(['_', '.'], "-")
}

impl Distribution {
    fn read(root: &Path, dist_info: &Path, index: usize) -> Self {
        let files = match std::fs::read_to_string(dist_info.join("RECORD")) {
            Ok(record) => record_paths(&record),
            Err(_) => top_level_files(root, dist_info),
        };
        let mut modules = BTreeSet::new();
        let mut code = BTreeSet::new();
        let mut data = Vec::new();
        for path in files {
            if path.split('/').any(|part| part == "__pycache__") || path.ends_with(".pyc") {
                continue;
            }
            if let Some(stem) = path.strip_suffix(".py") {
                let mut parts: Vec<&str> = stem.split('/').collect();
                if parts.last() == Some(&"__init__") {
                    parts.pop();
                }
                if !parts.is_empty() && parts.iter().all(|p| is_identifier(p)) {
                    modules.insert(parts.join("."));
                    code.insert(path);
                }
            } else if path.contains('/')
                && ![".so", ".pyd", ".dylib", ".dll", ".pyo"]
                    .iter()
                    .any(|ext| path.ends_with(ext))
            {
                data.push(path);
            }
        }
        data.sort();
        Distribution {
            name: metadata_name(dist_info),
            root: index,
            modules: modules.into_iter().collect(),
            data,
            entry_points: std::fs::read_to_string(dist_info.join("entry_points.txt"))
                .map(|text| entry_point_groups(&text))
                .unwrap_or_default(),
            code,
        }
    }
}

/// The files a RECORD lists that live inside the root: not `../../bin/tool`, not the
/// `.dist-info` itself, not absolute paths.
fn record_paths(record: &str) -> Vec<String> {
    record
        .lines()
        .filter_map(|line| {
            // CSV: a path holding a comma is quoted.
            let path = match line.strip_prefix('"') {
                Some(rest) => rest.split('"').next()?,
                None => line.split(',').next()?,
            };
            let path = path.trim();
            let first = path.split('/').next().unwrap_or_default();
            let inside = !path.is_empty()
                && !path.starts_with('/')
                && !path.split('/').any(|p| p == "..")
                && !first.ends_with(".dist-info")
                && !first.ends_with(".data");
            inside.then(|| path.to_owned())
        })
        .collect()
}

/// Without a RECORD: the files under the names `top_level.txt` gives (a package
/// directory, or a module file).
fn top_level_files(root: &Path, dist_info: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(dist_info.join("top_level.txt")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for name in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let dir = root.join(name);
        if dir.is_dir() {
            let mut files = Vec::new();
            crate::build::files::walk_all(&dir, &mut files);
            out.extend(files.iter().map(|f| crate::build::files::rel_path(root, f)));
        } else if root.join(format!("{name}.py")).is_file() {
            out.push(format!("{name}.py"));
        }
    }
    out
}

/// `Name: pygments` from METADATA (falls back to the directory name).
pub fn metadata_name(dist_info: &Path) -> String {
    if let Ok(text) = std::fs::read_to_string(dist_info.join("METADATA")) {
        for line in text.lines() {
            if let Some(name) = line.strip_prefix("Name:") {
                return name.trim().to_owned();
            }
            if line.is_empty() {
                break;
            }
        }
    }
    let dir = dist_info.file_name().unwrap_or_default().to_string_lossy();
    dir.trim_end_matches(".dist-info")
        .split('-')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// `[group]` sections of `entry_points.txt`, each with its entry names.
fn entry_point_groups(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(group) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let group = group.trim().to_owned();
            groups.entry(group.clone()).or_default();
            current = Some(group);
        } else if let (Some(group), Some((name, _))) = (&current, line.split_once('=')) {
            groups
                .entry(group.clone())
                .or_default()
                .push(name.trim().to_owned());
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_keeps_files_inside_the_root() {
        let record = "pkg/__init__.py,sha256=x,10\n\
                      pkg/data/table.json,sha256=y,20\n\
                      \"pkg/odd,name.txt\",sha256=z,3\n\
                      pkg-1.0.dist-info/RECORD,,\n\
                      ../../bin/tool,sha256=w,5\n\
                      pkg/__pycache__/x.cpython-311.pyc,,\n";
        assert_eq!(
            record_paths(record),
            [
                "pkg/__init__.py",
                "pkg/data/table.json",
                "pkg/odd,name.txt",
                "pkg/__pycache__/x.cpython-311.pyc"
            ]
        );
    }

    #[test]
    fn entry_points_by_group() {
        let text = "[console_scripts]\ntool = pkg.cli:main\n\n[flake8.extension]\nB = bugbear:Checker\nC9 = mccabe:McCabe\n";
        let groups = entry_point_groups(text);
        assert_eq!(groups["flake8.extension"], ["B", "C9"]);
        assert_eq!(groups["console_scripts"], ["tool"]);
    }

    #[test]
    fn names_compare_normalized() {
        assert_eq!(normalize("Foo_Bar.baz"), normalize("foo-bar-baz"));
    }
}
