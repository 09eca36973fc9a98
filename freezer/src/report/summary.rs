//! What a build did: every module (and why it is there), every data file, every import
//! that found nothing or was excluded. Printed as a summary, written as JSON on request.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::graph::{Node, Site};
use crate::analysis::walk::Walk;
use crate::build::compile::{Compiled, Skipped};
use crate::build::data::Collected;
use crate::error::Error;
use crate::output::fsutil;

/// An import that found nothing (or was excluded), and who asked for it.
#[derive(Debug, Clone, Serialize)]
pub struct Missing {
    pub module: String,
    pub importers: Vec<Site>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModuleReport {
    pub name: String,
    /// Path relative to its search root.
    pub origin: String,
    pub kind: &'static str,
    /// `stdlib`, the distribution that ships it (from its `.dist-info`), or `program`.
    pub distribution: String,
    /// Size of its compiled code in the payload.
    pub bytes: usize,
    /// The import chain that pulled it in, from the entry (empty for the entry itself
    /// and modules added with --include or by a hook).
    pub imported_by: Vec<String>,
    /// Reached only as part of a whole distribution or a standard-library family, not
    /// through the program's own imports.
    pub optional: bool,
    /// Why a module no import pulled in is here (its family, its whole distribution).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub because: Option<String>,
}

/// What the build wrote.
pub struct Output {
    pub path: PathBuf,
    pub stub: PathBuf,
    pub payload_bytes: usize,
    pub bytes: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct DataReport {
    pub path: String,
    pub bytes: usize,
    pub distribution: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExtensionReport {
    pub module: String,
    pub file: String,
    pub importer: String,
    /// Importers from the entry down to the module that imports the extension.
    pub chain: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub output: PathBuf,
    pub stub: PathBuf,
    pub entry: String,
    pub modules: Vec<ModuleReport>,
    pub data: Vec<DataReport>,
    pub missing: Vec<Missing>,
    /// Imports of optional modules that found nothing (CPython fails only if such a
    /// module runs).
    pub optional_missing: Vec<Missing>,
    pub excluded: Vec<Missing>,
    /// Distributions bundled whole (all their modules and data), and why.
    pub whole_distributions: Vec<crate::analysis::whole::Whole>,
    /// Optional modules left out because they cannot be read or do not compile.
    pub skipped_modules: Vec<Skipped>,
    /// Compiled extensions imported inside `try`: left out, the importer's fallback runs.
    pub skipped_extensions: Vec<ExtensionReport>,
    /// Compiled extensions reached only through an import inside a function, unguarded:
    /// left out; the program raises ImportError if it calls that function.
    pub lazy_extensions: Vec<ExtensionReport>,
    /// `importlib.import_module(name)` calls whose name is computed at run time
    /// (`file:line`): what they load must be added with --include.
    pub dynamic_imports: Vec<String>,
    pub payload_bytes: usize,
    pub output_bytes: usize,
}

fn extension_reports(
    graph: &crate::analysis::graph::Graph,
    which: impl Fn(&crate::analysis::graph::ExtensionImport) -> bool,
) -> Vec<ExtensionReport> {
    graph
        .extensions
        .iter()
        .filter(|e| which(e))
        .map(|e| ExtensionReport {
            module: e.module.clone(),
            file: crate::analysis::resolve::display(&e.file),
            importer: format!("{}:{}", e.site.file, e.site.line),
            chain: e.chain.join(" → "),
        })
        .collect()
}

fn sites(
    map: &std::collections::BTreeMap<String, std::collections::BTreeSet<Site>>,
) -> Vec<Missing> {
    map.iter()
        .map(|(module, sites)| Missing {
            module: module.clone(),
            importers: sites.iter().cloned().collect(),
        })
        .collect()
}

/// One bundled module as the report shows it.
fn module_report(node: &Node, bytes: usize, walk: &Walk, data: &Collected) -> ModuleReport {
    let found = &node.found;
    let top = found.name.split('.').next().unwrap_or_default();
    let distribution = if found.is_stdlib() {
        "stdlib".to_owned()
    } else {
        data.distributions
            .get(top)
            .cloned()
            .unwrap_or_else(|| "program".to_owned())
    };
    let imported_by = match node.importer {
        Some(_) => {
            let mut chain = walk.graph.chain(&found.name);
            chain.pop();
            chain
        }
        None => Vec::new(),
    };
    ModuleReport {
        name: found.name.clone(),
        origin: found.origin.clone(),
        kind: found.kind.label(),
        distribution,
        bytes,
        imported_by,
        optional: node.optional,
        because: match node.importer {
            Some(_) => None,
            None => walk.optional.get(&found.name).cloned(),
        },
    }
}

impl Report {
    pub fn new(
        entry: &str,
        walk: &Walk,
        compiled: &Compiled,
        data: &Collected,
        output: Output,
    ) -> Self {
        let graph = &walk.graph;
        let modules = graph
            .modules
            .values()
            .filter_map(|node| {
                let code = compiled.codes.get(&node.found.name)?;
                Some(module_report(node, code.len(), walk, data))
            })
            .collect();
        Report {
            output: output.path,
            stub: output.stub,
            entry: entry.to_owned(),
            modules,
            data: data
                .files
                .iter()
                .map(|f| DataReport {
                    path: f.path.clone(),
                    bytes: f.bytes.len(),
                    distribution: f.distribution.clone(),
                })
                .collect(),
            missing: sites(&graph.missing),
            optional_missing: sites(&graph.optional_missing),
            excluded: sites(&graph.excluded),
            whole_distributions: walk.whole.clone(),
            skipped_modules: compiled.skipped.clone(),
            skipped_extensions: extension_reports(graph, |e| e.guarded),
            lazy_extensions: extension_reports(graph, |e| !e.guarded && e.lazy),
            dynamic_imports: graph
                .dynamic
                .iter()
                .filter(|s| !s.stdlib)
                .map(|s| format!("{}:{}", s.file, s.line))
                .collect(),
            payload_bytes: output.payload_bytes,
            output_bytes: output.bytes,
        }
    }

    /// Write the report as pretty JSON (atomically, like the output).
    pub fn write_json(&self, path: &Path) -> Result<(), Error> {
        let text = serde_json::to_string_pretty(self).expect("a report always serializes");
        let failed = |why| Error::Report {
            path: path.to_path_buf(),
            why,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| failed(fsutil::Why::Io(e)))?;
        }
        fsutil::write_file_atomically(path, format!("{text}\n").as_bytes(), false)
            .map_err(|e| failed(e.why))
    }
}
