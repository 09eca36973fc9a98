//! The whole walk: the module graph from the entry, then what it implies, as optional
//! modules — what the [`crate::analysis::rules`] table says bundled modules load by computed
//! names (plugin packages, the standard library's families), and distributions that come
//! whole ([`crate::analysis::whole`]). Each can pull in more; the walk
//! goes on from what they add until nothing changes.

use std::collections::BTreeMap;

use crate::analysis::distribution::Index;
use crate::analysis::graph::{Graph, Root, Walker};
use crate::analysis::resolve::{Found, ReadError, Resolved, Resolver};
use crate::analysis::rules;
use crate::analysis::whole::{self, Whole};
use crate::build::cache::Cache;
use crate::output::target::Target;

/// The walk's result.
pub struct Walk {
    pub graph: Graph,
    /// Distributions bundled whole, and why.
    pub whole: Vec<Whole>,
    /// Modules added by a hook, a family or a whole distribution → why.
    pub optional: BTreeMap<String, String>,
}

/// Walk from `start` and from the modules the `runtime` calls into; `plugins`: bring the
/// installed plugins of bundled distributions.
pub fn walk(
    resolver: &Resolver,
    index: &Index,
    start: Vec<Found>,
    runtime: Vec<Found>,
    plugins: bool,
    cache: Option<&Cache>,
) -> Result<Walk, ReadError> {
    let mut walker = Walker::new(resolver, cache);
    for found in start {
        walker.add(found, Root::Entry);
    }
    for found in runtime {
        walker.add(found, Root::Runtime);
    }
    let mut optional: BTreeMap<String, String> = BTreeMap::new();
    let mut whole: Vec<Whole> = Vec::new();
    loop {
        walker.run()?;
        let graph = walker.graph();
        // Each added module with the module that brought it (None: a distribution).
        let mut more: BTreeMap<String, (Option<String>, String)> = BTreeMap::new();
        let by_host = rules::extra_modules(graph, resolver);
        more.extend(
            by_host
                .into_iter()
                .map(|(name, (host, why))| (name, (Some(host), why))),
        );
        let wholes = whole::extend(graph, index, resolver, plugins, &mut whole);
        more.extend(wholes.into_iter().map(|(name, why)| (name, (None, why))));
        let mut changed = false;
        for (name, (host, why)) in more {
            // What a module only the runtime reaches brings is the runtime's too.
            let root = match &host {
                Some(host) if walker.is_shallow(host) => Root::OptionalRuntime,
                _ => Root::Optional,
            };
            if optional.contains_key(&name) {
                // Its host has since been reached by the program.
                if root == Root::Optional && walker.is_shallow(&name) {
                    walker.deepen_root(&name);
                    changed = true;
                }
                continue;
            }
            if let Resolved::Found(found) = resolver.resolve(&name) {
                walker.add(found, root);
            }
            optional.insert(name, why);
            changed = true;
        }
        if !changed {
            break;
        }
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
