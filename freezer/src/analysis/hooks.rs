//! What static analysis cannot see: packages that import their plugins by names computed
//! at run time, and modules that native code imports. When such a package is bundled, its plugin packages come with it (as
//! optional modules), as PyInstaller's hooks do — even a copy installed without its
//! `.dist-info`, which the whole-distribution rule cannot see. Anything else can be added
//! with `--include`.

use std::collections::BTreeMap;

use crate::analysis::graph::Graph;
use crate::analysis::resolve::{Resolved, Resolver};

/// (bundled module that triggers the hook, modules that come along: a package brings all
/// its submodules).
const HOOKS: &[(&str, &[&str])] = &[
    // multiprocessing picks its start method's modules (popen_*, forkserver, spawn,
    // resource_tracker) by name, and its child processes run them: all must be there.
    ("multiprocessing", &["multiprocessing"]),
    // The native `_sqlite3` imports `sqlite3.dump` for `Connection.iterdump()`.
    ("sqlite3", &["sqlite3.dump"]),
    (
        // pygments finds lexers, formatters, styles and filters through name tables.
        "pygments",
        &[
            "pygments.lexers",
            "pygments.formatters",
            "pygments.styles",
            "pygments.filters",
        ],
    ),
];

/// Modules the hooks add that the graph does not hold yet, each with the module that
/// triggers the hook and the reason.
pub fn extra_modules(graph: &Graph, resolver: &Resolver) -> BTreeMap<String, (String, String)> {
    let mut extra = BTreeMap::new();
    for (trigger, packages) in HOOKS {
        if !graph.modules.contains_key(*trigger) {
            continue;
        }
        for package in *packages {
            if let Resolved::Found(found) = resolver.resolve(package) {
                for name in std::iter::once(package.to_string()).chain(resolver.submodules(&found))
                {
                    if !graph.modules.contains_key(&name) && !resolver.is_excluded(&name) {
                        extra.entry(name).or_insert_with(|| {
                            let why = format!(
                                "{trigger} is bundled and imports the modules of {package} by name"
                            );
                            (trigger.to_string(), why)
                        });
                    }
                }
            }
        }
    }
    extra
}
