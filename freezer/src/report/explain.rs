//! The `-v` account of a walk: why each distribution came whole, why each module is in
//! and where it was found, and what was left out.

use crate::analysis::walk::Walk;
use crate::progress::Progress;

pub fn explain(walk: &Walk, entry_name: &str, progress: &dyn Progress) {
    let graph = &walk.graph;
    for w in &walk.whole {
        progress.explain(&format!(
            "distribution {}: whole, because {}",
            w.distribution, w.because
        ));
    }
    for node in graph.modules.values() {
        let found = &node.found;
        let why = match &node.importer {
            Some((importer, site)) => {
                format!("imported by {importer} at {}:{}", site.file, site.line)
            }
            None if found.name == entry_name => "the entry".to_owned(),
            None => match walk.optional.get(&found.name) {
                Some(why) => why.clone(),
                None => {
                    "asked for (entry's parents, --include, a hook, or the runtime's traceback)"
                        .to_owned()
                }
            },
        };
        let optional = if node.optional { " [optional]" } else { "" };
        progress.explain(&format!(
            "{} ({}) from {}{optional}: {why}",
            found.name,
            found.origin,
            found.display_path()
        ));
    }
    for (module, sites) in &graph.optional_missing {
        let first = sites.iter().next().expect("a missing import has a site");
        progress.explain(&format!(
            "{module} not found, imported only by optional modules (first at {}:{}); left out",
            first.file, first.line
        ));
    }
    for (module, sites) in &graph.excluded {
        progress.explain(&format!(
            "{module} left out by --exclude (imported at {} place(s))",
            sites.len()
        ));
    }
}
