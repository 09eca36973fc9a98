//! The module graph: from the entry, every module it imports, transitively.
//!
//! Imports are read from the AST of RustPython's own parser (the one its compiler uses):
//! `import` and `from … import` statements anywhere — at module level, in functions and
//! classes, under `try`/`except` and `if` — including relative imports.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use freeze_payload::ModuleKind;
use rustpython_compiler::ast::{self, Stmt, visitor::Visitor};

use crate::stdlib;

/// Where modules are searched, in order.
#[derive(Debug, Clone)]
pub enum Root {
    /// A directory on disk: the entry's own directory, or a `--path`.
    Dir(PathBuf),
    /// RustPython's standard library, built into `freeze`.
    Stdlib,
}

/// Where a module's source comes from.
#[derive(Debug, Clone)]
pub enum Source {
    File(PathBuf),
    Stdlib(&'static [u8]),
}

/// A module found on a root.
#[derive(Debug, Clone)]
pub struct Found {
    pub name: String,
    pub kind: ModuleKind,
    /// Path relative to its root, `/`-separated.
    pub origin: String,
    pub source: Source,
    /// Index of the root it was found on.
    pub root: usize,
}

impl Found {
    /// The path to show a user in a message.
    pub fn display_path(&self) -> String {
        match &self.source {
            Source::File(path) => {
                let path = path.strip_prefix(".").unwrap_or(path);
                path.display().to_string()
            }
            Source::Stdlib(_) => format!("<stdlib>/{}", self.origin),
        }
    }

    /// Whether the module comes from the built-in standard library.
    pub fn is_stdlib(&self) -> bool {
        matches!(self.source, Source::Stdlib(_))
    }

    /// The package that relative imports in this module start from.
    pub fn package(&self) -> &str {
        match self.kind {
            ModuleKind::Package => &self.name,
            ModuleKind::Module => self.name.rsplit_once('.').map_or("", |(p, _)| p),
        }
    }
}

/// What an import name resolves to.
#[derive(Debug, Clone)]
pub enum Resolved {
    /// Provided by the VM itself (`sys`, `math`, `_json` …): nothing to bundle.
    Native,
    Found(Found),
    Missing,
}

/// An import statement's place, for messages.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Site {
    /// The importing module's path as shown to the user.
    pub file: String,
    pub line: usize,
    /// The importer is part of the standard library (whose platform-specific imports,
    /// such as `winreg`, are expected to be missing).
    pub stdlib: bool,
}

/// One import the AST asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// Absolute dotted name of the module imported (after resolving relative imports).
    pub module: String,
    /// Names after `from module import …`: each may be a submodule or an attribute.
    pub from_names: Vec<String>,
    pub line: usize,
}

/// Read the imports of a module's source. `package` is the package relative imports
/// start from (`""` for a top-level module). Sources that do not parse yield nothing:
/// the compiler reports their syntax errors.
pub fn imports_of(source: &str, package: &str) -> Vec<Import> {
    let Ok(parsed) = rustpython_compiler::parser::parse_module(source) else {
        return Vec::new();
    };
    let mut collector = ImportCollector {
        source,
        package,
        found: Vec::new(),
    };
    collector.visit_body(&parsed.syntax().body);
    collector.found
}

struct ImportCollector<'s> {
    source: &'s str,
    package: &'s str,
    found: Vec<Import>,
}

impl ImportCollector<'_> {
    fn line_at(&self, offset: impl Into<u32>) -> usize {
        let offset = (offset.into() as usize).min(self.source.len());
        self.source.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }
}

impl<'a> Visitor<'a> for ImportCollector<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(import) => {
                let line = self.line_at(import.range.start());
                for alias in &import.names {
                    self.found.push(Import {
                        module: alias.name.as_str().to_owned(),
                        from_names: Vec::new(),
                        line,
                    });
                }
            }
            Stmt::ImportFrom(import) => {
                let line = self.line_at(import.range.start());
                let module = import.module.as_ref().map(|m| m.as_str());
                let base = if import.level == 0 {
                    module.map(str::to_owned)
                } else {
                    resolve_relative(self.package, import.level, module)
                };
                // A relative import past the top-level package fails at run time as in
                // CPython; nothing to bundle for it.
                if let Some(module) = base {
                    let from_names = import
                        .names
                        .iter()
                        .map(|a| a.name.as_str().to_owned())
                        .filter(|n| n != "*")
                        .collect();
                    self.found.push(Import {
                        module,
                        from_names,
                        line,
                    });
                }
            }
            _ => {}
        }
        ast::visitor::walk_stmt(self, stmt);
    }
}

/// `from ..mod import x` inside `package`: the absolute name of `..mod`.
pub fn resolve_relative(package: &str, level: u32, module: Option<&str>) -> Option<String> {
    let mut parts: Vec<&str> = if package.is_empty() {
        Vec::new()
    } else {
        package.split('.').collect()
    };
    for _ in 1..level {
        parts.pop()?;
    }
    if parts.is_empty() {
        return None;
    }
    let mut base = parts.join(".");
    if let Some(module) = module {
        base.push('.');
        base.push_str(module);
    }
    Some(base)
}

/// Finds modules on the roots.
pub struct Resolver {
    pub roots: Vec<Root>,
}

impl Resolver {
    /// Resolve a dotted module name. Submodules are looked for on the root their
    /// top-level package was found on, as `__path__` would direct CPython.
    pub fn resolve(&self, name: &str) -> Resolved {
        if stdlib::native_modules().contains(name) {
            return Resolved::Native;
        }
        let top = name.split('.').next().unwrap_or(name);
        if top != name && stdlib::native_modules().contains(top) {
            // `os.path`-style names under a native module: an attribute, not a file.
            return Resolved::Native;
        }
        let root_index = if top == name {
            None
        } else {
            match self.resolve(top) {
                Resolved::Found(found) if found.kind == ModuleKind::Package => Some(found.root),
                _ => return Resolved::Missing,
            }
        };
        let rel: Vec<&str> = name.split('.').collect();
        let rel = rel.join("/");
        for (index, root) in self.roots.iter().enumerate() {
            if root_index.is_some_and(|r| r != index) {
                continue;
            }
            if let Some(found) = find_on_root(root, index, name, &rel) {
                return Resolved::Found(found);
            }
        }
        Resolved::Missing
    }
}

fn find_on_root(root: &Root, index: usize, name: &str, rel: &str) -> Option<Found> {
    let make = |kind, origin: String, source| Found {
        name: name.to_owned(),
        kind,
        origin,
        source,
        root: index,
    };
    match root {
        Root::Dir(dir) => {
            let init = dir.join(rel).join("__init__.py");
            if init.is_file() {
                return Some(make(
                    ModuleKind::Package,
                    format!("{rel}/__init__.py"),
                    Source::File(init),
                ));
            }
            let file = dir.join(format!("{rel}.py"));
            if file.is_file() {
                return Some(make(
                    ModuleKind::Module,
                    format!("{rel}.py"),
                    Source::File(file),
                ));
            }
            None
        }
        Root::Stdlib => {
            let init = format!("{rel}/__init__.py");
            if let Some(src) = stdlib::source(&init) {
                return Some(make(ModuleKind::Package, init, Source::Stdlib(src)));
            }
            let file = format!("{rel}.py");
            stdlib::source(&file).map(|src| make(ModuleKind::Module, file, Source::Stdlib(src)))
        }
    }
}

/// A module in the finished graph.
#[derive(Debug, Clone)]
pub struct Node {
    pub found: Found,
    /// Decoded source.
    pub text: String,
}

/// The whole program: every module reached, and every import that found nothing.
#[derive(Debug, Default)]
pub struct Graph {
    pub modules: BTreeMap<String, Node>,
    /// Missing module → where it was imported.
    pub missing: BTreeMap<String, BTreeSet<Site>>,
}

/// Reads (and decodes) a module's source.
pub fn read_source(found: &Found) -> Result<String, crate::Error> {
    let bytes: std::borrow::Cow<'_, [u8]> = match &found.source {
        Source::File(path) => std::fs::read(path)
            .map_err(|e| crate::Error::Read {
                path: path.clone(),
                source: e,
            })?
            .into(),
        Source::Stdlib(bytes) => (*bytes).into(),
    };
    Ok(crate::compile::decode_source(
        &bytes,
        &found.display_path(),
    )?)
}

/// Walk the imports from `roots_found` (the entry and anything else asked for).
pub fn build(resolver: &Resolver, start: Vec<Found>) -> Result<Graph, crate::Error> {
    let mut graph = Graph::default();
    let mut queue: VecDeque<Found> = start.into();
    let mut seen: BTreeSet<String> = queue.iter().map(|f| f.name.clone()).collect();

    while let Some(found) = queue.pop_front() {
        let text = read_source(&found)?;
        let package = found.package().to_owned();
        let file = found.display_path();
        let stdlib = found.is_stdlib();
        let mut want = |name: String, line: usize, must_exist: bool, graph: &mut Graph| {
            if seen.contains(&name) {
                return;
            }
            match resolver.resolve(&name) {
                Resolved::Native => {
                    seen.insert(name);
                }
                Resolved::Found(found) => {
                    seen.insert(name);
                    queue.push_back(found);
                }
                Resolved::Missing if must_exist => {
                    graph.missing.entry(name).or_default().insert(Site {
                        file: file.clone(),
                        line,
                        stdlib,
                    });
                }
                Resolved::Missing => {}
            }
        };
        for import in imports_of(&text, &package) {
            // `import a.b.c` imports a, a.b and a.b.c.
            let parts: Vec<&str> = import.module.split('.').collect();
            for i in 1..=parts.len() {
                let name = parts[..i].join(".");
                if graph.missing.contains_key(&name) {
                    graph.missing.get_mut(&name).unwrap().insert(Site {
                        file: file.clone(),
                        line: import.line,
                        stdlib,
                    });
                    break;
                }
                want(name, import.line, true, &mut graph);
            }
            // `from pkg import x`: x is a submodule when one exists, else an attribute.
            let module_found = !graph.missing.contains_key(&import.module);
            if module_found {
                for from_name in &import.from_names {
                    want(
                        format!("{}.{from_name}", import.module),
                        import.line,
                        false,
                        &mut graph,
                    );
                }
            }
        }
        graph
            .modules
            .insert(found.name.clone(), Node { found, text });
    }
    Ok(graph)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_imports_everywhere() {
        let src = "\
import os, json.decoder
from collections import OrderedDict
def f():
    import argparse
class C:
    from re import compile
try:
    import fast
except ImportError:
    fast = None
if True:
    from . import sibling
    from ..up import thing
from .sub.mod import *
";
        let imports = imports_of(src, "pkg.inner");
        let names: Vec<_> = imports
            .iter()
            .map(|i| (i.module.as_str(), i.line))
            .collect();
        assert_eq!(
            names,
            [
                ("os", 1),
                ("json.decoder", 1),
                ("collections", 2),
                ("argparse", 4),
                ("re", 6),
                ("fast", 8),
                ("pkg.inner", 12),
                ("pkg.up", 13),
                ("pkg.inner.sub.mod", 14),
            ]
        );
        assert_eq!(imports[6].from_names, ["sibling"]);
        assert!(imports[8].from_names.is_empty());
    }

    #[test]
    fn relative_names() {
        assert_eq!(
            resolve_relative("a.b", 1, Some("c")).as_deref(),
            Some("a.b.c")
        );
        assert_eq!(resolve_relative("a.b", 2, None).as_deref(), Some("a"));
        assert_eq!(resolve_relative("a", 2, Some("x")), None);
        assert_eq!(resolve_relative("", 1, Some("x")), None);
    }
}
