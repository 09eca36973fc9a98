//! One build, as stages, each handing a typed value to the next:
//!
//! `prepare` (target, entry, stub, search roots) → `start` ([`Start`]: the modules the walk
//! begins with) → `walk` ([`Walk`]: the graph with what the rules and whole
//! distributions add) → `compile` ([`Compiled`]) → `collect_data` ([`Collected`]) →
//! [`pack`] (the payload) → `write` (embedded in the stub, written atomically) → `report`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::analysis::dist::Index;
use crate::analysis::entry::{Located, Start};
use crate::analysis::environment::{self, Environment};
use crate::analysis::resolve::{Resolver, Root};
use crate::analysis::walk::{self, Walk};
use crate::analysis::whole;
use crate::build::compile::{self, Compiled};
use crate::build::data::{self, Collected};
use crate::build::pack::{Packing, pack};
use crate::error::Error;
use crate::options::Options;
use crate::output::container;
use crate::output::fsutil;
use crate::output::overwrite;
use crate::output::stubs;
use crate::output::target::{StubKind, Target};
use crate::progress::Progress;
use crate::report::explain::explain;
use crate::report::summary::{self, Report};

/// Freeze a program, reporting progress and decisions.
pub fn freeze_with(opts: &Options, progress: &dyn Progress) -> Result<Report, Error> {
    let build = Build::prepare(opts, progress)?;
    let start = build.start()?;
    let mut walk = build.walk(start.modules, start.runtime)?;
    explain(&walk, &start.entry_name, progress);
    let compiled = build.compile(&mut walk)?;
    let data = build.collect_data(&walk)?;
    let packing = Packing {
        entry: &start.entry_name,
        optimize: opts.optimize,
        keep_source: opts.keep_source,
    };
    build.check_output_is_no_input(&walk, &data)?;
    let payload = pack(packing, &walk.graph, &compiled, &data);
    let output_bytes = build.write(&payload)?;
    let output = summary::Output {
        path: opts.output.clone(),
        stub: build.stub.path.clone(),
        payload_bytes: payload.len(),
        bytes: output_bytes,
    };
    let mut report = Report::new(&start.entry_name, &walk, &compiled, &data, output);
    report.environment = build.environment.clone();
    if let Some(path) = &opts.report {
        report.write_json(path)?;
    }
    Ok(report)
}

/// What every stage of one build needs.
struct Build<'a> {
    opts: &'a Options,
    progress: &'a dyn Progress,
    target: Option<&'static Target>,
    located: Located,
    stub: Stub,
    resolver: Resolver,
    /// The installed distributions on the search roots.
    index: Index,
    /// The environment they come from, and why it was chosen.
    environment: Option<Environment>,
}

/// The runtime stub, read and checked once, before anything is compiled.
struct Stub {
    path: PathBuf,
    bytes: Vec<u8>,
    kind: StubKind,
}

impl<'a> Build<'a> {
    /// Check what can fail in an instant first: the target, the entry, the stub.
    fn prepare(opts: &'a Options, progress: &'a dyn Progress) -> Result<Self, Error> {
        let target = match &opts.target {
            Some(triple) => {
                Some(Target::find(triple).ok_or_else(|| Error::UnknownTarget(triple.clone()))?)
            }
            None => None,
        };
        fsutil::check_replaceable(&opts.output)?;
        let located = opts.entry.locate(&opts.output)?;
        let (path, _) = stubs::find_stub(opts.stub.as_deref(), target)?;
        let bytes = read_stub(&path)?;
        let kind = check_stub(&bytes, &path, target)?;
        let (project, environment) = find_environment(opts, &located)?;
        let (roots, own_roots) =
            search_roots(opts, &located, project.as_deref(), environment.as_ref());
        let excludes = opts.excludes.iter().cloned().collect::<BTreeSet<_>>();
        let resolver = Resolver::new(roots, excludes).with_own_roots(own_roots);
        let index = Index::scan(&resolver.roots);
        Ok(Build {
            opts,
            progress,
            target,
            located,
            stub: Stub { path, bytes, kind },
            resolver,
            index,
            environment,
        })
    }

    fn start(&self) -> Result<Start, Error> {
        Start::find(
            &self.opts.entry,
            &self.located,
            &self.resolver,
            &self.opts.includes,
        )
    }

    fn walk(
        &self,
        start: Vec<crate::analysis::resolve::Found>,
        runtime: Vec<crate::analysis::resolve::Found>,
    ) -> Result<Walk, Error> {
        let cache = self.opts.cache.as_ref();
        let walk = walk::walk(
            &self.resolver,
            &self.index,
            start,
            runtime,
            self.opts.plugins,
            cache,
        )?;
        walk.graph.check_extensions()?;
        let walk = walk.for_target(self.target);
        walk.graph.check_missing(&self.opts.allow_missing)?;
        Ok(walk)
    }

    fn compile(&self, walk: &mut Walk) -> Result<Compiled, Error> {
        let cache = self.opts.cache.as_ref();
        let compiled =
            compile::compile_graph(&mut walk.graph, self.opts.optimize, cache, self.progress)?;
        Ok(compiled)
    }

    /// Package data, the data and metadata of bundled distributions, `--add-data`.
    fn collect_data(&self, walk: &Walk) -> Result<Collected, Error> {
        let whole_data = whole::data_files(&self.index, &self.resolver, &walk.whole);
        data::collect(
            &walk.graph,
            &self.resolver,
            &self.index,
            &whole_data,
            &self.opts.add_data,
        )
    }

    /// Refuse an output that is one of the files this build read: a module, a data file,
    /// the stub, a `pyproject.toml` the settings come from.
    fn check_output_is_no_input(&self, walk: &Walk, data: &Collected) -> Result<(), Error> {
        use crate::analysis::resolve::Source;
        let modules = walk
            .graph
            .modules
            .values()
            .filter_map(|node| match &node.found.source {
                Source::File(path) => Some((path.as_path(), format!("module {}", node.found.name))),
                _ => None,
            });
        let files = data
            .files
            .iter()
            .map(|file| (file.source.as_path(), "a data file".to_owned()));
        let projects = overwrite::project_files(&self.located.app_root);
        let projects = projects
            .iter()
            .map(|path| (path.as_path(), "the project's settings file".to_owned()));
        let stub = std::iter::once((self.stub.path.as_path(), "the runtime stub".to_owned()));
        overwrite::check(
            &self.opts.output,
            modules.chain(files).chain(projects).chain(stub),
        )?;
        Ok(())
    }

    /// The payload embedded in the stub, written atomically; the output's size.
    fn write(&self, payload: &[u8]) -> Result<usize, Error> {
        let stub = &self.stub;
        let out = container::embed(&stub.bytes, &stub.path, &stub.kind, payload)?;
        if let Some(parent) = self
            .opts
            .output
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|source| Error::CreateDir {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        fsutil::write_atomically(&self.opts.output, &out)?;
        Ok(out.len())
    }
}

fn read_stub(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::StubRead(path.to_path_buf(), e))
}

/// Check that `stub` (the bytes of the file at `path`) can take a payload, and for
/// `target` when one is given: a known object format in a form the embedders handle, the
/// target's format and architecture, no payload yet, and what Mach-O re-signing needs.
fn check_stub(stub: &[u8], path: &Path, target: Option<&Target>) -> Result<StubKind, Error> {
    let kind = container::identify_stub(stub, path)?;
    if let Some(target) = target
        && !target.accepts(&kind)
    {
        return Err(Error::StubMismatch {
            path: path.to_path_buf(),
            kind: kind.to_string(),
            triple: target.triple.to_owned(),
            needs: target.needs(),
        });
    }
    container::check_stub(stub, path, &kind)?;
    Ok(kind)
}

/// Embed raw `payload` bytes into the stub file at `stub_path` for `target` (any known
/// format when None) and write the result to `output` atomically. Returns the output's
/// size. Nothing is written when the stub is refused.
pub fn embed_file(
    stub_path: &Path,
    target: Option<&Target>,
    payload: &[u8],
    output: &Path,
) -> Result<usize, Error> {
    fsutil::check_replaceable(output)?;
    overwrite::check(output, [(stub_path, "the runtime stub".to_owned())])?;
    let stub = read_stub(stub_path)?;
    let kind = check_stub(&stub, stub_path, target)?;
    let out = container::embed(&stub, stub_path, &kind, payload)?;
    fsutil::write_atomically(output, &out)?;
    Ok(out.len())
}

/// Where modules are searched, in order: the entry's directory, `--path`, the project's
/// `src/`, the environment's site-packages and what its `.pth` files and editable finders
/// add, the standard library. A directory already on the list is not added again.
/// Returns the roots and how many of the first are the program's own source.
fn search_roots(
    opts: &Options,
    located: &Located,
    project: Option<&Path>,
    environment: Option<&Environment>,
) -> (Vec<Root>, usize) {
    let mut own = vec![located.app_root.clone()];
    own.extend(opts.paths.iter().cloned());
    own.extend(project.map(|p| p.join("src")).filter(|src| src.is_dir()));
    let mut installed = Vec::new();
    if let Some(env) = environment {
        installed.push(env.site_packages.clone());
        installed.extend(env.extra.iter().cloned());
    }
    let mut seen = Vec::new();
    let mut roots = Vec::new();
    let mut own_count = 0;
    for (i, dir) in own.iter().chain(&installed).enumerate() {
        let canonical = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone());
        if !seen.contains(&canonical) {
            seen.push(canonical);
            roots.push(Root::Dir(dir.clone()));
            if i < own.len() {
                own_count += 1;
            }
        }
    }
    roots.push(Root::Stdlib);
    (roots, own_count)
}

/// The project root (the nearest directory holding `pyproject.toml`, from the entry's
/// directory, else the current one) and the environment found for it.
fn find_environment(
    opts: &Options,
    located: &Located,
) -> Result<(Option<PathBuf>, Option<Environment>), Error> {
    let project = environment::project_root(&located.app_root)
        .or_else(|| environment::project_root(Path::new(".")));
    let var = |name: &str| std::env::var_os(name);
    let lookup = environment::Lookup {
        python: opts.python.as_deref(),
        project_root: project.as_deref(),
        var: &var,
    };
    let found = environment::find(&lookup)?;
    Ok((project, found))
}
