//! `[tool.freeze]` in `pyproject.toml`: one [`Layer`] of settings (every flag can live
//! there; flags win, see [`crate::settings`]), and `freeze init`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::settings::Layer;

/// `pyproject.toml` that cannot be read as settings.
#[derive(thiserror::Error, Debug)]
pub enum ConfigError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{col}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        col: usize,
        message: String,
    },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error("{} already has a [tool.freeze] section", .0.display())]
    AlreadyInitialised(PathBuf),
    #[error(transparent)]
    Write(#[from] crate::output::fsutil::WriteError),
}

#[derive(Deserialize)]
struct Pyproject {
    tool: Option<Tool>,
}

#[derive(Deserialize)]
struct Tool {
    freeze: Option<Layer>,
}

/// The starter section `freeze init` writes.
pub const TEMPLATE: &str = include_str!("../../templates/pyproject-freeze.toml");

/// `[tool.freeze]` from `dir/pyproject.toml`, its paths made relative to the current
/// directory; a missing file or table is an empty layer.
pub fn load(dir: &Path) -> Result<Layer, ConfigError> {
    let path = dir.join("pyproject.toml");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Layer::default()),
        Err(source) => return Err(ConfigError::Read { path, source }),
    };
    let parsed: Pyproject = toml::from_str(&text).map_err(|e| parse_error(&path, &text, &e))?;
    let layer = parsed.tool.and_then(|t| t.freeze).unwrap_or_default();
    if layer.optimize.is_some_and(|o| o > 2) {
        return Err(invalid(&path, "[tool.freeze] optimize must be 0, 1 or 2"));
    }
    if layer.quiet == Some(true) && layer.verbose == Some(true) {
        return Err(invalid(
            &path,
            "[tool.freeze] quiet and verbose cannot both be true",
        ));
    }
    Ok(rebased(layer, dir))
}

fn parse_error(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    let path = path.to_path_buf();
    let message = e.message().to_owned();
    match e.span() {
        Some(span) => {
            let line = text[..span.start].matches('\n').count() + 1;
            let col = span.start - text[..span.start].rfind('\n').map_or(0, |i| i + 1) + 1;
            ConfigError::Parse {
                path,
                line,
                col,
                message,
            }
        }
        None => ConfigError::Invalid { path, message },
    }
}

fn invalid(path: &Path, message: &str) -> ConfigError {
    ConfigError::Invalid {
        path: path.to_path_buf(),
        message: message.to_owned(),
    }
}

/// `layer` with its relative paths (and `add-data` sources) taken from `dir`.
fn rebased(mut layer: Layer, dir: &Path) -> Layer {
    if dir == Path::new(".") || dir == Path::new("") {
        return layer;
    }
    let rebase = |p: &mut PathBuf| {
        if p.is_relative() {
            *p = dir.join(&*p);
        }
    };
    layer.entry.as_mut().map(rebase);
    layer.output.as_mut().map(rebase);
    layer.stub.as_mut().map(rebase);
    layer.report.as_mut().map(rebase);
    layer.path.iter_mut().for_each(rebase);
    for spec in &mut layer.add_data {
        if let Some((src, dest)) = crate::options::split_add_data(spec)
            && !Path::new(src).is_absolute()
        {
            *spec = format!("{}:{dest}", dir.join(src).display());
        }
    }
    layer
}

/// Add the starter `[tool.freeze]` section to `dir/pyproject.toml` (creating the file).
pub fn init(dir: &Path) -> Result<PathBuf, ConfigError> {
    let path = dir.join("pyproject.toml");
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => return Err(ConfigError::Read { path, source }),
    };
    if existing.lines().any(|l| l.trim() == "[tool.freeze]") {
        return Err(ConfigError::AlreadyInitialised(path));
    }
    let mut text = existing;
    if !text.is_empty() && !text.ends_with("\n\n") {
        text.push_str(if text.ends_with('\n') { "\n" } else { "\n\n" });
    }
    text.push_str(TEMPLATE);
    crate::output::fsutil::write_file_atomically(&path, text.as_bytes(), false)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_parses_and_sets_nothing_by_default() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pyproject.toml"), TEMPLATE).unwrap();
        assert_eq!(load(dir.path()).unwrap(), Layer::default());
    }

    #[test]
    fn unknown_keys_are_errors_with_a_location() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pyproject.toml"),
            "[tool.freeze]\noutptu = 'x'\n",
        )
        .unwrap();
        let err = load(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("pyproject.toml:2:1: unknown field `outptu`"),
            "{err}"
        );
    }
}
