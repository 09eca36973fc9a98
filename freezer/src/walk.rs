//! The whole walk: the module graph from the entry, then what it implies, as optional
//! modules — packages known to import plugins by computed names ([`crate::hooks`]), the
//! standard library's families found by name at run time ([`crate::families`]), and
//! distributions that come whole ([`crate::whole`]). Each can pull in more; the walk
//! goes on from what they add until nothing changes.

use std::collections::BTreeMap;

use crate::cache::Cache;
use crate::distribution::Index;
use crate::graph::{Graph, Walker};
use crate::resolve::{Found, ReadError, Resolved, Resolver};
use crate::target::Target;
use crate::whole::{self, Whole};
use crate::{families, hooks};

/// The walk's result.
pub struct Walk {
    pub graph: Graph,
    /// Distributions bundled whole, and why.
    pub whole: Vec<Whole>,
    /// Modules added by a hook, a family or a whole distribution → why.
    pub optional: BTreeMap<String, String>,
}

/// Walk from `start`; `plugins`: bring the installed plugins of bundled distributions.
pub fn walk(
    resolver: &Resolver,
    index: &Index,
    start: Vec<Found>,
    plugins: bool,
    cache: Option<&Cache>,
) -> Result<Walk, ReadError> {
    let mut walker = Walker::new(resolver, cache);
    for found in start {
        walker.add(found, false);
    }
    let mut optional: BTreeMap<String, String> = BTreeMap::new();
    let mut whole: Vec<Whole> = Vec::new();
    loop {
        walker.run()?;
        let graph = walker.graph();
        let mut more = hooks::extra_modules(graph, resolver);
        more.extend(families::extra_modules(graph, resolver));
        more.extend(whole::extend(graph, index, resolver, plugins, &mut whole));
        more.retain(|name, _| !optional.contains_key(name));
        if more.is_empty() {
            break;
        }
        for name in more.keys() {
            if let Resolved::Found(found) = resolver.resolve(name) {
                walker.add(found, true);
            }
        }
        optional.extend(more);
    }
    Ok(Walk {
        graph: walker.finish(),
        whole,
        optional,
    })
}

impl Walk {
    /// Freezing for another OS: its platform-only native modules (msvcrt, termios, …) are
    /// absent from this host's VM but present in the output's, so they are not missing.
    pub fn for_target(mut self, target: Option<&Target>) -> Self {
        if let Some(target) = target {
            self.graph
                .missing
                .retain(|module, _| !target.has_native_module(module));
        }
        self
    }
}
