//! `[tool.freeze]` in `pyproject.toml`: every flag can live there; flags win.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The `[tool.freeze]` table. Paths are relative to the directory of `pyproject.toml`.
#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Entry script (or directory with `__main__.py`).
    pub entry: Option<PathBuf>,
    /// Module run as with `python -m`.
    pub module: Option<String>,
    /// `module:function` console-script entry.
    pub function: Option<String>,
    pub output: Option<PathBuf>,
    #[serde(default)]
    pub path: Vec<PathBuf>,
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    /// `SRC:DEST` pairs.
    #[serde(default)]
    pub add_data: Vec<String>,
    pub optimize: Option<u8>,
    pub no_source: Option<bool>,
    /// Leave out the installed plugins of bundled distributions.
    pub no_plugins: Option<bool>,
    pub stub: Option<PathBuf>,
    pub report: Option<PathBuf>,
    /// The target triple (`--target`).
    pub target: Option<String>,
    /// Print only errors (`-q`).
    pub quiet: Option<bool>,
    /// Explain every decision (`-v`).
    pub verbose: Option<bool>,
}

#[derive(Deserialize)]
struct Pyproject {
    tool: Option<Tool>,
}

#[derive(Deserialize)]
struct Tool {
    freeze: Option<Config>,
}

/// The starter section `freeze init` writes.
pub const TEMPLATE: &str = include_str!("../../templates/pyproject-freeze.toml");

impl Config {
    /// Read `[tool.freeze]` from `dir/pyproject.toml`; a missing file or table is empty.
    pub fn load(dir: &Path) -> Result<Self, String> {
        let path = dir.join("pyproject.toml");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let parsed: Pyproject = toml::from_str(&text).map_err(|e| {
            let msg = e.message().to_owned();
            match e.span() {
                Some(span) => {
                    let line = text[..span.start].matches('\n').count() + 1;
                    let col = span.start - text[..span.start].rfind('\n').map_or(0, |i| i + 1) + 1;
                    format!("{}:{line}:{col}: {msg}", path.display())
                }
                None => format!("{}: {msg}", path.display()),
            }
        })?;
        let mut config = parsed.tool.and_then(|t| t.freeze).unwrap_or_default();
        if config.optimize.is_some_and(|o| o > 2) {
            return Err(format!(
                "{}: [tool.freeze] optimize must be 0, 1 or 2",
                path.display()
            ));
        }
        let rebase = |p: &mut PathBuf| {
            if p.is_relative() && dir != Path::new(".") && dir != Path::new("") {
                *p = dir.join(&*p);
            }
        };
        config.entry.as_mut().map(rebase);
        config.output.as_mut().map(rebase);
        config.stub.as_mut().map(rebase);
        config.report.as_mut().map(rebase);
        config.path.iter_mut().for_each(rebase);
        if config.quiet == Some(true) && config.verbose == Some(true) {
            return Err(format!(
                "{}: [tool.freeze] quiet and verbose cannot both be true",
                path.display()
            ));
        }
        config.add_data = config
            .add_data
            .into_iter()
            .map(|spec| match crate::options::split_add_data(&spec) {
                Some((src, dest))
                    if !Path::new(src).is_absolute()
                        && dir != Path::new(".")
                        && dir != Path::new("") =>
                {
                    format!("{}:{dest}", dir.join(src).display())
                }
                _ => spec,
            })
            .collect();
        Ok(config)
    }
}

/// Add the starter `[tool.freeze]` section to `dir/pyproject.toml` (creating the file).
pub fn init(dir: &Path) -> Result<PathBuf, String> {
    let path = dir.join("pyproject.toml");
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    if existing.lines().any(|l| l.trim() == "[tool.freeze]") {
        return Err(format!(
            "{} already has a [tool.freeze] section",
            path.display()
        ));
    }
    let mut text = existing;
    if !text.is_empty() && !text.ends_with("\n\n") {
        text.push_str(if text.ends_with('\n') { "\n" } else { "\n\n" });
    }
    text.push_str(TEMPLATE);
    crate::output::fsutil::write_file_atomically(&path, text.as_bytes(), false)
        .map_err(|e| e.to_string())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_parses_and_sets_nothing_by_default() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pyproject.toml"), TEMPLATE).unwrap();
        assert_eq!(Config::load(dir.path()).unwrap(), Config::default());
    }

    #[test]
    fn unknown_keys_are_errors_with_a_location() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pyproject.toml"),
            "[tool.freeze]\noutptu = 'x'\n",
        )
        .unwrap();
        let err = Config::load(dir.path()).unwrap_err();
        assert!(
            err.contains("pyproject.toml:2:1: unknown field `outptu`"),
            "{err}"
        );
    }
}
