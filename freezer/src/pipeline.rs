//! One build, as stages, each handing a typed value to the next:
//!
//! `prepare` (target, entry, stub, search roots) → `start` ([`Start`]: the modules the walk
//! begins with) → `walk` ([`Walk`]: the graph with what the rules and whole
//! distributions add) → `compile` ([`Compiled`]) → `collect_data` ([`Collected`]) →
//! [`pack`] (the payload) → `write` (embedded in the stub, written atomically) → `report`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::analysis::distribution::Index;
use crate::analysis::entry::{Located, Start};
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
    let payload = pack(packing, &walk.graph, &compiled, &data);
    let output_bytes = build.write(&payload)?;
    let output = summary::Output {
        path: opts.output.clone(),
        stub: build.stub.path.clone(),
        payload_bytes: payload.len(),
        bytes: output_bytes,
    };
    let report = Report::new(&start.entry_name, &walk, &compiled, &data, output);
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
        let located = opts.entry.locate(&opts.output)?;
        let (path, _) = stubs::find_stub(opts.stub.as_deref(), target)?;
        let bytes = read_stub(&path)?;
        let kind = check_stub(&bytes, &path, target)?;
        let resolver = Resolver::new(
            search_roots(opts, &located),
            opts.excludes.iter().cloned().collect::<BTreeSet<_>>(),
        );
        let index = Index::scan(&resolver.roots);
        Ok(Build {
            opts,
            progress,
            target,
            located,
            stub: Stub { path, bytes, kind },
            resolver,
            index,
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
        Ok(walk.for_target(self.target))
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
            &whole_data,
            &self.opts.add_data,
        )
    }

    /// The payload embedded in the stub, written atomically; the output's size.
    fn write(&self, payload: &[u8]) -> Result<usize, Error> {
        let stub = &self.stub;
        let out = container::embed(&stub.bytes, &stub.path, &stub.kind, payload)?;
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
    let stub = read_stub(stub_path)?;
    let kind = check_stub(&stub, stub_path, target)?;
    let out = container::embed(&stub, stub_path, &kind, payload)?;
    fsutil::write_atomically(output, &out)?;
    Ok(out.len())
}

/// Where modules are searched, in order: the entry's directory, `--path`, the active
/// virtual environment, the standard library.
fn search_roots(opts: &Options, located: &Located) -> Vec<Root> {
    let mut roots = vec![Root::Dir(located.app_root.clone())];
    roots.extend(opts.paths.iter().cloned().map(Root::Dir));
    if let Some(site) = venv_site_packages() {
        roots.push(Root::Dir(site));
    }
    roots.push(Root::Stdlib);
    roots
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
