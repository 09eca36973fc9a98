//! What static analysis cannot see, in one table: each [`Rule`] is one row — what
//! triggers it, what it brings, and why — as PyInstaller keeps one hook per module.
//!
//! - **Runtime** rows: modules every output carries because the runtime calls into them.
//! - **Module** rows: a bundled (or natively provided) module loads others by names
//!   computed at run time — a third-party package's plugin tables (pygments' lexers), a
//!   standard-library family (`codecs.lookup` → `encodings.<name>`), a Python module a
//!   native one imports (`_codecs` → `_pycodecs`). What they bring are optional modules
//!   (a package brings all its submodules); a member that needs what RustPython lacks is
//!   left as it is, failing at run time as it does unfrozen.
//! - **Distribution** rows: a bundled standard-library module loads an installed
//!   distribution by computed names (`zoneinfo` → `tzdata`); it comes whole.
//!
//! Not here, because they are of another shape: the calls the import scanner reads a
//! module name from (`CALL_RULES` in [`crate::analysis::imports`]), the per-OS native
//! modules ([`crate::output::target`]) and the runtime's own fix-ups of standard-library
//! modules at import time (`_BEFORE_EXEC`/`_AFTER_EXEC` in `runtime-stub/src/bootstrap.py`).

use std::collections::BTreeMap;

use crate::analysis::graph::Graph;
use crate::analysis::resolve::{Resolved, Resolver};

/// What makes a rule apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Every build: the runtime itself calls into what the rule brings.
    Runtime,
    /// The module is bundled, or the VM provides it natively.
    Module(&'static str),
}

/// What a rule adds to the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Brings {
    /// Modules, each with all its submodules when it is a package.
    Modules(&'static [&'static str]),
    /// An installed distribution, whole.
    Distribution(&'static str),
}

/// One row: when it applies, what it brings, and why (completing "`trigger` is bundled
/// and …").
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub trigger: Trigger,
    pub brings: Brings,
    pub why: &'static str,
}

const fn modules(
    trigger: &'static str,
    brings: &'static [&'static str],
    why: &'static str,
) -> Rule {
    Rule {
        trigger: Trigger::Module(trigger),
        brings: Brings::Modules(brings),
        why,
    }
}

pub const RULES: &[Rule] = &[
    Rule {
        trigger: Trigger::Runtime,
        brings: Brings::Modules(&["traceback", "linecache", "encodings"]),
        why: "the runtime formats uncaught exceptions with traceback and linecache, and loads codecs through encodings",
    },
    // Third-party and standard-library packages that import their plugins by name.
    modules(
        "multiprocessing",
        &["multiprocessing"],
        "picks its start method's modules (popen_*, forkserver, spawn, resource_tracker) by name, and its child processes run them",
    ),
    modules(
        "sqlite3",
        &["sqlite3.dump"],
        "the native _sqlite3 imports sqlite3.dump for Connection.iterdump()",
    ),
    modules(
        "pygments",
        &[
            "pygments.lexers",
            "pygments.formatters",
            "pygments.styles",
            "pygments.filters",
        ],
        "finds lexers, formatters, styles and filters through name tables",
    ),
    // The standard library's families found by name at run time.
    modules(
        "encodings",
        &["encodings", "_pycodecs"],
        "codecs.lookup imports encodings.<name> by the codec's name (RustPython runs the charmap codecs among them through _pycodecs)",
    ),
    modules(
        "_codecs",
        &["_pycodecs"],
        "RustPython's native _codecs runs its charmap codecs from _pycodecs",
    ),
    modules(
        "_io",
        &["locale"],
        "open() without an encoding asks locale.getencoding()",
    ),
    modules(
        "time",
        &["_strptime"],
        "time.strptime imports _strptime when called",
    ),
    modules(
        "_datetime",
        &["_strptime"],
        "datetime.strptime imports _strptime when called",
    ),
    modules(
        "_pickle",
        &["_compat_pickle"],
        "RustPython's native _pickle imports _compat_pickle for protocol 2 names",
    ),
    modules(
        "_elementtree",
        &["xml.etree.ElementPath"],
        "RustPython's native _elementtree runs find() through xml.etree.ElementPath",
    ),
    modules(
        "dbm",
        &["dbm"],
        "dbm.open imports the back end (dbm.sqlite3, dbm.gnu, dbm.ndbm, dbm.dumb) by name",
    ),
    modules(
        "xml.dom.domreg",
        &["xml.dom.minidom"],
        "xml.dom.getDOMImplementation imports xml.dom.minidom by name",
    ),
    modules(
        "xml.sax",
        &["xml.sax.expatreader"],
        "xml.sax.make_parser imports xml.sax.expatreader by name",
    ),
    modules(
        "logging.config",
        &["logging.handlers"],
        "logging.config resolves handler classes such as 'logging.handlers.RotatingFileHandler' from strings",
    ),
    Rule {
        trigger: Trigger::Module("zoneinfo"),
        brings: Brings::Distribution("tzdata"),
        why: "loads time zones from it by name through importlib.resources",
    },
];

/// Modules the runtime stub itself defines at start (runtime-stub/src/bootstrap.py): an
/// import of one is never missing.
const RUNTIME_PROVIDED: &[&str] = &["freeze_data"];

/// Whether the runtime stub itself provides `module`.
pub fn runtime_provides(module: &str) -> bool {
    RUNTIME_PROVIDED.contains(&module)
}

/// The modules every output carries because the runtime calls into them.
pub fn runtime_modules() -> impl Iterator<Item = &'static str> {
    RULES
        .iter()
        .flat_map(|rule| match (rule.trigger, rule.brings) {
            (Trigger::Runtime, Brings::Modules(names)) => names,
            _ => &[][..],
        })
        .copied()
}

/// Whether `module` is in the graph or provided natively by the VM.
fn present(graph: &Graph, module: &str) -> bool {
    graph.modules.contains_key(module) || graph.native.contains(module)
}

/// Modules the module rules of the bundled (or native) modules add that the graph does
/// not hold yet, each with the rule's trigger and the reason.
pub fn extra_modules(graph: &Graph, resolver: &Resolver) -> BTreeMap<String, (String, String)> {
    let mut extra = BTreeMap::new();
    for rule in RULES {
        let (Trigger::Module(trigger), Brings::Modules(members)) = (rule.trigger, rule.brings)
        else {
            continue;
        };
        if !present(graph, trigger) {
            continue;
        }
        for member in members {
            let Resolved::Found(found) = resolver.resolve(member) else {
                continue;
            };
            let names = std::iter::once(member.to_string()).chain(resolver.submodules(&found));
            for name in names {
                if !graph.modules.contains_key(&name) && !resolver.is_excluded(&name) {
                    extra.entry(name).or_insert_with(|| {
                        (
                            trigger.to_owned(),
                            format!("{trigger} is bundled and {}", rule.why),
                        )
                    });
                }
            }
        }
    }
    extra
}

/// The distributions that bundled modules load by computed names: (distribution name,
/// why), for the modules in the graph.
pub fn loaded_distributions(graph: &Graph) -> Vec<(&'static str, String)> {
    RULES
        .iter()
        .filter_map(|rule| match (rule.trigger, rule.brings) {
            (Trigger::Module(module), Brings::Distribution(dist))
                if graph.modules.contains_key(module) =>
            {
                Some((dist, format!("module {module} is bundled and {}", rule.why)))
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_names_real_modules_and_a_reason() {
        for rule in RULES {
            assert!(!rule.why.is_empty() && !rule.why.ends_with('.'), "{rule:?}");
            if let Brings::Modules(names) = rule.brings {
                assert!(!names.is_empty(), "{rule:?}");
                for name in names {
                    assert!(
                        name.split('.').all(crate::analysis::imports::is_identifier),
                        "{name}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_runtime_carries_its_traceback_and_codec_modules() {
        let names: Vec<_> = runtime_modules().collect();
        assert_eq!(names, ["traceback", "linecache", "encodings"]);
    }
}
