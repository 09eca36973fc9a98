//! How a distribution points at code outside its root: `direct_url.json` (PEP 610: where
//! it was installed from, and whether editable), `.pth` files with directory lines
//! (hatchling, PDM, uv, Poetry, setuptools' compat mode) and setuptools' `__editable__`
//! finder modules (a `MAPPING` of top-level names to source directories).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// `direct_url.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectUrl {
    pub url: String,
    /// `dir_info.editable`: installed with `pip install -e` (or uv, PDM, Poetry's
    /// development mode).
    pub editable: bool,
}

impl DirectUrl {
    pub fn parse(text: &str) -> Option<Self> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        Some(DirectUrl {
            url: value.get("url")?.as_str()?.to_owned(),
            editable: value
                .pointer("/dir_info/editable")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false),
        })
    }

    /// The local directory of a `file://` URL.
    pub fn local_dir(&self) -> Option<PathBuf> {
        let path = self.url.strip_prefix("file://")?;
        Some(PathBuf::from(percent_decode(path)))
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The directories a `.pth` file adds to `sys.path`, as `site` reads it: every line that
/// is not blank, a comment or an `import` line, relative to the file's directory, kept
/// when it exists.
pub fn pth_dirs(pth: &Path) -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string(pth) else {
        return Vec::new();
    };
    let base = pth.parent().unwrap_or(Path::new("."));
    text.lines()
        .map(str::trim_end)
        .filter(|line| {
            !line.trim().is_empty()
                && !line.starts_with('#')
                && !line.starts_with("import ")
                && !line.starts_with("import\t")
        })
        .map(|line| base.join(line))
        .filter(|dir| dir.is_dir())
        .collect()
}

/// Directory names at the top of a source tree that are never the project's packages.
const NOT_PACKAGES: &[&str] = &[
    "tests",
    "test",
    "docs",
    "doc",
    "examples",
    "benchmarks",
    "build",
    "dist",
    "scripts",
];
/// Files at the top of a source tree that are never the project's modules.
const NOT_MODULES: &[&str] = &["setup", "conftest", "noxfile", "fabfile", "tasks"];

/// The project's top-level packages and modules in a source directory an editable
/// install points at: those `top_level.txt` names; else the one named as the project
/// (`my-app` → `my_app`); else every package and module there except tests, docs and
/// build scripts.
pub fn project_packages(dir: &Path, project: &str, top_level: &BTreeSet<String>) -> Vec<String> {
    let exists = |name: &str| dir.join(name).is_dir() || dir.join(format!("{name}.py")).is_file();
    let listed: Vec<String> = top_level.iter().filter(|n| exists(n)).cloned().collect();
    if !listed.is_empty() {
        return listed;
    }
    let own = project.to_ascii_lowercase().replace(['-', '.'], "_");
    if exists(&own) {
        return vec![own];
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let path = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if path.is_dir() && path.join("__init__.py").is_file() {
                (!NOT_PACKAGES.contains(&name.as_str())).then_some(name)
            } else {
                let stem = name.strip_suffix(".py")?;
                (!NOT_MODULES.contains(&stem)).then(|| stem.to_owned())
            }
        })
        .filter(|n| crate::analysis::imports::is_identifier(n))
        .collect();
    names.sort();
    names
}

/// `MAPPING = {'todo': '/home/me/todo/src/todo'}` of a setuptools `__editable__` finder
/// module: top-level name → its source directory (or `.py` file).
pub fn finder_mapping(source: &str) -> BTreeMap<String, PathBuf> {
    let Some(start) = source.find("MAPPING") else {
        return BTreeMap::new();
    };
    let rest = &source[start..];
    let (Some(open), Some(close)) = (rest.find('{'), rest.find('}')) else {
        return BTreeMap::new();
    };
    if close < open {
        return BTreeMap::new();
    }
    let strings = quoted_strings(&rest[open + 1..close]);
    strings
        .chunks_exact(2)
        .map(|pair| (pair[0].clone(), PathBuf::from(&pair[1])))
        .collect()
}

/// The contents of the quoted strings in `text`, in order (backslash escapes kept as
/// their character).
fn quoted_strings(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\'' && c != '"' {
            continue;
        }
        let mut value = String::new();
        while let Some(next) = chars.next() {
            match next {
                '\\' => value.extend(chars.next()),
                q if q == c => break,
                other => value.push(other),
            }
        }
        out.push(value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_url_of_an_editable_install() {
        let url = DirectUrl::parse(
            r#"{"url": "file:///home/me/my%20todo", "dir_info": {"editable": true}}"#,
        )
        .unwrap();
        assert!(url.editable);
        assert_eq!(url.local_dir().unwrap(), Path::new("/home/me/my todo"));
        let wheel = DirectUrl::parse(r#"{"url": "https://x/y.whl", "archive_info": {}}"#);
        assert!(!wheel.unwrap().editable);
    }

    #[test]
    fn finder_mapping_of_setuptools() {
        let source = "import sys\nMAPPING: dict[str, str] = {'todo': '/p/src/todo', \"x\": 'C:\\\\p\\\\x'}\nNAMESPACES: dict[str, list[str]] = {}\n";
        let mapping = finder_mapping(source);
        assert_eq!(mapping["todo"], Path::new("/p/src/todo"));
        assert_eq!(mapping["x"], Path::new("C:\\p\\x"));
    }

    #[test]
    fn pth_directory_lines_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        let pth = dir.path().join("_todo.pth");
        std::fs::write(&pth, "# comment\nsrc\nimport os; os.x\nmissing\n\n").unwrap();
        assert_eq!(pth_dirs(&pth), [dir.path().join("src")]);
    }
}
