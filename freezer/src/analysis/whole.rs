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

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::analysis::dist::{Distribution, Index, LAUNCHER_GROUPS};
use crate::analysis::graph::{Graph, Node};
use crate::analysis::resolve::{Resolved, Resolver};

/// A distribution bundled whole, and the reason.
#[derive(Debug, Clone, Serialize)]
pub struct Whole {
    pub distribution: String,
    pub because: String,
}

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

/// The short one-line string literals of a source (`"flake8.extension"`), roughly: what
/// sits between two equal quotes on one line. Enough to find entry-point group names.
fn string_literals(text: &str) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let mut rest = line;
        while let Some(start) = rest.find(['"', '\'']) {
            let quote = rest.as_bytes()[start] as char;
            let after = &rest[start + 1..];
            let Some(end) = after.find(quote) else { break };
            out.insert(&after[..end]);
            rest = &after[end + 1..];
        }
    }
    out
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
    let mut candidates: Vec<(&Distribution, String)> = Vec::new();
    for (name, because) in crate::analysis::rules::loaded_distributions(graph) {
        if let Some(dist) = index.named(name) {
            candidates.push((dist, because));
        }
    }
    for node in graph.modules.values().filter(|n| !n.optional) {
        if let Some(dist) = index.owner(&node.found) {
            candidates.push((dist, reached(node)));
        }
    }
    if plugins {
        candidates.extend(plugin_hosts(graph, index));
    }
    let mut new: Vec<(&Distribution, String)> = Vec::new();
    for (dist, because) in candidates {
        if !whole.iter().any(|w| w.distribution == dist.name) {
            whole.push(Whole {
                distribution: dist.name.clone(),
                because: because.clone(),
            });
            new.push((dist, because));
        }
    }
    let mut modules = BTreeMap::new();
    for (dist, because) in new {
        let why = format!("distribution {} is bundled whole: {because}", dist.name);
        for module in &dist.modules {
            add_with_parents(graph, resolver, dist, module, &why, &mut modules);
        }
    }
    modules
}

/// Distributions that register entry points in a group a bundled (non-stdlib) module
/// reads (the group's name is a string literal in its code), with the reason.
fn plugin_hosts<'i>(graph: &Graph, index: &'i Index) -> Vec<(&'i Distribution, String)> {
    let groups: BTreeSet<&str> = index
        .dists
        .iter()
        .flat_map(|d| d.entry_points.keys())
        .map(String::as_str)
        .filter(|g| !LAUNCHER_GROUPS.contains(g))
        .collect();
    // Group name → the first bundled module naming it.
    let mut readers: BTreeMap<&str, &Node> = BTreeMap::new();
    for node in graph.modules.values().filter(|n| !n.found.is_stdlib()) {
        for literal in string_literals(&node.text) {
            if let Some(group) = groups.get(literal) {
                readers.entry(group).or_insert(node);
            }
        }
    }
    let mut found = Vec::new();
    for dist in &index.dists {
        let reader = dist
            .entry_points
            .keys()
            .find_map(|g| readers.get_key_value(g.as_str()));
        if let Some((group, node)) = reader {
            let because = format!(
                "it registers entry points in group '{group}', which module {} reads ({})",
                node.found.name,
                node.found.display_path()
            );
            found.push((dist, because));
        }
    }
    found
}

/// `module` of `dist` and its parent packages, those not yet in the graph or `modules`,
/// added to `modules` with `why`.
fn add_with_parents(
    graph: &Graph,
    resolver: &Resolver,
    dist: &Distribution,
    module: &str,
    why: &str,
    modules: &mut BTreeMap<String, String>,
) {
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
        if i == parts.len() && found.root != dist.code_root {
            continue;
        }
        modules.insert(name, why.to_owned());
    }
}

/// The program's own top-level packages (found on its own source roots, installed by no
/// distribution) that the graph reaches, each with every module below it not yet in the
/// graph and the reason: the program's own code is bundled whole, as a distribution is,
/// so `pkgutil.iter_modules` and `importlib.import_module` of computed names find what
/// CPython finds. Excluded modules stay out.
pub fn own_packages(graph: &Graph, index: &Index, resolver: &Resolver) -> BTreeMap<String, String> {
    let mut tops: BTreeSet<&str> = BTreeSet::new();
    for node in graph.modules.values().filter(|n| !n.optional) {
        let found = &node.found;
        if found.root < resolver.own_roots && !found.is_stdlib() && index.owner(found).is_none() {
            tops.insert(found.name.split('.').next().unwrap_or(&found.name));
        }
    }
    let mut modules = BTreeMap::new();
    for top in tops {
        let Resolved::Found(package) = resolver.resolve(top) else {
            continue;
        };
        if package.kind == freeze_payload::ModuleKind::Module || package.root >= resolver.own_roots
        {
            continue;
        }
        let why = format!(
            "package {top} is the program's own ({}): bundled whole",
            package.display_path()
        );
        for name in resolver.submodules(&package) {
            if !graph.modules.contains_key(&name)
                && matches!(resolver.resolve(&name), Resolved::Found(_))
            {
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
            out.push((dist.code_root, path.as_str(), dist.name.as_str()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn string_literals_on_one_line() {
        let found = super::string_literals(
            "eps = entry_points(group=\"flake8.extension\")\nx = {'pytest11': 1, \"a'b\": 2}\n",
        );
        assert!(found.contains("flake8.extension") && found.contains("pytest11"));
        assert!(found.contains("a'b"));
    }
}
