//! Installed distributions: the `*.dist-info` directories on the search roots (a venv's
//! site-packages, `--path` directories). This module is the one reader of them: each says
//! which files it installed ([`record`]), hence which modules and data files it owns, its
//! name, version and licences ([`metadata`]), the entry-point groups it registers plugins
//! in ([`entry_points`]), and whether it is an editable install pointing at a source tree
//! ([`editable`]). Third-party code is bundled per distribution: these are the units.

pub mod editable;
pub mod entry_points;
pub mod metadata;
pub mod record;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::analysis::resolve::{Found, Root};
use crate::build::files::{rel_path, walk_all};
use editable::DirectUrl;
use entry_points::EntryPoint;
use metadata::Metadata;

/// One installed distribution.
#[derive(Debug, Clone)]
pub struct Distribution {
    /// `Name:` from its METADATA (else from the directory's name).
    pub name: String,
    /// Its METADATA's fields.
    pub metadata: Metadata,
    /// Index of the search root it is installed on (where its `.dist-info` is).
    pub root: usize,
    /// Index of the search root its modules and data are on: its own root, or for an
    /// editable install the source directory its `.pth` file or finder points at.
    pub code_root: usize,
    /// Its `.dist-info` directory.
    pub dist_info: PathBuf,
    /// Dotted names of its Python modules (packages by their `__init__.py`), sorted.
    pub modules: Vec<String>,
    /// Its other files inside its packages' directories (`/`-separated, relative to the
    /// code root): package data.
    pub data: Vec<String>,
    /// The files of its `.dist-info` that travel with it (`/`-separated, relative to the
    /// root): METADATA, RECORD, entry points, licences.
    pub metadata_files: Vec<String>,
    /// The top-level names it provides (`top_level.txt`, else its RECORD's first parts).
    pub top_level: BTreeSet<String>,
    /// Entry-point group → its entries there.
    pub entry_points: BTreeMap<String, Vec<EntryPoint>>,
    /// `direct_url.json`, when an installer wrote one.
    pub direct_url: Option<DirectUrl>,
    /// The `.pth` files and setuptools `__editable__` finder modules its RECORD lists
    /// (paths relative to the root): how an editable install points at its source.
    pub editable_hooks: Vec<String>,
    /// Its Python files, relative to the code root, for finding a module's owner.
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
            for dist_info in dist_info_dirs(dir) {
                let mut dist = Distribution::read(dir, &dist_info, index);
                dist.find_source_tree(roots);
                dists.push(dist);
            }
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
            .find(|d| d.code_root == found.root && d.code.contains(&found.origin))
    }

    /// A distribution by its name, compared as installers do (`Foo_Bar` = `foo-bar`).
    pub fn named(&self, name: &str) -> Option<&Distribution> {
        self.dists
            .iter()
            .find(|d| normalize(&d.name) == normalize(name))
    }
}

/// The `*.dist-info` directories in a search root, sorted.
fn dist_info_dirs(root: &Path) -> Vec<PathBuf> {
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

/// Files that are code, caches or build leftovers, never data.
pub fn is_code_or_cache(name: &str) -> bool {
    [".py", ".pyc", ".pyo", ".so", ".pyd", ".dylib", ".dll"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// A file or directory name `importlib.import_module` can reach as a module name part:
/// any name without a dot or white space (`unicode17-0-0` of rich is loaded by a computed
/// name, though no `import` statement could name it).
fn is_importable(part: &str) -> bool {
    !part.is_empty() && !part.contains(['.', ' ', '\t'])
}

/// What a distribution's files are: modules (with the files that hold them) and data.
#[derive(Default)]
struct Files {
    modules: BTreeSet<String>,
    code: BTreeSet<String>,
    data: Vec<String>,
}

impl Files {
    fn sort(paths: Vec<String>) -> Self {
        let mut out = Files::default();
        for path in paths {
            if path.split('/').any(|part| part == "__pycache__") || path.ends_with(".pyc") {
                continue;
            }
            if let Some(stem) = path.strip_suffix(".py") {
                let mut parts: Vec<&str> = stem.split('/').collect();
                if parts.last() == Some(&"__init__") {
                    parts.pop();
                }
                if !parts.is_empty() && parts.iter().all(|p| is_importable(p)) {
                    out.modules.insert(parts.join("."));
                    out.code.insert(path);
                }
            } else if path.contains('/')
                && ![".so", ".pyd", ".dylib", ".dll", ".pyo"]
                    .iter()
                    .any(|ext| path.ends_with(ext))
            {
                out.data.push(path);
            }
        }
        out.data.sort();
        out
    }
}

impl Distribution {
    fn read(root: &Path, dist_info: &Path, index: usize) -> Self {
        let record = std::fs::read_to_string(dist_info.join("RECORD")).ok();
        let paths = match &record {
            Some(record) => record::paths_inside(record),
            None => top_level_files(root, dist_info),
        };
        let top_level = top_level_names(dist_info, &paths);
        let editable_hooks = paths
            .iter()
            .filter(|p| !p.contains('/'))
            .filter(|p| {
                p.ends_with(".pth") || (p.starts_with("__editable__") && p.ends_with(".py"))
            })
            .cloned()
            .collect();
        let files = Files::sort(paths);
        let metadata = std::fs::read(dist_info.join("METADATA"))
            .map(|bytes| Metadata::parse(&bytes))
            .unwrap_or_default();
        Distribution {
            name: metadata
                .name
                .clone()
                .unwrap_or_else(|| name_of_dir(dist_info)),
            metadata,
            root: index,
            code_root: index,
            dist_info: dist_info.to_path_buf(),
            modules: files.modules.into_iter().collect(),
            data: files.data,
            metadata_files: metadata_files(root, dist_info),
            top_level,
            entry_points: std::fs::read_to_string(dist_info.join("entry_points.txt"))
                .map(|text| entry_points::parse(&text))
                .unwrap_or_default(),
            direct_url: std::fs::read_to_string(dist_info.join("direct_url.json"))
                .ok()
                .and_then(|text| DirectUrl::parse(&text)),
            editable_hooks,
            code: files.code,
        }
    }

    /// The names it registers in an entry-point group.
    pub fn entry_point_names(&self, group: &str) -> impl Iterator<Item = &str> {
        self.entry_points
            .get(group)
            .into_iter()
            .flatten()
            .map(|e| e.name.as_str())
    }
}

impl Distribution {
    /// Whether an installer marked it editable, or its RECORD lists a hook that points
    /// at a source tree.
    pub fn is_editable(&self) -> bool {
        self.direct_url.as_ref().is_some_and(|u| u.editable) || !self.editable_hooks.is_empty()
    }

    /// An editable install's modules are in its source tree, which its hooks put on the
    /// path as another root: find that root and read the modules of its top-level names
    /// from it.
    fn find_source_tree(&mut self, roots: &[Root]) {
        let hook_modules: Vec<&str> = self
            .editable_hooks
            .iter()
            .filter_map(|h| h.strip_suffix(".py"))
            .collect();
        if self.editable_hooks.is_empty()
            || self
                .modules
                .iter()
                .any(|m| !hook_modules.contains(&m.as_str()))
        {
            return;
        }
        let Root::Dir(site) = &roots[self.root] else {
            return;
        };
        let dirs: Vec<PathBuf> = self
            .editable_hooks
            .iter()
            .flat_map(|hook| source_dirs(&site.join(hook)))
            .collect();
        let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let found = roots.iter().enumerate().find_map(|(i, root)| match root {
            Root::Dir(dir)
                if i != self.root && dirs.iter().any(|d| canonical(d) == canonical(dir)) =>
            {
                Some((i, dir))
            }
            _ => None,
        });
        let Some((index, dir)) = found else { return };
        let names = editable::project_packages(dir, &self.name, &self.top_level);
        let mut paths = Vec::new();
        for name in &names {
            let mut files = Vec::new();
            if dir.join(name).is_dir() {
                walk_all(&dir.join(name), &mut files);
            } else {
                files.push(dir.join(format!("{name}.py")));
            }
            paths.extend(files.iter().map(|f| rel_path(dir, f)));
        }
        let files = Files::sort(paths);
        self.code_root = index;
        self.modules = files.modules.into_iter().collect();
        self.data = files.data;
        self.code = files.code;
        self.top_level.extend(names);
    }
}

/// The directories an editable hook (a `.pth` file or a finder module) points at.
fn source_dirs(hook: &Path) -> Vec<PathBuf> {
    if hook.extension().is_some_and(|e| e == "pth") {
        return editable::pth_dirs(hook);
    }
    let source = std::fs::read_to_string(hook).unwrap_or_default();
    editable::finder_mapping(&source)
        .into_values()
        .filter_map(|target| target.parent().map(Path::to_path_buf))
        .collect()
}

/// `pygments` of `pygments-2.17.2.dist-info`.
fn name_of_dir(dist_info: &Path) -> String {
    let dir = dist_info.file_name().unwrap_or_default().to_string_lossy();
    dir.trim_end_matches(".dist-info")
        .split('-')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Names provided at the top level: `top_level.txt`, else the first part of each path
/// its RECORD lists (a module's without `.py`).
fn top_level_names(dist_info: &Path, paths: &[String]) -> BTreeSet<String> {
    if let Ok(text) = std::fs::read_to_string(dist_info.join("top_level.txt")) {
        return text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
    }
    paths
        .iter()
        .filter_map(|path| path.split('/').next())
        .map(|first| first.trim_end_matches(".py").to_owned())
        .filter(|n| !n.is_empty() && !n.contains('.'))
        .collect()
}

/// The `.dist-info`'s own files that are not code or caches, relative to the root.
fn metadata_files(root: &Path, dist_info: &Path) -> Vec<String> {
    let mut files = Vec::new();
    walk_all(dist_info, &mut files);
    files
        .iter()
        .map(|f| rel_path(root, f))
        .filter(|p| !p.split('/').any(|part| part == "__pycache__"))
        .filter(|p| !is_code_or_cache(p))
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
            walk_all(&dir, &mut files);
            out.extend(files.iter().map(|f| rel_path(root, f)));
        } else if root.join(format!("{name}.py")).is_file() {
            out.push(format!("{name}.py"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_normalized() {
        assert_eq!(normalize("Foo_Bar.baz"), normalize("foo-bar-baz"));
    }

    #[test]
    fn a_distribution_read_from_its_dist_info() {
        let root = tempfile::tempdir().unwrap();
        let info = root.path().join("pkg-1.0.dist-info");
        std::fs::create_dir_all(info.join("licenses")).unwrap();
        std::fs::write(
            info.join("METADATA"),
            "Name: Pkg\nVersion: 1.0\nLicense-File: LICENSE\n",
        )
        .unwrap();
        std::fs::write(info.join("licenses/LICENSE"), "MIT").unwrap();
        std::fs::write(
            info.join("RECORD"),
            "pkg/__init__.py,,\npkg/data.txt,,\npkg/bad-name.py,,\n_pkg.pth,,\npkg-1.0.dist-info/RECORD,,\n",
        )
        .unwrap();
        std::fs::write(
            info.join("entry_points.txt"),
            "[console_scripts]\npkg = pkg:main\n",
        )
        .unwrap();
        let dist = Distribution::read(root.path(), &info, 0);
        assert_eq!(dist.name, "Pkg");
        assert_eq!(dist.metadata.version.as_deref(), Some("1.0"));
        assert_eq!(dist.modules, ["pkg", "pkg.bad-name"]);
        assert_eq!(dist.data, ["pkg/data.txt"]);
        assert_eq!(dist.editable_hooks, ["_pkg.pth"]);
        assert_eq!(dist.top_level.iter().collect::<Vec<_>>(), ["pkg"]);
        assert_eq!(
            dist.entry_point_names("console_scripts")
                .collect::<Vec<_>>(),
            ["pkg"]
        );
        assert_eq!(
            dist.metadata_files,
            [
                "pkg-1.0.dist-info/METADATA",
                "pkg-1.0.dist-info/RECORD",
                "pkg-1.0.dist-info/entry_points.txt",
                "pkg-1.0.dist-info/licenses/LICENSE"
            ]
        );
    }
}
