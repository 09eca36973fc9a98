//! Settings resolution, in one place: each source (the command line, `[tool.freeze]`)
//! is a [`Layer`] of optional keys; [`Layer::over`] stacks one on another and
//! [`resolve`] turns the result, with the defaults, into the build's [`Options`].
//!
//! A new setting is one field of [`Layer`] (which is also its `[tool.freeze]` key), one
//! line in [`Layer::over`], one line where [`resolve`] uses it, and the flag in `main.rs`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::analysis::entry::Entry;
use crate::build::cache::Cache;
use crate::options::{Options, split_add_data};

/// One source of settings. Every key is optional; as `[tool.freeze]`, its paths are
/// relative to the directory of `pyproject.toml` (the reader rebases them).
#[derive(Debug, Default, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Layer {
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
    /// The environment to take distributions from (`--python`).
    pub python: Option<PathBuf>,
    /// Missing modules allowed even when imported at start (`--allow-missing`).
    #[serde(default)]
    pub allow_missing: Vec<String>,
    /// Every warning is an error (`--strict`).
    pub strict: Option<bool>,
}

/// How much the build says: `-q` only errors, `-v` every decision.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Chatter {
    pub quiet: bool,
    pub verbose: bool,
}

/// Everything a build run needs from its settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub options: Options,
    pub chatter: Chatter,
}

/// Settings that cannot make a build.
#[derive(thiserror::Error, Debug, PartialEq, Eq)]
pub enum SettingsError {
    #[error(
        "nothing to freeze: give an ENTRY script, -m MODULE or --entry MODULE:FUNCTION (or set one under [tool.freeze])"
    )]
    NoEntry,
    #[error("no output path: pass -o OUT (or set output under [tool.freeze])")]
    NoOutput,
    #[error("--add-data {0}: expected SRC:DEST")]
    AddData(String),
    #[error("optimize must be 0, 1 or 2, not {0}")]
    Optimize(u8),
    #[error("quiet and verbose cannot both be set")]
    QuietAndVerbose,
    #[error("--entry {0} is not MODULE:FUNCTION (e.g. mypkg.cli:main)")]
    BadFunction(String),
}

impl Layer {
    /// This layer's keys where it sets them, `lower`'s elsewhere. Lists add up, `lower`'s
    /// first. The entry is one setting (any of entry, module, function replaces all
    /// three), and so is the chatter (quiet, verbose).
    pub fn over(self, lower: Layer) -> Layer {
        let (entry, module, function) = if self.has_entry() {
            (self.entry, self.module, self.function)
        } else {
            (lower.entry, lower.module, lower.function)
        };
        let (quiet, verbose) = if self.quiet.is_some() || self.verbose.is_some() {
            (self.quiet, self.verbose)
        } else {
            (lower.quiet, lower.verbose)
        };
        Layer {
            entry,
            module,
            function,
            output: self.output.or(lower.output),
            path: [lower.path, self.path].concat(),
            include: [lower.include, self.include].concat(),
            exclude: [lower.exclude, self.exclude].concat(),
            add_data: [lower.add_data, self.add_data].concat(),
            optimize: self.optimize.or(lower.optimize),
            no_source: self.no_source.or(lower.no_source),
            no_plugins: self.no_plugins.or(lower.no_plugins),
            stub: self.stub.or(lower.stub),
            report: self.report.or(lower.report),
            target: self.target.or(lower.target),
            quiet,
            verbose,
            python: self.python.or(lower.python),
            allow_missing: [lower.allow_missing, self.allow_missing].concat(),
            strict: self.strict.or(lower.strict),
        }
    }

    /// Whether this layer names what runs (an entry script, a module or a function).
    pub fn has_entry(&self) -> bool {
        self.entry.is_some() || self.module.is_some() || self.function.is_some()
    }

    /// The directory whose `pyproject.toml` holds the `[tool.freeze]` for this layer's
    /// entry: the nearest at or above the entry script's directory (a directory entry
    /// itself), else the current directory.
    pub fn config_dir(&self) -> PathBuf {
        crate::config::project_dir(&self.entry_dir())
    }

    fn entry_dir(&self) -> PathBuf {
        match &self.entry {
            Some(entry) if entry.is_dir() => entry.clone(),
            Some(entry) => entry
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
            None => PathBuf::from("."),
        }
    }
}

/// `dist/NAME` (`dist/NAME.exe` for a Windows target), NAME from the entry: a script's
/// file stem (a directory entry's name), a module's last part, a function's top-level
/// module.
pub fn default_output(entry: &Entry, target: Option<&str>) -> Option<PathBuf> {
    let name = match entry {
        Entry::Script(path) => {
            let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            let named = if path.is_dir() {
                path.file_name()
            } else {
                path.file_stem()
            };
            named?.to_string_lossy().into_owned()
        }
        Entry::Module(module) => module.rsplit('.').next()?.to_owned(),
        Entry::Function { module, .. } => module.split('.').next()?.to_owned(),
    };
    (!name.is_empty()).then(|| output_for(&name, target))
}

/// `dist/NAME`, with `.exe` for a Windows target (an unknown triple is refused later,
/// by the build).
pub fn output_for(name: &str, target: Option<&str>) -> PathBuf {
    let exe = target
        .and_then(crate::output::target::Target::find)
        .map_or("", |t| t.exe_suffix());
    PathBuf::from("dist").join(format!("{name}{exe}"))
}

/// The build's settings from the stacked layers and the defaults.
pub fn resolve(layer: Layer, cache: Option<Cache>) -> Result<Settings, SettingsError> {
    let entry = match (layer.entry, layer.module, layer.function) {
        (Some(path), _, _) => Entry::Script(path),
        (None, Some(module), _) => Entry::Module(module),
        (None, None, Some(spec)) => {
            Entry::function(&spec).ok_or_else(|| SettingsError::BadFunction(spec.clone()))?
        }
        (None, None, None) => return Err(SettingsError::NoEntry),
    };
    let output = match layer.output {
        Some(output) => output,
        None => default_output(&entry, layer.target.as_deref()).ok_or(SettingsError::NoOutput)?,
    };
    let add_data = layer
        .add_data
        .iter()
        .map(|spec| match split_add_data(spec) {
            Some((src, dest)) => Ok((PathBuf::from(src), dest.to_owned())),
            None => Err(SettingsError::AddData(spec.clone())),
        })
        .collect::<Result<_, _>>()?;
    let optimize = layer.optimize.unwrap_or(0);
    if optimize > 2 {
        return Err(SettingsError::Optimize(optimize));
    }
    let chatter = Chatter {
        quiet: layer.quiet.unwrap_or(false),
        verbose: layer.verbose.unwrap_or(false),
    };
    if chatter.quiet && chatter.verbose {
        return Err(SettingsError::QuietAndVerbose);
    }
    let options = Options {
        entry,
        output,
        paths: layer.path,
        stub: layer.stub,
        target: layer.target,
        optimize,
        keep_source: !layer.no_source.unwrap_or(false),
        cache,
        includes: layer.include,
        excludes: layer.exclude,
        add_data,
        report: layer.report,
        plugins: !layer.no_plugins.unwrap_or(false),
        python: layer.python,
        allow_missing: layer.allow_missing,
        strict: layer.strict.unwrap_or(false),
    };
    Ok(Settings { options, chatter })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(f: impl FnOnce(&mut Layer)) -> Layer {
        let mut l = Layer::default();
        f(&mut l);
        l
    }

    fn with_output(f: impl FnOnce(&mut Layer)) -> Layer {
        layer(|l| {
            l.entry = Some("app.py".into());
            l.output = Some("app".into());
            f(l)
        })
    }

    #[test]
    fn a_flag_wins_over_the_config_and_lists_add_up_config_first() {
        let cli = layer(|l| {
            l.target = Some("x86_64-pc-windows-gnu".into());
            l.path = vec!["cli".into()];
        });
        let file = with_output(|l| {
            l.target = Some("aarch64-unknown-linux-gnu".into());
            l.path = vec!["file".into()];
            l.optimize = Some(2);
        });
        let opts = resolve(cli.over(file), None).unwrap().options;
        assert_eq!(opts.target.as_deref(), Some("x86_64-pc-windows-gnu"));
        assert_eq!(opts.paths, [PathBuf::from("file"), PathBuf::from("cli")]);
        assert_eq!(opts.optimize, 2);
    }

    #[test]
    fn an_entry_flag_replaces_the_configured_entry_whatever_its_kind() {
        let cli = layer(|l| l.module = Some("tool".into()));
        let opts = resolve(cli.over(with_output(|_| {})), None)
            .unwrap()
            .options;
        assert_eq!(opts.entry, Entry::Module("tool".into()));
    }

    #[test]
    fn one_chatter_flag_replaces_both_configured_keys() {
        let cli = layer(|l| l.quiet = Some(true));
        let file = with_output(|l| l.verbose = Some(true));
        let chatter = resolve(cli.over(file), None).unwrap().chatter;
        assert_eq!(
            chatter,
            Chatter {
                quiet: true,
                verbose: false
            }
        );
    }

    #[test]
    fn defaults_keep_sources_and_plugins() {
        let opts = resolve(with_output(|_| {}), None).unwrap().options;
        assert!(opts.keep_source && opts.plugins);
        assert_eq!(opts.optimize, 0);
    }

    #[test]
    fn the_output_defaults_to_dist_and_the_entrys_name() {
        let out = |f: fn(&mut Layer)| resolve(layer(f), None).unwrap().options.output;
        assert_eq!(
            out(|l| l.entry = Some("tool/app.py".into())),
            Path::new("dist/app")
        );
        assert_eq!(
            out(|l| l.module = Some("pkg.cli".into())),
            Path::new("dist/cli")
        );
        assert_eq!(
            out(|l| l.function = Some("todo.cli:main".into())),
            Path::new("dist/todo")
        );
        let windows = |l: &mut Layer| {
            l.entry = Some("app.py".into());
            l.target = Some("x86_64-pc-windows-gnu".into());
        };
        assert_eq!(out(windows), Path::new("dist/app.exe"));
    }

    #[test]
    fn what_cannot_make_a_build_is_a_typed_error() {
        let err = |l: Layer| resolve(l, None).unwrap_err();
        assert_eq!(err(Layer::default()), SettingsError::NoEntry);
        assert_eq!(
            err(layer(|l| l.module = Some("".into()))),
            SettingsError::NoOutput
        );
        assert_eq!(
            err(with_output(|l| l.add_data = vec!["nodest".into()])),
            SettingsError::AddData("nodest".into())
        );
        assert_eq!(
            err(with_output(|l| l.optimize = Some(3))),
            SettingsError::Optimize(3)
        );
        assert_eq!(
            err(with_output(|l| {
                l.quiet = Some(true);
                l.verbose = Some(true)
            })),
            SettingsError::QuietAndVerbose
        );
    }
}
