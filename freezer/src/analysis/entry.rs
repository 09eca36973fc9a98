//! What runs as `__main__` — a script, `-m module`, or a console script's
//! `module:function` — and the modules the graph walk starts from.

use std::path::{Path, PathBuf};

use freeze_payload::{ModuleKind, SCRIPT_MAIN};

use crate::analysis::imports::is_identifier;
use crate::analysis::resolve::{Found, Resolved, Resolver, Source, script_entry};
use crate::error::Error;

/// What to run as `__main__`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A script file, or a directory holding `__main__.py`.
    Script(PathBuf),
    /// A module or package run as with `python -m`.
    Module(String),
    /// `module:function` as in `[project.scripts]`: the exit status is what it returns.
    Function { module: String, attr: String },
}

impl Entry {
    /// Parse `pkg.module:function` (the attribute may be dotted: `mod:obj.method`).
    pub fn function(spec: &str) -> Option<Self> {
        let (module, attr) = spec.split_once(':')?;
        let dotted_ok = |s: &str| !s.is_empty() && s.split('.').all(is_identifier);
        if !dotted_ok(module.trim()) || !dotted_ok(attr.trim()) {
            return None;
        }
        Some(Entry::Function {
            module: module.trim().to_owned(),
            attr: attr.trim().to_owned(),
        })
    }

    /// The directory searched first (the script's own, or the current one as with
    /// `python -m`), after checking a script exists and is not the output.
    pub fn locate(&self, output: &Path) -> Result<Located, Error> {
        let Entry::Script(path) = self else {
            return Ok(Located {
                app_root: PathBuf::from("."),
                script: None,
            });
        };
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::EntryMissing(path.clone()),
            _ => Error::Read {
                path: path.clone(),
                source: e,
            },
        })?;
        let script = if meta.is_dir() {
            let main = path.join("__main__.py");
            if !main.is_file() {
                return Err(Error::EntryIsDirectory(path.clone()));
            }
            main
        } else {
            path.clone()
        };
        if same_file(&script, output) {
            return Err(Error::OutputIsInput(output.to_path_buf()));
        }
        let app_root = script
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        Ok(Located {
            app_root,
            script: Some(script),
        })
    }
}

/// A located entry: its directory is the first search root.
pub struct Located {
    pub app_root: PathBuf,
    script: Option<PathBuf>,
}

/// Where the walk starts: the `__main__` module and what it needs first.
pub struct Start {
    /// The module run as `__main__`, its parent packages (imported first, as with -m),
    /// and those asked for with `--include`.
    pub modules: Vec<Found>,
    /// The modules the runtime itself needs ([`ALWAYS_BUNDLED`]).
    pub runtime: Vec<Found>,
    /// The payload's entry: `__main__` for a script, else the module's name.
    pub entry_name: String,
}

impl Start {
    /// Find the entry's modules on the search path, then the always-bundled and included
    /// modules (an included package brings all its submodules).
    pub fn find(
        entry: &Entry,
        located: &Located,
        resolver: &Resolver,
        includes: &[String],
    ) -> Result<Start, Error> {
        let (mut modules, entry_name) = main_modules(entry, located, resolver)?;
        // A module run with -m also imports its parent packages first.
        let mut parent = entry_name.as_str();
        while let Some((p, _)) = parent.rsplit_once('.') {
            parent = p;
            if let Resolved::Found(found) = resolver.resolve(p) {
                modules.push(found);
            }
        }
        let mut wanted: Vec<String> = Vec::new();
        for name in includes {
            match resolver.resolve(name) {
                Resolved::Found(found) => {
                    wanted.push(name.clone());
                    wanted.extend(resolver.submodules(&found));
                }
                Resolved::Native => {}
                _ => return Err(Error::IncludeMissing(name.clone())),
            }
        }
        for name in &wanted {
            if !modules.iter().any(|f| &f.name == name)
                && let Resolved::Found(found) = resolver.resolve(name)
            {
                modules.push(found);
            }
        }
        let runtime = crate::analysis::rules::runtime_modules()
            .filter_map(|name| match resolver.resolve(name) {
                Resolved::Found(found) => Some(found),
                _ => None,
            })
            .collect();
        Ok(Start {
            modules,
            runtime,
            entry_name,
        })
    }
}

/// The `__main__` module (and, for a package run with -m, the package first).
fn main_modules(
    entry: &Entry,
    located: &Located,
    resolver: &Resolver,
) -> Result<(Vec<Found>, String), Error> {
    match entry {
        Entry::Script(_) => {
            let script = located.script.as_deref().expect("a located script");
            Ok((vec![script_entry(script)], SCRIPT_MAIN.to_owned()))
        }
        Entry::Function { module, attr } => {
            match resolver.resolve(module) {
                Resolved::Found(_) | Resolved::Native => {}
                _ => return Err(Error::ModuleMissing(module.clone())),
            }
            let first = attr.split('.').next().unwrap_or(attr);
            let text = format!("import sys\nfrom {module} import {first}\nsys.exit({attr}())\n");
            let main = Found {
                name: SCRIPT_MAIN.to_owned(),
                kind: ModuleKind::Module,
                origin: "__main__.py".to_owned(),
                source: Source::Generated(text),
                root: 0,
            };
            Ok((vec![main], SCRIPT_MAIN.to_owned()))
        }
        Entry::Module(name) => match resolver.resolve(name) {
            Resolved::Found(found) if found.kind == ModuleKind::Module => {
                Ok((vec![found], name.clone()))
            }
            Resolved::Found(found) => {
                let main_name = format!("{name}.__main__");
                match resolver.resolve(&main_name) {
                    Resolved::Found(main) => Ok((vec![found, main], main_name)),
                    _ => Err(Error::ModuleMissing(main_name)),
                }
            }
            Resolved::Native => Err(Error::ModuleNative(name.clone())),
            _ => Err(Error::ModuleMissing(name.clone())),
        },
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
