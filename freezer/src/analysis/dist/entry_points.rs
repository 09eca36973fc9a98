//! `entry_points.txt`: an INI file of groups, each mapping entry names to `module:attr`.

use std::collections::BTreeMap;

/// One entry point: `name = module:attr [extras]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryPoint {
    pub name: String,
    pub value: String,
}

/// `[group]` sections, each with its entries in file order.
pub fn parse(text: &str) -> BTreeMap<String, Vec<EntryPoint>> {
    let mut groups: BTreeMap<String, Vec<EntryPoint>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(group) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let group = group.trim().to_owned();
            groups.entry(group.clone()).or_default();
            current = Some(group);
        } else if let (Some(group), Some((name, value))) = (&current, line.split_once('=')) {
            groups.entry(group.clone()).or_default().push(EntryPoint {
                name: name.trim().to_owned(),
                value: value.trim().to_owned(),
            });
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    #[test]
    fn entry_points_by_group() {
        let text = "[console_scripts]\ntool = pkg.cli:main\n\n[flake8.extension]\nB = bugbear:Checker\nC9 = mccabe:McCabe\n";
        let groups = super::parse(text);
        let names: Vec<&str> = groups["flake8.extension"]
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(names, ["B", "C9"]);
        assert_eq!(groups["console_scripts"][0].value, "pkg.cli:main");
    }
}
