//! Which distributions are bundled whole, and why.
//!
//! Programs compute module names at run time (`import_module("pkg.plugins." + name)`,
//! tables of module names, per-version data modules), which no static analysis sees. So
//! a distribution the program reaches comes with all its modules and data files; lazy
//! loading makes that cost bytes, never start time. Three things make a distribution
//! whole:
//! - a required import reaches one of its modules;
//! - it registers entry points in a group that a bundled module reads (the group's name
//!   is a string literal in its code): the plugins of a bundled host;
//! - a bundled standard-library module loads it by computed names (`zoneinfo` → `tzdata`).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::distribution::{Distribution, Index, LAUNCHER_GROUPS};
use crate::graph::{Graph, Node, Resolved, Resolver};

/// A distribution bundled whole, and the reason.
#[derive(Debug, Clone, Serialize)]
pub struct Whole {
    pub distribution: String,
    pub because: String,
}

/// Standard-library modules that load a distribution's modules by computed names.
const STDLIB_LOADS: &[(&str, &str, &str)] = &[(
    "zoneinfo",
    "tzdata",
    "loads time zones from it by name through importlib.resources",
)];

/// Why a required module is in the graph, for the reason its distribution is whole.
fn reached(node: &Node) -> String {
    let name = &node.found.name;
    match &node.importer {
        Some((importer, site)) => format!(
            "module {name} was imported by {importer} at {}:{}",
            site.file, site.line
        ),
        None => format!("module {name} is the entry or was asked for"),
    }
}

/// `"group"` or `'group'` in a bundled module's code.
fn reads_group(node: &Node, group: &str) -> bool {
    !node.found.is_stdlib()
        && (node.text.contains(&format!("\"{group}\""))
            || node.text.contains(&format!("'{group}'")))
}

/// Distributions that the graph makes whole and `whole` does not hold yet: each is added
/// to `whole`, and its modules (with their parent packages) not yet in the graph are
/// returned with the reason, to be walked as optional modules.
pub fn extend(
    graph: &Graph,
    index: &Index,
    resolver: &Resolver,
    plugins: bool,
    whole: &mut Vec<Whole>,
) -> BTreeMap<String, String> {
    fn take(dist: &Distribution, because: String, whole: &mut Vec<Whole>) -> Option<String> {
        if whole.iter().any(|w| w.distribution == dist.name) {
            return None;
        }
        whole.push(Whole {
            distribution: dist.name.clone(),
            because: because.clone(),
        });
        Some(because)
    }
    let mut new: Vec<(&Distribution, String)> = Vec::new();
    for (module, dist, why) in STDLIB_LOADS {
        if let (true, Some(dist)) = (graph.modules.contains_key(*module), index.named(dist)) {
            let because = format!("module {module} is bundled and {why}");
            if let Some(because) = take(dist, because, whole) {
                new.push((dist, because));
            }
        }
    }
    let mut reached_dists: Vec<(&Distribution, String)> = Vec::new();
    for node in graph.modules.values().filter(|n| !n.optional) {
        if let Some(dist) = index.owner(&node.found) {
            reached_dists.push((dist, reached(node)));
        }
    }
    for (dist, because) in reached_dists {
        if let Some(because) = take(dist, because, whole) {
            new.push((dist, because));
        }
    }
    if plugins {
        for dist in &index.dists {
            let groups = dist
                .entry_points
                .keys()
                .filter(|g| !LAUNCHER_GROUPS.contains(&g.as_str()));
            let reader = groups.into_iter().find_map(|group| {
                graph
                    .modules
                    .values()
                    .find(|n| reads_group(n, group))
                    .map(|n| (group, n))
            });
            if let Some((group, node)) = reader {
                let because = format!(
                    "it registers entry points in group '{group}', which module {} reads ({})",
                    node.found.name,
                    node.found.display_path()
                );
                if let Some(because) = take(dist, because, whole) {
                    new.push((dist, because));
                }
            }
        }
    }

    let mut modules = BTreeMap::new();
    for (dist, because) in new {
        let why = format!("distribution {} is bundled whole: {because}", dist.name);
        for module in &dist.modules {
            let parts: Vec<&str> = module.split('.').collect();
            for i in 1..=parts.len() {
                let name = parts[..i].join(".");
                if graph.modules.contains_key(&name) || modules.contains_key(&name) {
                    continue;
                }
                // Another root may shadow it, or --exclude leave it out.
                let Resolved::Found(found) = resolver.resolve(&name) else {
                    break;
                };
                if i == parts.len() && found.root != dist.root {
                    continue;
                }
                modules.insert(name, why.clone());
            }
        }
    }
    modules
}

/// Data files of whole distributions: `(root, path relative to it, distribution)`,
/// leaving out those under an excluded package.
pub fn data_files<'i>(
    index: &'i Index,
    resolver: &Resolver,
    whole: &[Whole],
) -> Vec<(usize, &'i str, &'i str)> {
    let mut out = Vec::new();
    for w in whole {
        let Some(dist) = index.named(&w.distribution) else {
            continue;
        };
        for path in &dist.data {
            let dir = path
                .rsplit_once('/')
                .map_or("", |(d, _)| d)
                .replace('/', ".");
            if !dir.is_empty() && resolver.is_excluded(&dir) {
                continue;
            }
            out.push((dist.root, path.as_str(), dist.name.as_str()));
        }
    }
    out
}
