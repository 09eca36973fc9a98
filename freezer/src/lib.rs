//! `freeze`: turn a Python program into one native executable.
//!
//! The flow: resolve the entry, walk its imports into a module graph, compile every
//! module with RustPython's compiler, pack them into a payload, embed the payload in a
//! runtime stub, and write the output atomically.

pub mod compile;
pub mod config;
pub mod data;
pub mod distribution;
pub mod embed;
pub mod families;
pub mod files;
pub mod graph;
pub mod hooks;
pub mod inspect;
pub mod report;
pub mod stdlib;
pub mod stub_build;
pub mod stubs;
pub mod target;
pub mod whole;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use freeze_payload::PayloadBuilder;

pub use compile::SourceError;
use graph::{Found, Resolved, Resolver, Root};

/// Everything that can stop a build, each naming what and where.
#[derive(thiserror::Error, Debug)]
pub enum Error {
    #[error("entry file {0} not found")]
    EntryMissing(PathBuf),
    #[error(
        "entry {0} is a directory without a __main__.py; give a Python file, or add __main__.py to the directory"
    )]
    EntryIsDirectory(PathBuf),
    #[error(
        "module {0} not found on the search path (the entry's directory, --path, the standard library)"
    )]
    ModuleMissing(String),
    #[error("module {0} is implemented inside the runtime and has no source to run as __main__")]
    ModuleNative(String),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Syntax(#[from] SourceError),
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: String },
    #[error("output {0} is the entry file itself; choose another output path")]
    OutputIsInput(PathBuf),
    #[error(
        "no runtime stub found: pass --stub FILE, set FREEZE_STUB, or put runtime-stub next to the freeze executable"
    )]
    NoStub,
    #[error("cannot build the runtime stub: {0}")]
    StubBuild(String),
    #[error("cannot read runtime stub {path}: {source}")]
    StubRead {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("runtime stub {path} is unusable: {reason}")]
    BadStub { path: PathBuf, reason: String },
    #[error(
        "module {module} is a compiled extension ({file}) that RustPython cannot load; imported by {chain} ({site}){hint}"
    )]
    Extension {
        module: String,
        file: String,
        chain: String,
        site: String,
        hint: String,
    },
    #[error("--entry {0} is not MODULE:FUNCTION (e.g. mypkg.cli:main)")]
    BadFunctionEntry(String),
    #[error("--add-data {0}: {1}")]
    AddData(String, String),
    #[error("--include {0}: no such module on the search path")]
    IncludeMissing(String),
    #[error("cannot inspect {0}: {1}")]
    Inspect(PathBuf, String),
    #[error("cannot write report {path}: {reason}")]
    Report { path: PathBuf, reason: String },
    #[error("unknown target '{0}'; known targets: {known}", known = target::Target::known_list())]
    UnknownTarget(String),
    #[error("runtime stub {path} is {kind}, but --target {triple} needs {needs}")]
    StubMismatch {
        path: PathBuf,
        kind: String,
        triple: String,
        needs: String,
    },
    #[error(
        "no runtime stub for --target {triple}: {looked}; put {file} there (a freeze release asset), set FREEZE_STUB_DIR to the directory holding it, or pass --stub FILE"
    )]
    NoTargetStub {
        triple: String,
        looked: String,
        file: String,
    },
}

/// Modules every output carries: the runtime formats uncaught exceptions with the first
/// two, and loads codecs through the third (with its whole family, see families.rs).
pub const ALWAYS_BUNDLED: &[&str] = &["traceback", "linecache", "encodings"];

/// What to run as `__main__`.
#[derive(Debug, Clone)]
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
    pub fn function(spec: &str) -> Result<Self, Error> {
        let bad = || Error::BadFunctionEntry(spec.to_owned());
        let (module, attr) = spec.split_once(':').ok_or_else(bad)?;
        let dotted_ok = |s: &str| !s.is_empty() && s.split('.').all(graph::is_identifier);
        if !dotted_ok(module.trim()) || !dotted_ok(attr.trim()) {
            return Err(bad());
        }
        Ok(Entry::Function {
            module: module.trim().to_owned(),
            attr: attr.trim().to_owned(),
        })
    }
}

/// A build's inputs.
#[derive(Debug, Clone)]
pub struct Options {
    pub entry: Entry,
    pub output: PathBuf,
    /// Extra directories searched for modules, after the entry's own directory.
    pub paths: Vec<PathBuf>,
    pub stub: Option<PathBuf>,
    /// The target triple to build for (`--target`); None: the stub found for the host.
    pub target: Option<String>,
    /// 0, 1 (`-O`: no asserts) or 2 (`-OO`: no docstrings either).
    pub optimize: u8,
    /// Keep the program's own sources so tracebacks show its lines (stdlib sources are
    /// never kept: tracebacks show their file and line).
    pub keep_source: bool,
    /// Where compiled modules are cached between builds (None: compile everything).
    pub cache: Option<compile::Cache>,
    /// Modules to bundle even if no import names them (a package brings all its
    /// submodules).
    pub includes: Vec<String>,
    /// Modules never bundled, even when imported.
    pub excludes: Vec<String>,
    /// `(source file or directory, destination directory)` of extra data files.
    pub add_data: Vec<(PathBuf, String)>,
    /// Where a JSON report of the build goes.
    pub report: Option<PathBuf>,
    /// Bundle the installed plugins of bundled distributions (entry points in a group
    /// they read).
    pub plugins: bool,
}

pub use report::{Missing, Report};

/// Where a long build reports how far it got (the CLI draws a line on a terminal).
pub trait Progress: Sync {
    /// `phase` is "compiling"; `done` of `total` modules.
    fn update(&self, phase: &str, done: usize, total: usize);
    /// Something worth saying with `-v`: why a module is in, where it was found.
    fn explain(&self, _line: &str) {}
}

/// A build that reports nothing.
pub struct Silent;
impl Progress for Silent {
    fn update(&self, _: &str, _: usize, _: usize) {}
}

/// The site-packages directory of the active virtual environment (`VIRTUAL_ENV`).
pub fn venv_site_packages() -> Option<PathBuf> {
    let venv = PathBuf::from(std::env::var_os("VIRTUAL_ENV").filter(|v| !v.is_empty())?);
    let windows = venv.join("Lib").join("site-packages");
    if windows.is_dir() {
        return Some(windows);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(venv.join("lib"))
        .ok()?
        .flatten()
        .map(|e| e.path().join("site-packages"))
        .filter(|p| p.is_dir())
        .collect();
    found.sort();
    found.pop()
}

/// Freeze a program.
pub fn freeze(opts: &Options) -> Result<Report, Error> {
    freeze_with(opts, &Silent)
}

/// Freeze a program, reporting progress and decisions.
pub fn freeze_with(opts: &Options, progress: &dyn Progress) -> Result<Report, Error> {
    let target = match &opts.target {
        Some(triple) => {
            Some(target::Target::find(triple).ok_or_else(|| Error::UnknownTarget(triple.clone()))?)
        }
        None => None,
    };
    let (app_root, start) = resolve_entry(opts)?;
    let (stub_path, _) = stubs::find_stub(opts.stub.as_deref(), target)?;
    // Read and check the stub before compiling: a wrong one fails in an instant.
    let stub = std::fs::read(&stub_path).map_err(|e| Error::StubRead {
        path: stub_path.clone(),
        source: e,
    })?;
    embed::check_stub(&stub, &stub_path, target)?;
    let mut roots = Vec::new();
    if let Some(dir) = app_root {
        roots.push(Root::Dir(dir));
    }
    roots.extend(opts.paths.iter().cloned().map(Root::Dir));
    if let Some(site) = venv_site_packages() {
        roots.push(Root::Dir(site));
    }
    roots.push(Root::Stdlib);
    let resolver = Resolver {
        roots,
        excludes: opts.excludes.iter().cloned().collect(),
    };
    let (mut start, entry_name) = match start {
        EntryStart::Script(found) => (vec![found], freeze_payload::SCRIPT_MAIN.to_owned()),
        EntryStart::Function { module, attr } => {
            let first = attr.split('.').next().unwrap_or(&attr);
            let text = format!("import sys\nfrom {module} import {first}\nsys.exit({attr}())\n");
            let main = Found {
                name: freeze_payload::SCRIPT_MAIN.to_owned(),
                kind: freeze_payload::ModuleKind::Module,
                origin: "__main__.py".to_owned(),
                source: graph::Source::Generated(text),
                root: 0,
            };
            match resolver.resolve(&module) {
                Resolved::Found(_) | Resolved::Native => {}
                _ => return Err(Error::ModuleMissing(module)),
            }
            (vec![main], freeze_payload::SCRIPT_MAIN.to_owned())
        }
        EntryStart::Module(name) => match resolver.resolve(&name) {
            Resolved::Found(found) => {
                let main_name = format!("{name}.__main__");
                if found.kind != freeze_payload::ModuleKind::Module {
                    match resolver.resolve(&main_name) {
                        Resolved::Found(main) => (vec![found, main], main_name),
                        _ => return Err(Error::ModuleMissing(main_name)),
                    }
                } else {
                    (vec![found], name)
                }
            }
            Resolved::Native => return Err(Error::ModuleNative(name)),
            _ => return Err(Error::ModuleMissing(name)),
        },
    };
    // A module run with -m also imports its parent packages first.
    let mut parent = entry_name.as_str();
    while let Some((p, _)) = parent.rsplit_once('.') {
        parent = p;
        if let Resolved::Found(found) = resolver.resolve(p) {
            start.push(found);
        }
    }
    // The runtime prints uncaught exceptions with `traceback`, as CPython does.
    let mut wanted: Vec<String> = ALWAYS_BUNDLED.iter().map(|s| s.to_string()).collect();
    for name in &opts.includes {
        match resolver.resolve(name) {
            Resolved::Found(found) => {
                wanted.push(name.clone());
                wanted.extend(resolver.submodules(&found));
            }
            Resolved::Native => {}
            _ => return Err(Error::IncludeMissing(name.clone())),
        }
    }

    // Build the graph. Then what it implies, as optional modules: packages known to
    // import plugins by computed names (hooks) add their plugin packages, the standard
    // library's families found by name at run time come whole, and so do distributions.
    // Each can pull in more, until nothing changes.
    let index = distribution::Index::scan(&resolver.roots);
    let mut optional: BTreeMap<String, String> = BTreeMap::new();
    let mut whole: Vec<whole::Whole> = Vec::new();
    let mut all = start;
    for name in &wanted {
        if !all.iter().any(|f| &f.name == name)
            && let Resolved::Found(found) = resolver.resolve(name)
        {
            all.push(found);
        }
    }
    let graph = loop {
        let optional_found: Vec<Found> = optional
            .keys()
            .filter(|name| !all.iter().any(|f| &f.name == *name))
            .filter_map(|name| match resolver.resolve(name) {
                Resolved::Found(found) => Some(found),
                _ => None,
            })
            .collect();
        let graph = graph::build(&resolver, all.clone(), optional_found, opts.cache.as_ref())?;
        let mut more = hooks::extra_modules(&graph, &resolver);
        more.extend(families::extra_modules(&graph, &resolver));
        more.extend(whole::extend(
            &graph,
            &index,
            &resolver,
            opts.plugins,
            &mut whole,
        ));
        more.retain(|name, _| !optional.contains_key(name));
        if more.is_empty() {
            break graph;
        }
        optional.extend(more);
    };
    check_extensions(&graph)?;
    // Freezing for another OS: its platform-only native modules (msvcrt, termios, …) are
    // absent from this host's VM but present in the output's.
    let mut graph = graph;
    if let Some(target) = target {
        graph
            .missing
            .retain(|module, _| !target.has_native_module(module));
    }
    for w in &whole {
        progress.explain(&format!(
            "distribution {}: whole, because {}",
            w.distribution, w.because
        ));
    }
    for node in graph.modules.values() {
        let found = &node.found;
        let why = match &node.importer {
            Some((importer, site)) => {
                format!("imported by {importer} at {}:{}", site.file, site.line)
            }
            None if found.name == entry_name => "the entry".to_owned(),
            None => match optional.get(&found.name) {
                Some(why) => why.clone(),
                None => {
                    "asked for (entry's parents, --include, a hook, or the runtime's traceback)"
                        .to_owned()
                }
            },
        };
        let optional = if node.optional { " [optional]" } else { "" };
        progress.explain(&format!(
            "{} ({}) from {}{optional}: {why}",
            found.name,
            found.origin,
            found.display_path()
        ));
    }
    for (module, sites) in &graph.optional_missing {
        let first = sites.iter().next().expect("a missing import has a site");
        progress.explain(&format!(
            "{module} not found, imported only by optional modules (first at {}:{}); left out",
            first.file, first.line
        ));
    }
    for (module, sites) in &graph.excluded {
        progress.explain(&format!(
            "{module} left out by --exclude (imported at {} place(s))",
            sites.len()
        ));
    }

    // An optional module that does not compile (a Python 2 file shipped in a
    // distribution) is left out: CPython fails only if it is imported.
    let results = compile_all(
        &graph.modules.values().collect::<Vec<_>>(),
        opts.optimize,
        opts.cache.as_ref(),
        progress,
    );
    let mut skipped: Vec<report::Skipped> = graph
        .unreadable
        .iter()
        .map(|(module, reason)| report::Skipped {
            module: module.clone(),
            reason: reason.clone(),
        })
        .collect();
    let mut codes = Vec::new();
    let names: Vec<String> = graph.modules.keys().cloned().collect();
    for (name, result) in names.iter().zip(results) {
        match result {
            Ok(code) => codes.push(code),
            Err(err) if graph.modules[name].optional => {
                progress.explain(&format!("{name} left out: {err}"));
                skipped.push(report::Skipped {
                    module: name.clone(),
                    reason: err.to_string(),
                });
                graph.modules.remove(name);
            }
            Err(err) => return Err(err.into()),
        }
    }
    let nodes: Vec<&graph::Node> = graph.modules.values().collect();
    let mut builder = PayloadBuilder::new(entry_name.clone(), opts.optimize);
    for (node, code) in nodes.iter().zip(&codes) {
        let found: &Found = &node.found;
        let source = (opts.keep_source && !found.is_stdlib()).then(|| node.text.clone());
        builder.add_module(&found.name, found.kind, &found.origin, code.clone(), source);
    }
    let whole_data = whole::data_files(&index, &resolver, &whole);
    let data = data::collect(&graph, &resolver, &whole_data, &opts.add_data)?;
    for file in &data.files {
        builder.add_data(&file.path, file.bytes.clone());
    }
    let payload = builder.finish();

    let out = embed::embed(&stub, &stub_path, &payload)?;
    embed::write_atomically(&opts.output, &out)?;

    let report = Report::new(
        opts,
        &stub_path,
        &entry_name,
        &graph,
        &codes,
        &data,
        report::Decisions {
            whole: &whole,
            optional: &optional,
            skipped,
        },
        payload.len(),
        out.len(),
    );
    if let Some(path) = &opts.report {
        report.write_json(path)?;
    }
    Ok(report)
}

/// An unguarded import of a compiled extension stops the build; one inside a `try`
/// body is left out, and the importer runs its fallback.
fn check_extensions(graph: &graph::Graph) -> Result<(), Error> {
    let Some(ext) = graph.extensions.iter().find(|e| !e.guarded) else {
        return Ok(());
    };
    let importer = ext.chain.last().cloned().unwrap_or_default();
    Err(Error::Extension {
        module: ext.module.clone(),
        file: graph::display(&ext.file),
        chain: ext.chain.join(" → "),
        site: format!("{}:{}", ext.site.file, ext.site.line),
        hint: format!(
            "; if {importer} has a pure-Python fallback, leave the extension out with --exclude {}",
            ext.module
        ),
    })
}

/// Compile every module, on all cores; results in the order of `nodes` (the caller
/// takes the first error in module order, so the message does not depend on scheduling).
fn compile_all(
    nodes: &[&graph::Node],
    optimize: u8,
    cache: Option<&compile::Cache>,
    progress: &dyn Progress,
) -> Vec<Result<Vec<u8>, SourceError>> {
    let done = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(nodes.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<Result<Vec<u8>, SourceError>>> =
        (0..nodes.len()).map(|_| None).collect();
    let slots: Vec<std::sync::Mutex<&mut Option<Result<Vec<u8>, SourceError>>>> =
        results.iter_mut().map(std::sync::Mutex::new).collect();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(node) = nodes.get(i) else { break };
                    let found = &node.found;
                    let result = compile::compile_cached(
                        &node.text,
                        &found.origin,
                        &found.display_path(),
                        optimize,
                        cache,
                    );
                    **slots[i].lock().unwrap() = Some(result);
                    let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    progress.update("compiling", n, nodes.len());
                }
            });
        }
    });
    drop(slots);
    results
        .into_iter()
        .map(|r| r.expect("every module compiled"))
        .collect()
}

enum EntryStart {
    Script(Found),
    Module(String),
    Function { module: String, attr: String },
}

/// The entry's own directory (the first search root) and where the graph starts.
fn resolve_entry(opts: &Options) -> Result<(Option<PathBuf>, EntryStart), Error> {
    match &opts.entry {
        // As with `python -m`, the current directory is searched first.
        Entry::Module(name) => Ok((Some(PathBuf::from(".")), EntryStart::Module(name.clone()))),
        Entry::Function { module, attr } => Ok((
            Some(PathBuf::from(".")),
            EntryStart::Function {
                module: module.clone(),
                attr: attr.clone(),
            },
        )),
        Entry::Script(path) => {
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
            if same_file(&script, &opts.output) {
                return Err(Error::OutputIsInput(opts.output.clone()));
            }
            let dir = script
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
            Ok((Some(dir), EntryStart::Script(graph::script_entry(&script))))
        }
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
