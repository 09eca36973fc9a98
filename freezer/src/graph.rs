//! The module graph: from the entry, every module it imports, transitively.
//!
//! Imports are read from the AST of RustPython's own parser (the one its compiler uses):
//! `import` and `from … import` statements anywhere — at module level, in functions and
//! classes, under `try`/`except` and `if` — including relative imports, plus
//! `importlib.import_module("literal")` and `__import__("literal")`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use freeze_payload::ModuleKind;
use rustpython_compiler::ast::{self, Expr, Stmt, visitor::Visitor};

use crate::stdlib;

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

/// A path as shown to a user: without a leading `./`.
pub fn display(path: &Path) -> String {
    path.strip_prefix(".").unwrap_or(path).display().to_string()
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

/// An import statement's place, for messages.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Site {
    /// The importing module's path as shown to the user.
    pub file: String,
    pub line: usize,
    /// The importer is part of the standard library (whose platform-specific imports,
    /// such as `winreg`, are expected to be missing).
    pub stdlib: bool,
}

/// One import the AST asks for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Import {
    /// Absolute dotted name of the module imported (after resolving relative imports).
    pub module: String,
    /// Names after `from module import …`: each may be a submodule or an attribute.
    pub from_names: Vec<String>,
    pub line: usize,
    /// Inside the body of a `try` (so an ImportError there may be handled).
    pub in_try: bool,
    /// Named as a resource anchor (`importlib.resources.files("pkg.data")`): bundled when
    /// it exists, no warning when it does not.
    pub optional: bool,
}

/// What a module's source asks to import.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Imports {
    pub imports: Vec<Import>,
    /// Lines of `import_module(...)`/`__import__(...)` calls whose name is not a literal.
    pub dynamic_lines: Vec<usize>,
}

/// Read the imports of a module's source. `package` is the package relative imports
/// start from (`""` for a top-level module). Sources that do not parse yield nothing:
/// the compiler reports their syntax errors.
pub fn imports_of(source: &str, package: &str) -> Imports {
    let Ok(parsed) = rustpython_compiler::parser::parse_module(source) else {
        return Imports::default();
    };
    let mut collector = ImportCollector {
        source,
        package,
        try_depth: 0,
        found: Imports::default(),
    };
    collector.visit_body(&parsed.syntax().body);
    collector.found
}

struct ImportCollector<'s> {
    source: &'s str,
    package: &'s str,
    try_depth: usize,
    found: Imports,
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

    fn push(&mut self, module: String, from_names: Vec<String>, line: usize) {
        self.found.imports.push(Import {
            module,
            from_names,
            line,
            in_try: self.try_depth > 0,
            optional: false,
        });
    }

    /// `importlib.resources.files("pkg")`, `resources.read_text("pkg", …)`,
    /// `pkgutil.get_data("pkg", …)`: the literal anchor package must travel (with its data).
    fn resource_anchor(&mut self, call: &ast::ExprCall) {
        const FUNCTIONS: &[&str] = &[
            "files",
            "read_text",
            "read_binary",
            "open_text",
            "open_binary",
            "path",
            "contents",
            "is_resource",
            "get_data",
        ];
        let (name, qualifier) = match call.func.as_ref() {
            Expr::Name(name) => (name.id.as_str(), None),
            Expr::Attribute(attr) => (attr.attr.as_str(), Some(attr.value.as_ref())),
            _ => return,
        };
        if !FUNCTIONS.contains(&name) {
            return;
        }
        let qualified_ok = match qualifier {
            None => name != "path" && name != "contents",
            Some(Expr::Name(n)) => matches!(
                n.id.as_str(),
                "resources" | "pkgutil" | "importlib_resources"
            ),
            Some(Expr::Attribute(a)) => a.attr.as_str() == "resources",
            Some(_) => false,
        };
        if !qualified_ok {
            return;
        }
        if let Some(Expr::StringLiteral(s)) = call.arguments.args.first() {
            let anchor = s.value.to_str();
            if !anchor.is_empty() && anchor.split('.').all(is_identifier) {
                let line = self.line_at(call.range_start);
                self.found.imports.push(Import {
                    module: anchor.to_owned(),
                    from_names: Vec::new(),
                    line,
                    in_try: self.try_depth > 0,
                    optional: true,
                });
            }
        }
    }

    /// `importlib.import_module("x")`, `import_module(".x", package="p")`, `__import__("x")`.
    fn dynamic_import(&mut self, call: &ast::ExprCall) {
        let is_import_call = match call.func.as_ref() {
            Expr::Name(name) => matches!(name.id.as_str(), "__import__" | "import_module"),
            Expr::Attribute(attr) => {
                attr.attr.as_str() == "import_module"
                    && matches!(attr.value.as_ref(), Expr::Name(n) if n.id.as_str() == "importlib")
            }
            _ => false,
        };
        // `importlib.util.find_spec("html.parser")`: the module is wanted if it exists.
        let is_find_spec = match call.func.as_ref() {
            Expr::Name(name) => name.id.as_str() == "find_spec",
            Expr::Attribute(attr) => {
                attr.attr.as_str() == "find_spec"
                    && match attr.value.as_ref() {
                        Expr::Name(n) => n.id.as_str() == "util",
                        Expr::Attribute(a) => a.attr.as_str() == "util",
                        _ => false,
                    }
            }
            _ => false,
        };
        if is_find_spec {
            if let Some(Expr::StringLiteral(s)) = call.arguments.args.first() {
                let name = s.value.to_str();
                if !name.is_empty() && name.split('.').all(is_identifier) {
                    let line = self.line_at(call.range_start);
                    self.found.imports.push(Import {
                        module: name.to_owned(),
                        from_names: Vec::new(),
                        line,
                        in_try: true,
                        optional: true,
                    });
                }
            }
            return;
        }
        if !is_import_call {
            return;
        }
        let line = self.line_at(call.range_start);
        let literal = |e: &Expr| match e {
            Expr::StringLiteral(s) => Some(s.value.to_str().to_owned()),
            _ => None,
        };
        let Some(name) = call.arguments.args.first().and_then(literal) else {
            self.found.dynamic_lines.push(line);
            return;
        };
        let package = call
            .arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "package"))
            .map(|k| literal(&k.value))
            .or_else(|| call.arguments.args.get(1).map(literal));
        let module = match name.strip_prefix('.') {
            None => Some(name.clone()),
            Some(_) => {
                let level = name.chars().take_while(|&c| c == '.').count() as u32;
                let rest = name.trim_start_matches('.');
                match package {
                    Some(Some(package)) => {
                        resolve_relative(&package, level, (!rest.is_empty()).then_some(rest))
                    }
                    _ => None,
                }
            }
        };
        match module {
            Some(module) if !module.is_empty() => self.push(module, Vec::new(), line),
            _ => self.found.dynamic_lines.push(line),
        }
    }
}

impl<'a> Visitor<'a> for ImportCollector<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(import) => {
                let line = self.line_at(import.range.start());
                for alias in &import.names {
                    self.push(alias.name.as_str().to_owned(), Vec::new(), line);
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
                    self.push(module, from_names, line);
                }
            }
            Stmt::Try(t) => {
                self.try_depth += 1;
                self.visit_body(&t.body);
                self.try_depth -= 1;
                for handler in &t.handlers {
                    self.visit_except_handler(handler);
                }
                self.visit_body(&t.orelse);
                self.visit_body(&t.finalbody);
                return;
            }
            _ => {}
        }
        ast::visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            self.dynamic_import(call);
            self.resource_anchor(call);
        }
        ast::visitor::walk_expr(self, expr);
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
    /// Modules (and their submodules) never bundled.
    pub excludes: BTreeSet<String>,
}

impl Resolver {
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

pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
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
    match root {
        Root::Dir(dir) => {
            let init = dir.join(rel).join("__init__.py");
            if init.is_file() {
                let origin = format!("{rel}/__init__.py");
                return Some(RootHit::Module(make(
                    ModuleKind::Package,
                    origin,
                    Source::File(init),
                )));
            }
            let file = dir.join(format!("{rel}.py"));
            if file.is_file() {
                let origin = format!("{rel}.py");
                return Some(RootHit::Module(make(
                    ModuleKind::Module,
                    origin,
                    Source::File(file),
                )));
            }
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
        Root::Stdlib => {
            let init = format!("{rel}/__init__.py");
            if let Some(src) = stdlib::source(&init) {
                return Some(RootHit::Module(make(
                    ModuleKind::Package,
                    init,
                    Source::Stdlib(src),
                )));
            }
            let file = format!("{rel}.py");
            stdlib::source(&file)
                .map(|src| RootHit::Module(make(ModuleKind::Module, file, Source::Stdlib(src))))
        }
    }
}

/// A module in the finished graph.
#[derive(Debug, Clone)]
pub struct Node {
    pub found: Found,
    /// Decoded source.
    pub text: String,
    /// Who first pulled it in (None for the entry and `--include`d modules).
    pub importer: Option<(String, Site)>,
    /// Reached only through optional edges (a whole distribution's other modules, a
    /// standard-library family): its failures are CPython's only if it is imported.
    pub optional: bool,
}

/// An import of a compiled extension that RustPython cannot load.
#[derive(Debug, Clone)]
pub struct ExtensionImport {
    pub module: String,
    pub file: PathBuf,
    pub site: Site,
    /// Importers from the entry down to the module that imports the extension.
    pub chain: Vec<String>,
    /// The import sits in a `try` body: the importer may have a fallback.
    pub guarded: bool,
}

/// The whole program: every module reached, and every import that found nothing.
#[derive(Debug, Default)]
pub struct Graph {
    pub modules: BTreeMap<String, Node>,
    /// Missing module → where it was imported.
    pub missing: BTreeMap<String, BTreeSet<Site>>,
    /// Excluded module → where it was imported.
    pub excluded: BTreeMap<String, BTreeSet<Site>>,
    pub extensions: Vec<ExtensionImport>,
    /// `import_module(name)` calls whose name is computed at run time.
    pub dynamic: Vec<Site>,
    /// Modules the VM provides natively that the program reaches (`time`, `_codecs` …).
    pub native: BTreeSet<String>,
    /// Imports of optional modules that found nothing: not warnings, since CPython fails
    /// only if such a module is imported.
    pub optional_missing: BTreeMap<String, BTreeSet<Site>>,
    /// Optional modules left out because their source cannot be read: (name, why).
    pub unreadable: Vec<(String, String)>,
}

impl Graph {
    /// `entry → … → name`: the chain of modules that pulled `name` in.
    pub fn chain(&self, name: &str) -> Vec<String> {
        let mut chain = vec![name.to_owned()];
        let mut current = name;
        while let Some((importer, _)) = self.modules.get(current).and_then(|n| n.importer.as_ref())
        {
            if chain.contains(importer) {
                break;
            }
            chain.push(importer.clone());
            current = importer;
        }
        chain.reverse();
        chain
    }
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
        Source::None => return Ok(String::new()),
        Source::Generated(text) => return Ok(text.clone()),
    };
    Ok(crate::compile::decode_source(
        &bytes,
        &found.display_path(),
    )?)
}

/// Walk the imports from `start` (the entry and anything else asked for), then from
/// `optional` (modules bundled because their family or distribution is, which the program
/// may never import): everything reached only from those is optional too.
pub fn build(
    resolver: &Resolver,
    start: Vec<Found>,
    optional: Vec<Found>,
    cache: Option<&crate::compile::Cache>,
) -> Result<Graph, crate::Error> {
    let mut graph = Graph::default();
    // Required modules are all read before any optional one, so a module is optional
    // only when no required import reaches it.
    let mut queue: VecDeque<Queued> = start.into_iter().map(|f| Queued::start(f, false)).collect();
    let mut later: VecDeque<Queued> = optional
        .into_iter()
        .map(|f| Queued::start(f, true))
        .collect();
    let mut seen: BTreeSet<String> = queue
        .iter()
        .chain(&later)
        .map(|q| q.found.name.clone())
        .collect();

    while let Some(Queued {
        found,
        importer,
        guarded,
        optional,
    }) = queue.pop_front().or_else(|| later.pop_front())
    {
        let text = match read_source(&found) {
            Ok(text) => text,
            // An optional module that cannot be read (a Python 2 file in Latin-1 without
            // a coding cookie) is left out: CPython fails only if it is imported.
            Err(err) if optional => {
                graph.unreadable.push((found.name.clone(), err.to_string()));
                continue;
            }
            Err(err) => return Err(err),
        };
        let package = found.package().to_owned();
        let site_of = |line| Site {
            file: found.display_path(),
            line,
            stdlib: found.is_stdlib(),
        };
        let mut imports = match cache {
            Some(cache) => cache.imports(&text, &package),
            None => imports_of(&text, &package),
        };
        guard_repeated_imports(&mut imports);
        graph
            .dynamic
            .extend(imports.dynamic_lines.iter().map(|&l| site_of(l)));
        for import in &imports.imports {
            let site = site_of(import.line);
            // `import a.b.c` imports a, a.b and a.b.c; `from a.b import x` imports a,
            // a.b and, when it is a submodule, a.b.x.
            let parts: Vec<&str> = import.module.split('.').collect();
            let mut names: Vec<(String, bool)> = (1..=parts.len())
                .map(|i| (parts[..i].join("."), !import.optional))
                .collect();
            names.extend(
                import
                    .from_names
                    .iter()
                    .map(|n| (format!("{}.{n}", import.module), false)),
            );
            for (name, must_exist) in names {
                if seen.contains(&name) {
                    continue;
                }
                let known_missing = |graph: &Graph, name: &str| {
                    name.rsplit_once('.').is_some_and(|(p, _)| {
                        graph.missing.contains_key(p) || graph.excluded.contains_key(p)
                    })
                };
                // Below a compiled extension, `from ext import name` names an attribute.
                let under_extension = |graph: &Graph, name: &str| {
                    name.rsplit_once('.')
                        .is_some_and(|(p, _)| graph.extensions.iter().any(|e| e.module == p))
                };
                if known_missing(&graph, &name) || under_extension(&graph, &name) {
                    break;
                }
                match resolver.resolve(&name) {
                    Resolved::Native => {
                        graph.native.insert(name.clone());
                        seen.insert(name);
                    }
                    Resolved::Found(next) => {
                        seen.insert(name);
                        let next = Queued {
                            found: next,
                            importer: Some((found.name.clone(), site.clone())),
                            guarded: guarded || import.in_try,
                            optional,
                        };
                        if optional {
                            later.push_back(next);
                        } else {
                            queue.push_back(next);
                        }
                    }
                    Resolved::Excluded => {
                        graph.excluded.entry(name).or_default().insert(site.clone());
                    }
                    Resolved::Extension(file) => {
                        seen.insert(name.clone());
                        let mut chain = graph.chain_of(&found.name, importer.as_ref());
                        chain.push(found.name.clone());
                        graph.extensions.push(ExtensionImport {
                            module: name,
                            file,
                            site: site.clone(),
                            chain,
                            guarded: guarded || import.in_try || optional,
                        });
                    }
                    Resolved::Missing if must_exist && !sets_sys_modules_alias(resolver, &name) => {
                        let missing = if optional {
                            &mut graph.optional_missing
                        } else {
                            &mut graph.missing
                        };
                        missing.entry(name).or_default().insert(site.clone());
                    }
                    Resolved::Missing => {}
                }
            }
        }
        graph.modules.insert(
            found.name.clone(),
            Node {
                found,
                text,
                importer,
                optional,
            },
        );
    }
    Ok(graph)
}

/// A module waiting to be read, and how it was reached.
struct Queued {
    found: Found,
    importer: Option<(String, Site)>,
    /// Everything from this module down was reached through an import inside a `try`
    /// body, so an ImportError anywhere below is caught by someone.
    guarded: bool,
    optional: bool,
}

impl Queued {
    fn start(found: Found, optional: bool) -> Self {
        Queued {
            found,
            importer: None,
            guarded: false,
            optional,
        }
    }
}

/// `try: import pkg._speedups` … `if HAS_C: from pkg._speedups import f`: a module the
/// same file already imports under a guard is guarded wherever else the file imports it
/// (the later import sits behind a flag the guarded one set).
pub fn guard_repeated_imports(imports: &mut Imports) {
    let guarded: BTreeSet<String> = imports
        .imports
        .iter()
        .filter(|i| i.in_try)
        .flat_map(|i| {
            // `from pkg import _ext` guards pkg._ext, not every other name from pkg.
            if i.from_names.is_empty() {
                vec![i.module.clone()]
            } else {
                i.from_names
                    .iter()
                    .map(|n| format!("{}.{n}", i.module))
                    .collect()
            }
        })
        .collect();
    for import in imports.imports.iter_mut().filter(|i| !i.in_try) {
        let is_guarded = |name: &str| {
            guarded.iter().any(|g| {
                name == g
                    || name
                        .strip_prefix(g.as_str())
                        .is_some_and(|r| r.starts_with('.'))
            })
        };
        if is_guarded(&import.module)
            || import
                .from_names
                .iter()
                .any(|n| is_guarded(&format!("{}.{n}", import.module)))
        {
            import.in_try = true;
        }
    }
}

impl Graph {
    /// The chain above `name` while it is still being read (it is not yet in `modules`).
    fn chain_of(&self, name: &str, importer: Option<&(String, Site)>) -> Vec<String> {
        match importer {
            Some((parent, _)) if parent != name => self.chain(parent),
            _ => Vec::new(),
        }
    }
}

/// `collections.abc`-style names: the parent package registers the submodule in
/// `sys.modules` itself instead of shipping a file for it.
fn sets_sys_modules_alias(resolver: &Resolver, name: &str) -> bool {
    let Some((parent, _)) = name.rsplit_once('.') else {
        return false;
    };
    let Resolved::Found(found) = resolver.resolve(parent) else {
        return false;
    };
    read_source(&found).is_ok_and(|text| {
        text.contains(&format!("'{name}'")) || text.contains(&format!("\"{name}\""))
    })
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
import importlib
plugin = importlib.import_module('plugins.alpha')
rel = importlib.import_module('.beta', package='plugins')
legacy = __import__('gamma')
computed = importlib.import_module(name)
fonts = importlib.resources.files('pkg.fonts')
spec = importlib.util.find_spec('html.parser')
";
        let found = imports_of(src, "pkg.inner");
        let imports = &found.imports;
        let names: Vec<_> = imports
            .iter()
            .map(|i| (i.module.as_str(), i.line, i.in_try))
            .collect();
        assert_eq!(
            names,
            [
                ("os", 1, false),
                ("json.decoder", 1, false),
                ("collections", 2, false),
                ("argparse", 4, false),
                ("re", 6, false),
                ("fast", 8, true),
                ("pkg.inner", 12, false),
                ("pkg.up", 13, false),
                ("pkg.inner.sub.mod", 14, false),
                ("importlib", 15, false),
                ("plugins.alpha", 16, false),
                ("plugins.beta", 17, false),
                ("gamma", 18, false),
                ("pkg.fonts", 20, false),
                ("html.parser", 21, true),
            ]
        );
        assert!(imports[imports.len() - 2].optional && imports.last().unwrap().optional);
        assert_eq!(imports[6].from_names, ["sibling"]);
        assert!(imports[8].from_names.is_empty());
        assert_eq!(found.dynamic_lines, [19]);
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
