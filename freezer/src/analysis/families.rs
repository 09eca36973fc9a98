//! Standard-library modules found by name at run time, which no import statement names:
//! the codec modules `codecs.lookup` loads as `encodings.<name>`, the back ends of `dbm`,
//! `xml.dom` and `xml.sax`, the handler classes `logging.config` loads from strings, and
//! the Python modules the VM's own native modules import (`_codecs` → `_pycodecs`,
//! `time.strptime` → `_strptime`). When the host is bundled, the family comes whole, as
//! optional modules: a member that needs what RustPython lacks (a CJK codec's
//! `_codecs_jp`) is left as it is, failing at run time as it does unfrozen.
//!
//! The standard library otherwise stays module-granular.

use std::collections::BTreeMap;

use crate::analysis::graph::Graph;
use crate::analysis::resolve::{Resolved, Resolver};

/// (module or native module that loads by name, what it loads, why).
const FAMILIES: &[(&str, &[&str], &str)] = &[
    (
        "encodings",
        &["encodings", "_pycodecs"],
        "codecs.lookup imports encodings.<name> by the codec's name (RustPython runs the charmap codecs among them through _pycodecs)",
    ),
    (
        "_codecs",
        &["_pycodecs"],
        "RustPython's native _codecs runs its charmap codecs from _pycodecs",
    ),
    (
        "_io",
        &["locale"],
        "open() without an encoding asks locale.getencoding()",
    ),
    (
        "time",
        &["_strptime"],
        "time.strptime imports _strptime when called",
    ),
    (
        "_datetime",
        &["_strptime"],
        "datetime.strptime imports _strptime when called",
    ),
    (
        "_pickle",
        &["_compat_pickle"],
        "RustPython's native _pickle imports _compat_pickle for protocol 2 names",
    ),
    (
        "_elementtree",
        &["xml.etree.ElementPath"],
        "RustPython's native _elementtree runs find() through xml.etree.ElementPath",
    ),
    (
        "dbm",
        &["dbm"],
        "dbm.open imports the back end (dbm.sqlite3, dbm.gnu, dbm.ndbm, dbm.dumb) by name",
    ),
    (
        "xml.dom.domreg",
        &["xml.dom.minidom"],
        "xml.dom.getDOMImplementation imports xml.dom.minidom by name",
    ),
    (
        "xml.sax",
        &["xml.sax.expatreader"],
        "xml.sax.make_parser imports xml.sax.expatreader by name",
    ),
    (
        "logging.config",
        &["logging.handlers"],
        "logging.config resolves handler classes such as 'logging.handlers.RotatingFileHandler' from strings",
    ),
];

/// Modules the families of the bundled (or natively provided) modules add, each with the
/// family's host and the reason; a package in a family brings all its submodules.
pub fn extra_modules(graph: &Graph, resolver: &Resolver) -> BTreeMap<String, (String, String)> {
    let mut extra = BTreeMap::new();
    for (host, members, why) in FAMILIES {
        if !graph.modules.contains_key(*host) && !graph.native.contains(*host) {
            continue;
        }
        for member in *members {
            let Resolved::Found(found) = resolver.resolve(member) else {
                continue;
            };
            let names = std::iter::once(member.to_string()).chain(resolver.submodules(&found));
            for name in names {
                if !graph.modules.contains_key(&name) && !resolver.is_excluded(&name) {
                    extra.entry(name).or_insert_with(|| {
                        (host.to_string(), format!("{host} is bundled and {why}"))
                    });
                }
            }
        }
    }
    extra
}
