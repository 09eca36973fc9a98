//! The module graph: from the entry, every module it imports, transitively — each
//! module's imports read by [`crate::analysis::imports`], each name found by [`crate::analysis::resolve`].

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;

use crate::analysis::imports::{self, Import, When, guard_repeated_imports};
use crate::analysis::resolve::{Found, ReadError, Resolved, Resolver, display};
use crate::analysis::rules;
use crate::build::cache::Cache;

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
    /// Reached only through an import inside a function body somewhere on the chain:
    /// nothing imports it unless the program calls that function.
    pub lazy: bool,
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
    /// Imports of optional modules, or under a guard (`try`, a platform test), that found
    /// nothing: not warnings, since CPython fails only if such a module is imported and
    /// the guard lets the error through.
    pub optional_missing: BTreeMap<String, BTreeSet<Site>>,
    /// Optional modules left out because their source cannot be read: (name, why).
    pub unreadable: Vec<(String, String)>,
    /// Missing modules whose import runs as the program starts (module level, unguarded,
    /// in a module imported at start): the first such import of each.
    pub missing_at_start: BTreeMap<String, MissingAtStart>,
}

/// An import that will fail as the program starts.
#[derive(Debug, Clone)]
pub struct MissingAtStart {
    pub site: Site,
    /// Importers from the entry down to the module holding the import.
    pub chain: Vec<String>,
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

/// Why a module is walked from, and so which of its imports are followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// The program's `__main__` (or a module asked for): every import, even those under
    /// `if __name__ == "__main__":`.
    Entry,
    /// A module the program may never import, bundled because its family or
    /// distribution is.
    Optional,
    /// A module the runtime itself calls into (it formats uncaught exceptions with
    /// `traceback`): its own imports, even inside functions, but below it only what
    /// runs as modules are imported. A helper's lazy imports (`heapq` → `doctest` →
    /// `unittest` …) are not the runtime's; anything the program reaches is walked whole.
    Runtime,
    /// An optional module brought by a module only the runtime reaches (a codec of the
    /// `encodings` family): walked as [`Root::Runtime`].
    OptionalRuntime,
}

/// The walk: modules are read in breadth-first order from what was added; every
/// required module is read before any optional one, so a module is optional only when no
/// required import reaches it. More modules can be added after a run (what a hook, a
/// family or a whole distribution brings), and the next run walks on from them.
///
/// Every module's imports that run on import or on a call are followed, and those under
/// `if __name__ == "__main__":` for the entry only (no other module runs as `__main__`).
/// Modules reached only from a [`Root::Runtime`] are *shallow*: their imports inside
/// functions are left out until an import from the program reaches them, which walks
/// them again whole.
pub struct Walker<'r> {
    resolver: &'r Resolver,
    cache: Option<&'r Cache>,
    graph: Graph,
    queue: VecDeque<Queued>,
    /// Optional modules wait until the required queue is empty.
    later: VecDeque<Queued>,
    seen: BTreeSet<String>,
    entries: BTreeSet<String>,
    runtime: BTreeSet<String>,
    shallow: BTreeSet<String>,
}

impl<'r> Walker<'r> {
    pub fn new(resolver: &'r Resolver, cache: Option<&'r Cache>) -> Self {
        Walker {
            resolver,
            cache,
            graph: Graph::default(),
            queue: VecDeque::new(),
            later: VecDeque::new(),
            seen: BTreeSet::new(),
            entries: BTreeSet::new(),
            runtime: BTreeSet::new(),
            shallow: BTreeSet::new(),
        }
    }

    /// Walk from `found` too, as `root` says.
    pub fn add(&mut self, found: Found, root: Root) {
        let name = found.name.clone();
        match root {
            Root::Entry => {
                self.entries.insert(name.clone());
                self.deepen(&name, None, false, false);
            }
            Root::Runtime | Root::OptionalRuntime if !self.seen.contains(&name) => {
                self.runtime.insert(name.clone());
                self.shallow.insert(name.clone());
            }
            _ => {}
        }
        if !self.seen.insert(name) {
            return;
        }
        let optional = matches!(root, Root::Optional | Root::OptionalRuntime);
        let queued = Queued {
            found,
            importer: None,
            guarded: false,
            lazy: false,
            optional,
        };
        if optional {
            self.later.push_back(queued);
        } else {
            self.queue.push_back(queued);
        }
    }

    /// Read every module reachable from what was added.
    pub fn run(&mut self) -> Result<(), ReadError> {
        while let Some(next) = self.queue.pop_front().or_else(|| self.later.pop_front()) {
            self.visit(next)?;
        }
        Ok(())
    }

    /// Reached (so far) only from the runtime's modules, not by the program.
    pub fn is_shallow(&self, name: &str) -> bool {
        self.shallow.contains(name)
    }

    /// Walk `name` whole from now on: the program reaches it.
    pub fn deepen_root(&mut self, name: &str) {
        self.deepen(name, None, false, false);
    }

    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    pub fn finish(self) -> Graph {
        self.graph
    }

    fn visit(&mut self, module: Queued) -> Result<(), ReadError> {
        let found = &module.found;
        // A module walked again whole (see `deepen`) was read, and has told its dynamic
        // imports, the first time.
        let (text, again) = match self.graph.modules.remove(&found.name) {
            Some(node) => (node.text, true),
            None => match found.read() {
                Ok(text) => (text, false),
                // An optional module that cannot be read (a Python 2 file in Latin-1
                // without a coding cookie) is left out: CPython fails only if it is
                // imported.
                Err(err) if module.optional => {
                    self.graph
                        .unreadable
                        .push((found.name.clone(), err.to_string()));
                    return Ok(());
                }
                Err(err) => return Err(err),
            },
        };
        let mut imports = imports::scan_cached(self.cache, &text, found.package());
        guard_repeated_imports(&mut imports);
        let site_of = |line| Site {
            file: found.display_path(),
            line,
            stdlib: found.is_stdlib(),
        };
        if !again {
            self.graph
                .dynamic
                .extend(imports.dynamic_lines.iter().map(|&l| site_of(l)));
        }
        let shallow = self.shallow.contains(&found.name);
        let follows = |when: When| match when {
            When::Import => true,
            When::Call => !shallow || self.runtime.contains(&found.name),
            When::Main => self.entries.contains(&found.name),
        };
        let followed: Vec<&Import> = imports.imports.iter().filter(|i| follows(i.when)).collect();
        for import in followed {
            self.follow(&module, import, site_of(import.line), shallow);
        }
        let Queued {
            found,
            importer,
            optional,
            ..
        } = module;
        let node = Node {
            found,
            text,
            importer,
            optional,
        };
        self.graph.modules.insert(node.found.name.clone(), node);
        Ok(())
    }

    /// `import a.b.c` imports a, a.b and a.b.c; `from a.b import x` imports a, a.b and,
    /// when it is a submodule, a.b.x.
    fn follow(&mut self, from: &Queued, import: &Import, site: Site, shallow: bool) {
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
            if self.seen.contains(&name) {
                if !shallow {
                    let importer = (from.found.name.clone(), site.clone());
                    let guarded = from.guarded || import.in_try || import.conditional;
                    self.deepen(&name, Some(importer), guarded, lazy(from, import));
                }
                continue;
            }
            // Below a missing module nothing is found; below a compiled extension,
            // `from ext import name` names an attribute.
            if self.graph.is_below_missing_or_extension(&name) {
                break;
            }
            self.found(from, import, &site, name.clone(), must_exist);
            if shallow && self.seen.contains(&name) {
                self.shallow.insert(name);
            }
        }
    }

    /// `name`, reached by an import the program runs (or as an entry), is walked whole:
    /// if it was read shallow, it is read again, and what it imports is deepened in turn.
    fn deepen(&mut self, name: &str, importer: Option<(String, Site)>, guarded: bool, lazy: bool) {
        if !self.shallow.remove(name) {
            return;
        }
        // Not read yet: it is read whole when its turn comes.
        let Some(node) = self.graph.modules.get(name) else {
            return;
        };
        self.queue.push_back(Queued {
            found: node.found.clone(),
            importer: importer.or_else(|| node.importer.clone()),
            guarded,
            lazy,
            optional: node.optional,
        });
    }

    /// Record what `name`, imported by `from` at `site`, resolves to.
    fn found(
        &mut self,
        from: &Queued,
        import: &Import,
        site: &Site,
        name: String,
        must_exist: bool,
    ) {
        let graph = &mut self.graph;
        match self.resolver.resolve(&name) {
            Resolved::Native => {
                graph.native.insert(name.clone());
                self.seen.insert(name);
            }
            Resolved::Found(next) => {
                self.seen.insert(name);
                let next = Queued {
                    found: next,
                    importer: Some((from.found.name.clone(), site.clone())),
                    guarded: from.guarded || import.in_try || import.conditional,
                    lazy: lazy(from, import),
                    optional: from.optional,
                };
                if from.optional {
                    self.later.push_back(next);
                } else {
                    self.queue.push_back(next);
                }
            }
            Resolved::Excluded => {
                graph.excluded.entry(name).or_default().insert(site.clone());
            }
            Resolved::Extension(file) => {
                self.seen.insert(name.clone());
                let mut chain = graph.chain_of(&from.found.name, from.importer.as_ref());
                chain.push(from.found.name.clone());
                graph.extensions.push(ExtensionImport {
                    module: name,
                    file,
                    site: site.clone(),
                    chain,
                    guarded: from.guarded || import.in_try || from.optional,
                    lazy: lazy(from, import),
                });
            }
            Resolved::Missing if rules::runtime_provides(&name) => {}
            Resolved::Missing if must_exist && !sets_sys_modules_alias(self.resolver, &name) => {
                if !from.optional
                    && !from.guarded
                    && !import.in_try
                    && !import.conditional
                    && !lazy(from, import)
                {
                    let mut chain = graph.chain_of(&from.found.name, from.importer.as_ref());
                    chain.push(from.found.name.clone());
                    let at = MissingAtStart {
                        site: site.clone(),
                        chain,
                    };
                    graph.missing_at_start.entry(name.clone()).or_insert(at);
                }
                // Under a guard (try, a platform test) the importer has its own answer.
                let missing = if from.optional || from.guarded || import.in_try {
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

/// A module waiting to be read, and how it was reached.
struct Queued {
    found: Found,
    importer: Option<(String, Site)>,
    /// Everything from this module down was reached through an import inside a `try`
    /// body, so an ImportError anywhere below is caught by someone.
    guarded: bool,
    /// Everything from this module down was reached through an import inside a function
    /// body: it is imported only if the program calls that function.
    lazy: bool,
    optional: bool,
}

/// Whether what `import` (in `from`) reaches is imported only when a function runs.
fn lazy(from: &Queued, import: &Import) -> bool {
    from.lazy || import.when == When::Call
}

impl Graph {
    fn is_below_missing_or_extension(&self, name: &str) -> bool {
        name.rsplit_once('.').is_some_and(|(parent, _)| {
            self.missing.contains_key(parent)
                || self.excluded.contains_key(parent)
                || self.extensions.iter().any(|e| e.module == parent)
        })
    }

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
    found.read().is_ok_and(|text| {
        text.contains(&format!("'{name}'")) || text.contains(&format!("\"{name}\""))
    })
}

/// An unguarded import of a compiled extension: the build stops, naming the chain.
#[derive(thiserror::Error, Debug)]
#[error(
    "module {module} is a compiled extension ({file}) that RustPython cannot load; imported by {chain} ({site}); if {importer} has a pure-Python fallback, leave the extension out with --exclude {module}"
)]
pub struct UnloadableExtension {
    pub module: String,
    pub file: String,
    pub chain: String,
    pub site: String,
    pub importer: String,
}

impl Graph {
    /// An unguarded import of a compiled extension that runs as the program starts stops
    /// the build. One inside a `try` body is left out, and the importer runs its
    /// fallback; one reached only inside a function is left out with a warning (the
    /// program fails there only if it calls that function: typer imports pydantic only to
    /// convert a path argument).
    pub fn check_extensions(&self) -> Result<(), UnloadableExtension> {
        let Some(ext) = self.extensions.iter().find(|e| !e.guarded && !e.lazy) else {
            return Ok(());
        };
        Err(UnloadableExtension {
            module: ext.module.clone(),
            file: display(&ext.file),
            chain: ext.chain.join(" → "),
            site: format!("{}:{}", ext.site.file, ext.site.line),
            importer: ext.chain.last().cloned().unwrap_or_default(),
        })
    }
}

/// An unguarded import, run as the program starts, of a module found nowhere: the frozen
/// program would stop with ModuleNotFoundError, so the build stops instead.
#[derive(thiserror::Error, Debug)]
#[error(
    "module {module} not found, and {site} imports it as the program starts (reached by {chain}); {fix}, leave it out with --exclude {module} if that import is never reached, or build anyway with --allow-missing {top}"
)]
pub struct MissingImport {
    pub module: String,
    pub top: String,
    pub site: String,
    pub chain: String,
    /// What would provide it.
    pub fix: String,
}

impl Graph {
    /// The first missing module imported at start that `allowed` does not name (a name
    /// allows its submodules too).
    pub fn check_missing(&self, allowed: &[String]) -> Result<(), MissingImport> {
        let allows = |module: &str| {
            allowed.iter().any(|a| {
                module == a
                    || module
                        .strip_prefix(a.as_str())
                        .is_some_and(|r| r.starts_with('.'))
            })
        };
        let Some((module, at)) = self.missing_at_start.iter().find(|(m, _)| !allows(m)) else {
            return Ok(());
        };
        let top = module.split('.').next().unwrap_or(module).to_owned();
        let fix = if at.site.stdlib {
            format!(
                "the runtime (RustPython's standard library) has no {module}, which the standard library's {} needs; the program cannot use that module frozen",
                at.chain.last().map_or("module", String::as_str)
            )
        } else {
            format!(
                "install it into the build's environment (pip install {top}, then pass --python if freeze does not find that environment)"
            )
        };
        Err(MissingImport {
            module: module.clone(),
            top,
            site: format!("{}:{}", at.site.file, at.site.line),
            chain: at.chain.join(" → "),
            fix,
        })
    }
}
