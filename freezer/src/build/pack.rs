//! The payload: every module's code (with the program's own sources, for tracebacks),
//! the data files, the entry and the optimisation level, in the format `freeze-payload`
//! defines and the runtime stub reads.

use freeze_payload::PayloadBuilder;

use crate::analysis::graph::Graph;
use crate::build::compile::Compiled;
use crate::build::data::Collected;

/// How the payload is built beyond what it holds.
pub struct Packing<'a> {
    /// The module run as `__main__`.
    pub entry: &'a str,
    pub optimize: u8,
    /// Keep the program's own sources (stdlib sources are never kept: tracebacks show
    /// their file and line).
    pub keep_source: bool,
}

pub fn pack(packing: Packing<'_>, graph: &Graph, compiled: &Compiled, data: &Collected) -> Vec<u8> {
    let mut builder = PayloadBuilder::new(packing.entry.to_owned(), packing.optimize);
    for node in graph.modules.values() {
        let found = &node.found;
        let Some(code) = compiled.codes.get(&found.name) else {
            continue;
        };
        let source = (packing.keep_source && !found.is_stdlib()).then(|| node.text.clone());
        builder.add_module(&found.name, found.kind, &found.origin, code.clone(), source);
    }
    for file in &data.files {
        builder.add_data(&file.path, file.bytes.clone());
    }
    builder.finish()
}
