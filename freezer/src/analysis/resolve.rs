//! Finding modules: the search roots (the entry's directory, `--path`, the venv's
//! site-packages, the built-in standard library) and what a dotted name resolves to on
//! them, as CPython's path finder would answer at run time.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use freeze_payload::ModuleKind;

use crate::analysis::imports::is_identifier;
use crate::analysis::stdlib;
use crate::build::source::{SourceError, decode_source};

/// Where modules are searched, in order.
#[derive(Debug, Clone)]
pub enum Root {
    /// A directory on disk: the entry's own directory, a `--path`, a venv's site-packages.
    Dir(PathBuf),
    /// RustPython's standard library, built into `freeze`.
    Stdlib,
}

/// Where a module's source comes from.
#[derive(Debug, Clone)]
pub enum Source {
    File(PathBuf),
    Stdlib(&'static [u8]),
    /// A namespace package has no source.
    None,
    /// Source written by freeze itself (the `__main__` of a `--entry module:function`).
    Generated(String),
}

/// A module found on a root.
#[derive(Debug, Clone)]
pub struct Found {
    pub name: String,
    pub kind: ModuleKind,
    /// Path relative to its root, `/`-separated (for a namespace package: its directory).
    pub origin: String,
    pub source: Source,
    /// Index of the root it was found on.
    pub root: usize,
}

impl Found {
    /// The path to show a user in a message.
    pub fn display_path(&self) -> String {
        match &self.source {
            Source::File(path) => display(path),
            Source::Stdlib(_) => format!("<stdlib>/{}", self.origin),
            Source::None | Source::Generated(_) => self.origin.clone(),
        }
    }

    /// Whether the module comes from the built-in standard library.
    pub fn is_stdlib(&self) -> bool {
        matches!(self.source, Source::Stdlib(_))
    }

    /// The package that relative imports in this module start from.
    pub fn package(&self) -> &str {
        match self.kind {
            ModuleKind::Package | ModuleKind::Namespace => &self.name,
            ModuleKind::Module => self.name.rsplit_once('.').map_or("", |(p, _)| p),
        }
    }
}

/// A path as shown to a user: relative to the current directory when below it, without
/// a leading `./`.
pub fn display(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let path = match cwd.as_deref().and_then(|cwd| path.strip_prefix(cwd).ok()) {
        Some(rel) if !rel.as_os_str().is_empty() => rel,
        _ => path,
    };
    let shown = path.strip_prefix(".").unwrap_or(path).display().to_string();
    if shown.is_empty() {
        ".".to_owned()
    } else {
        shown
    }
}

/// What an import name resolves to.
#[derive(Debug, Clone)]
pub enum Resolved {
    /// Provided by the VM itself (`sys`, `math`, `_json` …): nothing to bundle.
    Native,
    Found(Found),
    /// A compiled extension module (`.so`, `.pyd`) RustPython cannot load.
    Extension(PathBuf),
    /// Left out with `--exclude`.
    Excluded,
    Missing,
}

/// Finds modules on the roots. Each name is looked up on disk once per build (a
/// submodule's lookup starts from its parent's answer).
pub struct Resolver {
    pub roots: Vec<Root>,
    /// Modules (and their submodules) never bundled.
    pub excludes: BTreeSet<String>,
    /// The first `own_roots` roots hold the program's own source (the entry's directory,
    /// `--path`, the project's `src/`); the others, installed distributions and the
    /// standard library.
    pub own_roots: usize,
    answers: Mutex<HashMap<String, Resolved>>,
}

impl Resolver {
    pub fn new(roots: Vec<Root>, excludes: BTreeSet<String>) -> Self {
        Resolver {
            roots,
            excludes,
            own_roots: 0,
            answers: Mutex::default(),
        }
    }

    /// The same resolver, with the first `own_roots` roots the program's own.
    pub fn with_own_roots(mut self, own_roots: usize) -> Self {
        self.own_roots = own_roots;
        self
    }

    pub fn is_excluded(&self, name: &str) -> bool {
        self.excludes.iter().any(|ex| {
            name == ex
                || name
                    .strip_prefix(ex.as_str())
                    .is_some_and(|r| r.starts_with('.'))
        })
    }

    /// Resolve a dotted module name. Submodules are looked for where their parent
    /// package was found, as `__path__` would direct CPython (a namespace package may
    /// span several roots).
    pub fn resolve(&self, name: &str) -> Resolved {
        if let Some(known) = self.answers.lock().expect("not poisoned").get(name) {
            return known.clone();
        }
        let answer = self.look_up(name);
        self.answers
            .lock()
            .expect("not poisoned")
            .insert(name.to_owned(), answer.clone());
        answer
    }

    fn look_up(&self, name: &str) -> Resolved {
        if self.is_excluded(name) {
            return Resolved::Excluded;
        }
        if stdlib::native_modules().contains(name) {
            return Resolved::Native;
        }
        let parent = name.rsplit_once('.').map(|(p, _)| p);
        let allowed: Option<Vec<usize>> = match parent {
            None => None,
            Some(parent) => match self.resolve(parent) {
                Resolved::Found(found) => match found.kind {
                    ModuleKind::Package => Some(vec![found.root]),
                    ModuleKind::Namespace => Some(self.namespace_roots(parent)),
                    // `os.path`: a plain module that puts its "submodule" into
                    // sys.modules itself; nothing to bundle.
                    ModuleKind::Module => return Resolved::Native,
                },
                // A submodule of a native module is an attribute of it.
                Resolved::Native => return Resolved::Native,
                other => return other,
            },
        };
        let rel = name.replace('.', "/");
        let mut namespace = None;
        for (index, root) in self.roots.iter().enumerate() {
            if allowed.as_ref().is_some_and(|a| !a.contains(&index)) {
                continue;
            }
            match find_on_root(root, index, name, &rel) {
                Some(RootHit::Module(found)) => return Resolved::Found(found),
                Some(RootHit::Extension(path)) => return Resolved::Extension(path),
                Some(RootHit::Namespace(found)) => {
                    namespace.get_or_insert(found);
                }
                None => {}
            }
        }
        match namespace {
            Some(found) => Resolved::Found(found),
            None => Resolved::Missing,
        }
    }

    fn namespace_roots(&self, name: &str) -> Vec<usize> {
        let rel = name.replace('.', "/");
        self.roots
            .iter()
            .enumerate()
            .filter(|(_, root)| matches!(root, Root::Dir(dir) if dir.join(&rel).is_dir()))
            .map(|(i, _)| i)
            .collect()
    }

    /// Every module below a package (for `--include pkg`), sorted.
    pub fn submodules(&self, package: &Found) -> Vec<String> {
        let mut names = BTreeSet::new();
        let rel = package.name.replace('.', "/");
        let roots: Vec<usize> = match package.kind {
            ModuleKind::Module => return Vec::new(),
            ModuleKind::Package => vec![package.root],
            ModuleKind::Namespace => self.namespace_roots(&package.name),
        };
        for index in roots {
            match &self.roots[index] {
                Root::Dir(dir) => walk_package(&dir.join(&rel), &package.name, &mut names),
                Root::Stdlib => {
                    for path in stdlib::paths_under(&format!("{rel}/")) {
                        let module = path.trim_end_matches(".py").trim_end_matches("/__init__");
                        names.insert(module.replace('/', "."));
                    }
                }
            }
        }
        names.remove(&package.name);
        names.into_iter().collect()
    }
}

fn walk_package(dir: &Path, name: &str, out: &mut BTreeSet<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let file = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if is_identifier(&file) {
                walk_package(&path, &format!("{name}.{file}"), out);
                out.insert(format!("{name}.{file}"));
            }
        } else if let Some(stem) = file.strip_suffix(".py")
            && is_identifier(stem)
        {
            out.insert(if stem == "__init__" {
                name.to_owned()
            } else {
                format!("{name}.{stem}")
            });
        }
    }
}

enum RootHit {
    Module(Found),
    Namespace(Found),
    Extension(PathBuf),
}

/// A compiled extension for `rel` (`pkg/_speedups.cpython-311-x86_64-linux-gnu.so`).
fn extension_file(dir: &Path, rel: &str) -> Option<PathBuf> {
    let path = dir.join(rel);
    let (parent, stem) = (path.parent()?, path.file_name()?.to_str()?);
    let entries = std::fs::read_dir(parent).ok()?;
    let mut hits: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let Some(file) = p.file_name().and_then(|f| f.to_str()) else {
                return false;
            };
            let Some(rest) = file.strip_prefix(stem) else {
                return false;
            };
            [".so", ".pyd"].iter().any(|ext| {
                rest == *ext
                    || (rest.starts_with('.') && rest.ends_with(ext) && !rest[1..].contains('/'))
            })
        })
        .collect();
    hits.sort();
    hits.into_iter().next()
}

fn find_on_root(root: &Root, index: usize, name: &str, rel: &str) -> Option<RootHit> {
    let make = |kind, origin: String, source| Found {
        name: name.to_owned(),
        kind,
        origin,
        source,
        root: index,
    };
    // A package's `__init__.py` before a module's file, as CPython's path finder looks.
    let candidates = [
        (ModuleKind::Package, format!("{rel}/__init__.py")),
        (ModuleKind::Module, format!("{rel}.py")),
    ];
    for (kind, origin) in candidates {
        let source = match root {
            Root::Dir(dir) => Some(dir.join(&origin))
                .filter(|path| path.is_file())
                .map(Source::File),
            Root::Stdlib => stdlib::source(&origin).map(Source::Stdlib),
        };
        if let Some(source) = source {
            return Some(RootHit::Module(make(kind, origin, source)));
        }
    }
    let Root::Dir(dir) = root else {
        return None;
    };
    if let Some(ext) = extension_file(dir, rel) {
        return Some(RootHit::Extension(ext));
    }
    if dir.join(rel).is_dir() && rel.rsplit('/').next().is_some_and(is_identifier) {
        return Some(RootHit::Namespace(make(
            ModuleKind::Namespace,
            rel.to_owned(),
            Source::None,
        )));
    }
    None
}

/// A module's source that could not be read.
#[derive(thiserror::Error, Debug)]
pub enum ReadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Decode(#[from] SourceError),
}

impl Found {
    /// The module's source, decoded as CPython decodes it (a namespace package: empty).
    pub fn read(&self) -> Result<String, ReadError> {
        let bytes: std::borrow::Cow<'_, [u8]> = match &self.source {
            Source::File(path) => std::fs::read(path)
                .map_err(|source| ReadError::Io {
                    path: path.clone(),
                    source,
                })?
                .into(),
            Source::Stdlib(bytes) => (*bytes).into(),
            Source::None => return Ok(String::new()),
            Source::Generated(text) => return Ok(text.clone()),
        };
        Ok(decode_source(&bytes, &self.display_path())?)
    }
}

/// The entry as a module: a script (`app.py`) becomes `__main__` with its file name as
/// origin, on the root of its directory.
pub fn script_entry(path: &Path) -> Found {
    let origin = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Found {
        name: freeze_payload::SCRIPT_MAIN.to_owned(),
        kind: ModuleKind::Module,
        origin,
        source: Source::File(path.to_path_buf()),
        root: 0,
    }
}
