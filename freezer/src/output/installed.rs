//! Runtime stubs installed as Python packages. The `freeze-py` wheel puts `freeze` in its
//! environment's scripts directory (`bin/`, `Scripts\` on Windows); each target's stub
//! wheel (`freeze-py-stub-TRIPLE`, built by `packaging/stub_wheel.py`) puts
//! `runtime-stub-TRIPLE[.exe]` and `runtime-stub-TRIPLE.version` in
//! `share/freeze/stubs/` under the same prefix. pip, uv, pipx and `pip --user` all install
//! scripts and data under one prefix, so the directory is found from the executable alone:
//! no configuration, no network.

use std::path::{Path, PathBuf};

use crate::output::target::Target;

/// The distribution name of the freezer on the package index (`pyproject.toml`).
pub const DIST: &str = "freeze-py";

/// The version every installed stub must carry: this freezer's.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A stub installed for another freeze release.
#[derive(Debug, thiserror::Error)]
#[error(
    "runtime stub {} is from freeze {found}, but this is freeze {VERSION}; install the matching stub: {install}",
    path.display()
)]
pub struct StaleStub {
    pub path: PathBuf,
    pub found: String,
    pub install: String,
}

/// The extra of the main package that brings `target`'s stub (`pyproject.toml`'s
/// `[project.optional-dependencies]`), or None when no stub package exists for it.
pub fn extra(target: &Target) -> Option<&'static str> {
    let t = target.triple;
    if t == "x86_64-pc-windows-gnu" {
        Some("windows")
    } else if t.ends_with("-apple-darwin") {
        Some("macos")
    } else if t.contains("-linux-") {
        Some("linux")
    } else {
        None
    }
}

/// The distribution that holds `target`'s stub.
pub fn stub_dist(target: &Target) -> String {
    format!("{DIST}-stub-{}", target.triple)
}

/// `share/freeze/stubs` under the prefix of the running `freeze`.
pub fn stubs_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    // `uv tool` and pipx link the executable from their own bin directory.
    let exe = exe.canonicalize().unwrap_or(exe);
    stubs_dir_of(&exe)
}

/// `share/freeze/stubs` for a `freeze` executable at `exe` (`PREFIX/bin/freeze` or
/// `PREFIX\Scripts\freeze.exe`).
pub fn stubs_dir_of(exe: &Path) -> Option<PathBuf> {
    Some(
        exe.parent()?
            .parent()?
            .join("share")
            .join("freeze")
            .join("stubs"),
    )
}

/// The installed stub for `target` in `dir`, if its file is there.
pub fn stub_in(dir: &Path, target: &Target) -> Option<PathBuf> {
    Some(dir.join(target.stub_file_name())).filter(|p| p.is_file())
}

/// Refuse an installed stub whose version record is not this freezer's version.
pub fn check_version(stub: &Path, target: &Target) -> Result<(), StaleStub> {
    let record = stub.with_file_name(format!("runtime-stub-{}.version", target.triple));
    let found = match std::fs::read_to_string(&record) {
        Ok(text) => text.trim().to_owned(),
        Err(_) => format!("an unknown release ({} is missing)", record.display()),
    };
    if found == VERSION {
        return Ok(());
    }
    Err(StaleStub {
        path: stub.to_path_buf(),
        found,
        install: install_command(target).unwrap_or_else(|| "--stub FILE".to_owned()),
    })
}

/// The command that installs `target`'s stub for this `freeze`, in the form its
/// installer understands (told apart by where the executable lives); None when no stub
/// package exists for the target.
pub fn install_command(target: &Target) -> Option<String> {
    let exe = std::env::current_exe()
        .ok()
        .map(|e| e.canonicalize().unwrap_or(e));
    install_command_for(target, exe.as_deref())
}

/// `install it with `CMD`, ` for messages that go on to list the other ways.
pub fn install_hint(target: &Target) -> String {
    install_command(target).map_or_else(String::new, |cmd| format!("install it with `{cmd}`, "))
}

fn install_command_for(target: &Target, exe: Option<&Path>) -> Option<String> {
    let extra = extra(target)?;
    let path = exe.map(|e| e.to_string_lossy().replace('\\', "/"));
    let path = path.as_deref().unwrap_or("");
    Some(if path.contains("/uv/tools/") {
        format!("uv tool install '{DIST}[{extra}]=={VERSION}'")
    } else if path.contains("/pipx/venvs/") {
        format!("pipx inject {DIST} {}=={VERSION}", stub_dist(target))
    } else {
        format!("pip install '{DIST}[{extra}]=={VERSION}'")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::target::TARGETS;

    /// Every target a stub package exists for.
    fn packaged_targets() -> impl Iterator<Item = &'static Target> {
        TARGETS.iter().filter(|t| extra(t).is_some())
    }

    fn target(triple: &str) -> &'static Target {
        Target::find(triple).unwrap()
    }

    #[test]
    fn the_stub_directory_is_under_the_prefix_of_bin_and_scripts() {
        let unix = stubs_dir_of(Path::new("/venv/bin/freeze")).unwrap();
        assert_eq!(unix, Path::new("/venv/share/freeze/stubs"));
        let win = stubs_dir_of(Path::new("C:/venv/Scripts/freeze.exe")).unwrap();
        assert_eq!(win, Path::new("C:/venv/share/freeze/stubs"));
    }

    #[test]
    fn install_commands_follow_the_installer() {
        let win = target("x86_64-pc-windows-gnu");
        let v = VERSION;
        let pip = install_command_for(win, Some(Path::new("/venv/bin/freeze"))).unwrap();
        assert_eq!(pip, format!("pip install 'freeze-py[windows]=={v}'"));
        let uv = Path::new("/home/u/.local/share/uv/tools/freeze-py/bin/freeze");
        assert_eq!(
            install_command_for(win, Some(uv)).unwrap(),
            format!("uv tool install 'freeze-py[windows]=={v}'")
        );
        let pipx = Path::new("/home/u/.local/share/pipx/venvs/freeze-py/bin/freeze");
        assert_eq!(
            install_command_for(win, Some(pipx)).unwrap(),
            format!("pipx inject freeze-py freeze-py-stub-x86_64-pc-windows-gnu=={v}")
        );
        assert_eq!(
            install_command_for(target("x86_64-pc-windows-msvc"), None),
            None
        );
    }

    /// pyproject.toml's extras bring exactly the stub packages `extra` names, at this
    /// version, and its version is the workspace's.
    #[test]
    fn pyproject_extras_match_the_stub_packages() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let text = std::fs::read_to_string(root.join("pyproject.toml")).unwrap();
        let doc: toml::Table = toml::from_str(&text).unwrap();
        let project = doc["project"].as_table().unwrap();
        assert_eq!(project["name"].as_str(), Some(DIST));
        assert_eq!(project["version"].as_str(), Some(VERSION));
        let extras = project["optional-dependencies"].as_table().unwrap();
        for t in packaged_targets() {
            let want = format!("{}=={VERSION}", stub_dist(t));
            let list = extras[extra(t).unwrap()].as_array().unwrap();
            assert!(list.iter().any(|d| d.as_str() == Some(&want)), "{want}");
        }
        let all: usize = ["windows", "macos", "linux"]
            .iter()
            .map(|e| extras[*e].as_array().unwrap().len())
            .sum();
        assert_eq!(all, packaged_targets().count());
    }

    #[test]
    fn a_stub_of_another_version_is_refused_with_both_versions() {
        let dir = tempfile::tempdir().unwrap();
        let t = target("x86_64-pc-windows-gnu");
        let stub = dir.path().join(t.stub_file_name());
        std::fs::write(&stub, b"MZ").unwrap();
        let record = dir
            .path()
            .join("runtime-stub-x86_64-pc-windows-gnu.version");
        std::fs::write(&record, "0.0.9\n").unwrap();
        let err = check_version(&stub, t).unwrap_err().to_string();
        assert!(
            err.contains("freeze 0.0.9") && err.contains(VERSION),
            "{err}"
        );
        assert!(err.contains("freeze-py"), "{err}");
        std::fs::write(&record, format!("{VERSION}\n")).unwrap();
        assert!(check_version(&stub, t).is_ok());
        std::fs::remove_file(&record).unwrap();
        assert!(check_version(&stub, t).is_err());
    }
}
