//! `freeze`: turn a Python program into one native executable.
//!
//! The flow: resolve the entry, walk its imports into a module graph, compile every
//! module with RustPython's compiler, pack them into a payload, embed the payload in a
//! runtime stub, and write the output atomically.

pub mod compile;
pub mod embed;
pub mod graph;
pub mod stdlib;

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
}

/// Modules every output carries: the runtime formats uncaught exceptions with them.
pub const ALWAYS_BUNDLED: &[&str] = &["traceback", "linecache"];

/// What to run as `__main__`.
#[derive(Debug, Clone)]
pub enum Entry {
    /// A script file, or a directory holding `__main__.py`.
    Script(PathBuf),
    /// A module or package run as with `python -m`.
    Module(String),
}

/// A build's inputs.
#[derive(Debug, Clone)]
pub struct Options {
    pub entry: Entry,
    pub output: PathBuf,
    /// Extra directories searched for modules, after the entry's own directory.
    pub paths: Vec<PathBuf>,
    pub stub: Option<PathBuf>,
    /// 0, 1 (`-O`: no asserts) or 2 (`-OO`: no docstrings either).
    pub optimize: u8,
    /// Keep the program's own sources so tracebacks show its lines (stdlib sources are
    /// never kept: tracebacks show their file and line).
    pub keep_source: bool,
    /// Where compiled modules are cached between builds (None: compile everything).
    pub cache: Option<compile::Cache>,
}

/// An import that found nothing, and who asked for it.
#[derive(Debug, Clone)]
pub struct Missing {
    pub module: String,
    pub importers: Vec<graph::Site>,
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct Report {
    pub output: PathBuf,
    pub stub: PathBuf,
    /// (name, origin, code bytes) of every bundled module.
    pub modules: Vec<(String, String, usize)>,
    pub missing: Vec<Missing>,
    pub payload_bytes: usize,
    pub output_bytes: usize,
}

/// Freeze a program.
pub fn freeze(opts: &Options) -> Result<Report, Error> {
    let (app_root, start) = resolve_entry(opts)?;
    let (stub_path, _) = embed::find_stub(opts.stub.as_deref())?;
    let mut roots = Vec::new();
    if let Some(dir) = app_root {
        roots.push(Root::Dir(dir));
    }
    roots.extend(opts.paths.iter().cloned().map(Root::Dir));
    roots.push(Root::Stdlib);
    let resolver = Resolver { roots };
    let (start, entry_name) = match start {
        EntryStart::Script(found) => (vec![found], freeze_payload::SCRIPT_MAIN.to_owned()),
        EntryStart::Module(name) => match resolver.resolve(&name) {
            Resolved::Found(found) => {
                let main_name = format!("{name}.__main__");
                if found.kind == freeze_payload::ModuleKind::Package {
                    match resolver.resolve(&main_name) {
                        Resolved::Found(main) => (vec![found, main], main_name),
                        _ => return Err(Error::ModuleMissing(main_name)),
                    }
                } else {
                    (vec![found], name)
                }
            }
            Resolved::Native => return Err(Error::ModuleNative(name)),
            Resolved::Missing => return Err(Error::ModuleMissing(name)),
        },
    };
    // A module run with -m also imports its parent packages first.
    let mut start = start;
    let mut parent = entry_name.as_str();
    while let Some((p, _)) = parent.rsplit_once('.') {
        parent = p;
        if start.iter().any(|f| f.name == p) {
            continue;
        }
        if let Resolved::Found(found) = resolver.resolve(p) {
            start.push(found);
        }
    }

    // The runtime prints uncaught exceptions with `traceback`, as CPython does.
    for name in ALWAYS_BUNDLED {
        if !start.iter().any(|f| f.name == *name)
            && let Resolved::Found(found) = resolver.resolve(name)
        {
            start.push(found);
        }
    }

    let graph = graph::build(&resolver, start)?;

    let nodes: Vec<&graph::Node> = graph.modules.values().collect();
    let codes = compile_all(&nodes, opts.optimize, opts.cache.as_ref())?;
    let mut builder = PayloadBuilder::new(entry_name, opts.optimize);
    let mut modules = Vec::new();
    for (node, code) in nodes.into_iter().zip(codes) {
        let found: &Found = &node.found;
        modules.push((found.name.clone(), found.origin.clone(), code.len()));
        let source = (opts.keep_source && !found.is_stdlib()).then(|| node.text.clone());
        builder.add_module(&found.name, found.kind, &found.origin, code, source);
    }
    let payload = builder.finish();

    let stub = std::fs::read(&stub_path).map_err(|e| Error::StubRead {
        path: stub_path.clone(),
        source: e,
    })?;
    let out = embed::embed(&stub, &stub_path, &payload)?;
    embed::write_atomically(&opts.output, &out)?;

    Ok(Report {
        output: opts.output.clone(),
        stub: stub_path,
        modules,
        missing: graph
            .missing
            .into_iter()
            .map(|(module, sites)| Missing {
                module,
                importers: sites.into_iter().collect(),
            })
            .collect(),
        payload_bytes: payload.len(),
        output_bytes: out.len(),
    })
}

/// Compile every module, on all cores; results in the order of `nodes`. The first
/// error (in module order) wins, so the message does not depend on scheduling.
fn compile_all(
    nodes: &[&graph::Node],
    optimize: u8,
    cache: Option<&compile::Cache>,
) -> Result<Vec<Vec<u8>>, Error> {
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
                }
            });
        }
    });
    drop(slots);
    results
        .into_iter()
        .map(|r| r.expect("every module compiled").map_err(Error::from))
        .collect()
}

enum EntryStart {
    Script(Found),
    Module(String),
}

/// The entry's own directory (the first search root) and where the graph starts.
fn resolve_entry(opts: &Options) -> Result<(Option<PathBuf>, EntryStart), Error> {
    match &opts.entry {
        // As with `python -m`, the current directory is searched first.
        Entry::Module(name) => Ok((Some(PathBuf::from(".")), EntryStart::Module(name.clone()))),
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
