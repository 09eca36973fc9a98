//! The Python environment a build takes installed distributions from, found as uv finds
//! a project's: `--python PATH` (an interpreter or a venv directory), else `VIRTUAL_ENV`,
//! else `CONDA_PREFIX`, else a `.venv` at the project root (the nearest ancestor holding
//! `pyproject.toml`), else none. Its search roots are its site-packages and the
//! directories its `.pth` files and setuptools `__editable__` finders add, in the order
//! CPython's `site` puts them on `sys.path`.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::analysis::dist::editable;

/// Why an environment was chosen.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Why {
    /// `--python` (or `python` under `[tool.freeze]`).
    Flag,
    VirtualEnv,
    CondaPrefix,
    /// `.venv` in the project root.
    ProjectVenv,
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Why::Flag => "--python",
            Why::VirtualEnv => "VIRTUAL_ENV",
            Why::CondaPrefix => "CONDA_PREFIX",
            Why::ProjectVenv => ".venv at the project root",
        })
    }
}

/// The environment found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Environment {
    /// Its prefix (the venv's directory).
    pub prefix: PathBuf,
    pub why: Why,
    pub site_packages: PathBuf,
    /// Directories `.pth` files and `__editable__` finders add, after site-packages.
    pub extra: Vec<PathBuf>,
}

/// An environment that was named but cannot be used.
#[derive(thiserror::Error, Debug)]
pub enum EnvironmentError {
    #[error(
        "{why} names {path}, which is not a Python environment (no site-packages under it: expected lib/python3.X/site-packages or Lib/site-packages); pass --python with a virtual environment's directory or its interpreter"
    )]
    NoSitePackages { why: Why, path: PathBuf },
}

/// Where to look, from the outside world: the flag, the process's environment, the
/// project root.
pub struct Lookup<'a> {
    pub python: Option<&'a Path>,
    pub project_root: Option<&'a Path>,
    pub var: &'a dyn Fn(&str) -> Option<std::ffi::OsString>,
}

/// Find the environment, or None when nothing names one.
pub fn find(lookup: &Lookup<'_>) -> Result<Option<Environment>, EnvironmentError> {
    let var = |name: &str| {
        (lookup.var)(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let (path, why) = if let Some(python) = lookup.python {
        (python.to_path_buf(), Why::Flag)
    } else if let Some(venv) = var("VIRTUAL_ENV") {
        (venv, Why::VirtualEnv)
    } else if let Some(conda) = var("CONDA_PREFIX") {
        (conda, Why::CondaPrefix)
    } else {
        match lookup.project_root.map(|r| r.join(".venv")) {
            Some(venv) if venv.is_dir() => (venv, Why::ProjectVenv),
            _ => return Ok(None),
        }
    };
    let prefix = prefix_of(&path);
    let Some(site_packages) = site_packages(&prefix) else {
        return Err(EnvironmentError::NoSitePackages { why, path });
    };
    let extra = added_dirs(&site_packages);
    Ok(Some(Environment {
        prefix,
        why,
        site_packages,
        extra,
    }))
}

/// A venv's directory from an interpreter inside it (`.venv/bin/python`,
/// `.venv\Scripts\python.exe`) or the directory itself.
fn prefix_of(path: &Path) -> PathBuf {
    if path.is_dir() {
        return path.to_path_buf();
    }
    let bin = path.parent().unwrap_or(Path::new("."));
    let named_bin = bin
        .file_name()
        .is_some_and(|n| n == "bin" || n == "Scripts");
    match bin.parent() {
        Some(prefix) if named_bin => prefix.to_path_buf(),
        _ => bin.to_path_buf(),
    }
}

/// `Lib/site-packages` (Windows), else the newest `lib/python3.X/site-packages`.
fn site_packages(prefix: &Path) -> Option<PathBuf> {
    let windows = prefix.join("Lib").join("site-packages");
    if windows.is_dir() {
        return Some(windows);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir(prefix.join("lib"))
        .ok()?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let minor = name.strip_prefix("python3.")?.parse().ok()?;
            Some((minor, e.path().join("site-packages")))
        })
        .filter(|(_, p)| p.is_dir())
        .collect();
    found.sort();
    found.pop().map(|(_, p)| p)
}

/// What `site` adds after site-packages: each `.pth` file's directory lines, files in
/// name order; then the source directories setuptools `__editable__` finders map
/// top-level names to (their parent directories), as the finders answer after the path.
fn added_dirs(site_packages: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(site_packages) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    files.sort();
    let mut out: Vec<PathBuf> = Vec::new();
    let mut push = |dir: PathBuf| {
        let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        if !out.contains(&dir) && dir != site_packages {
            out.push(dir);
        }
    };
    for pth in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "pth"))
    {
        editable::pth_dirs(pth).into_iter().for_each(&mut push);
    }
    for finder in files.iter().filter(|f| is_editable_finder(f)) {
        let source = std::fs::read_to_string(finder).unwrap_or_default();
        for target in editable::finder_mapping(&source).into_values() {
            if let Some(parent) = target.parent().filter(|p| p.is_dir()) {
                push(parent.to_path_buf());
            }
        }
    }
    out
}

/// `__editable___todo_0_3_1_finder.py`.
fn is_editable_finder(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("__editable__") && n.ends_with("_finder.py"))
}

/// The nearest directory at or above `start` holding `pyproject.toml`.
pub fn project_root(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    start
        .ancestors()
        .find(|dir| dir.join("pyproject.toml").is_file())
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn venv(dir: &Path) -> PathBuf {
        let site = dir.join("lib/python3.11/site-packages");
        std::fs::create_dir_all(&site).unwrap();
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        site
    }

    #[test]
    fn search_order_flag_then_variables_then_project_venv() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b, c) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path());
        venv(&a);
        venv(&b);
        venv(&c.join(".venv"));
        let vars = |name: &str| match name {
            "VIRTUAL_ENV" => Some(a.clone().into_os_string()),
            "CONDA_PREFIX" => Some(b.clone().into_os_string()),
            _ => None,
        };
        let python = b.join("bin/python");
        let flag = Lookup {
            python: Some(&python),
            project_root: Some(c),
            var: &vars,
        };
        let found = find(&flag).unwrap().unwrap();
        assert_eq!((found.prefix, found.why), (b.clone(), Why::Flag));
        let env = Lookup {
            python: None,
            project_root: Some(c),
            var: &vars,
        };
        assert_eq!(find(&env).unwrap().unwrap().why, Why::VirtualEnv);
        let conda_only = |name: &str| (name == "CONDA_PREFIX").then(|| b.clone().into_os_string());
        let conda = Lookup {
            python: None,
            project_root: Some(c),
            var: &conda_only,
        };
        assert_eq!(find(&conda).unwrap().unwrap().why, Why::CondaPrefix);
        let none = |_: &str| None;
        let project = Lookup {
            python: None,
            project_root: Some(c),
            var: &none,
        };
        assert_eq!(find(&project).unwrap().unwrap().why, Why::ProjectVenv);
        let nothing = Lookup {
            python: None,
            project_root: None,
            var: &none,
        };
        assert!(find(&nothing).unwrap().is_none());
    }

    #[test]
    fn pth_directories_and_editable_finders_follow_site_packages() {
        let tmp = tempfile::tempdir().unwrap();
        let site = venv(&tmp.path().join("v"));
        let (src, other) = (tmp.path().join("p/src"), tmp.path().join("q"));
        std::fs::create_dir_all(src.join("todo")).unwrap();
        std::fs::create_dir_all(other.join("lib")).unwrap();
        std::fs::write(site.join("_todo.pth"), format!("{}\n", src.display())).unwrap();
        std::fs::write(
            site.join("__editable___lib_1_0_finder.py"),
            format!("MAPPING = {{'lib': '{}'}}\n", other.join("lib").display()),
        )
        .unwrap();
        let none = |_: &str| None;
        let python = tmp.path().join("v");
        let lookup = Lookup {
            python: Some(&python),
            project_root: None,
            var: &none,
        };
        let found = find(&lookup).unwrap().unwrap();
        let canon = |p: &Path| std::fs::canonicalize(p).unwrap();
        assert_eq!(found.extra, [canon(&src), canon(&other)]);
    }

    #[test]
    fn a_named_directory_without_site_packages_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let none = |_: &str| None;
        let lookup = Lookup {
            python: Some(tmp.path()),
            project_root: None,
            var: &none,
        };
        let err = find(&lookup).unwrap_err().to_string();
        assert!(
            err.contains("--python names") && err.contains("site-packages"),
            "{err}"
        );
    }
}
