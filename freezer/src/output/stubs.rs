//! Finding the runtime stub for a freeze: `--stub`, `FREEZE_STUB`, the stub directory
//! (`FREEZE_STUB_DIR` or the directory holding `freeze`, where a release keeps
//! `runtime-stub-TRIPLE[.exe]`), the stubs installed as Python packages under the prefix
//! of `freeze` ([`crate::output::installed`], version-checked), and in a source checkout
//! the stub built on demand ([`crate::output::stub_build`]). Both `freeze --target` and `--list-targets` go through
//! [`resolve`], so they never disagree about which stub a target gets.

use std::path::{Path, PathBuf};

use crate::error::Error;
pub use crate::output::installed::install_command;
use crate::output::target::{self, HOST, Target};
use crate::output::{installed, stub_build};

/// Where the stub came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StubSource {
    Flag,
    Env,
    BesideFreeze,
    Checkout,
    /// `runtime-stub-TRIPLE` in the stub directory (`--target`).
    StubDir,
    /// `PREFIX/share/freeze/stubs/runtime-stub-TRIPLE`, from a stub package.
    Installed,
}

/// Where the host's stub would come from, found without building anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostStub {
    /// `FREEZE_STUB`.
    Env(PathBuf),
    /// `runtime-stub` (or `runtime-stub-HOST`) next to an installed `freeze`.
    BesideFreeze(PathBuf),
    /// The workspace this `freeze` was built from (built on demand).
    Checkout(PathBuf),
    /// The host's stub package, installed with `freeze` (version not yet checked).
    Installed(PathBuf),
    None,
}

/// Where a target's stub comes from, found without building anything.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Resolved {
    /// A file to use (checked by the caller).
    File(PathBuf, StubSource),
    /// The host's stub, built from the checkout at this root.
    BuildHost(PathBuf),
    /// Another target's stub, built from the checkout at this root by `cross/stub`.
    BuildCross(PathBuf),
    /// Nothing: the path that was looked for (None: no stub directory).
    Missing(Option<PathBuf>),
}

/// The stub for `target`: the stub directory's file first; then, for the host, the host's
/// stub; then, in a checkout (and unless `FREEZE_STUB_DIR` names the only place to look),
/// a build from the checkout's recipes.
fn resolve(target: &Target, dir: Option<&(PathBuf, &'static str)>) -> Resolved {
    let in_dir = dir.map(|(d, _)| d.join(target.stub_file_name()));
    if let Some(path) = in_dir.as_ref().filter(|p| p.is_file()) {
        return Resolved::File(path.clone(), StubSource::StubDir);
    }
    if let Some(path) = installed_stub(target) {
        return Resolved::File(path, StubSource::Installed);
    }
    if target.is_host() {
        return match locate_host_stub() {
            HostStub::Env(p) => Resolved::File(p, StubSource::Env),
            HostStub::BesideFreeze(p) => Resolved::File(p, StubSource::BesideFreeze),
            HostStub::Installed(p) => Resolved::File(p, StubSource::Installed),
            HostStub::Checkout(root) => Resolved::BuildHost(root),
            HostStub::None => Resolved::Missing(in_dir),
        };
    }
    let explicit_dir = dir.is_some_and(|(_, how)| *how == STUB_DIR_ENV);
    match checkout_of_this_freeze() {
        Some(root) if !explicit_dir && stub_build::can_build(&root, target) => {
            Resolved::BuildCross(root)
        }
        _ => Resolved::Missing(in_dir),
    }
}

const STUB_DIR_ENV: &str = "FREEZE_STUB_DIR";

/// The stub package's file for `target` under the prefix of this `freeze`.
fn installed_stub(target: &Target) -> Option<PathBuf> {
    installed::stub_in(&installed::stubs_dir()?, target)
}

/// Find the runtime stub. `--stub` wins. With `--target`, see [`resolve`]. Without it:
/// `FREEZE_STUB`, then (in a source checkout) the workspace's own build, built on demand,
/// then a stub next to the `freeze` executable, then the installed stub package.
pub fn find_stub(
    flag: Option<&Path>,
    target: Option<&Target>,
) -> Result<(PathBuf, StubSource), Error> {
    if let Some(path) = flag {
        return Ok((path.to_path_buf(), StubSource::Flag));
    }
    let Some(target) = target else {
        return match locate_host_stub() {
            HostStub::Env(path) => Ok((path, StubSource::Env)),
            HostStub::BesideFreeze(path) => Ok((path, StubSource::BesideFreeze)),
            HostStub::Installed(path) => checked(path, HOST),
            HostStub::Checkout(root) => stub_build::host(&root).map(|p| (p, StubSource::Checkout)),
            HostStub::None => Err(Error::NoStub {
                install: Target::find(HOST)
                    .map(installed::install_hint)
                    .unwrap_or_default(),
            }),
        };
    };
    let dir = stub_dir();
    match resolve(target, dir.as_ref()) {
        Resolved::File(path, StubSource::Installed) => checked(path, target.triple),
        Resolved::File(path, source) => Ok((path, source)),
        Resolved::BuildHost(root) => stub_build::host(&root).map(|p| (p, StubSource::Checkout)),
        Resolved::BuildCross(root) => {
            stub_build::cross(&root, target).map(|p| (p, StubSource::Checkout))
        }
        Resolved::Missing(_) => Err(Error::NoTargetStub {
            triple: target.triple.to_owned(),
            looked: match dir {
                Some((dir, how)) => format!(
                    "{} does not exist (stub directory: {how})",
                    dir.join(target.stub_file_name()).display()
                ),
                None => "no stub directory is known".to_owned(),
            },
            install: installed::install_hint(target),
            file: target.stub_file_name(),
        }),
    }
}

/// An installed stub, refused when its package is from another freeze version.
fn checked(path: PathBuf, triple: &str) -> Result<(PathBuf, StubSource), Error> {
    if let Some(target) = Target::find(triple) {
        installed::check_version(&path, target)?;
    }
    Ok((path, StubSource::Installed))
}

/// The directory `--target` looks in for `runtime-stub-TRIPLE[.exe]`, and how it was
/// chosen: `FREEZE_STUB_DIR`, else the directory of the `freeze` executable.
pub fn stub_dir() -> Option<(PathBuf, &'static str)> {
    if let Some(dir) = std::env::var_os(STUB_DIR_ENV).filter(|v| !v.is_empty()) {
        return Some((PathBuf::from(dir), STUB_DIR_ENV));
    }
    let exe = std::env::current_exe().ok()?;
    Some((exe.parent()?.to_path_buf(), "next to freeze"))
}

/// Where the host's stub is, without building it.
pub fn locate_host_stub() -> HostStub {
    if let Some(path) = std::env::var_os("FREEZE_STUB").filter(|v| !v.is_empty()) {
        return HostStub::Env(PathBuf::from(path));
    }
    if let Some(root) = checkout_of_this_freeze() {
        return HostStub::Checkout(root);
    }
    // An installed freeze: `runtime-stub` beside it, or the release directory's
    // `runtime-stub-HOST`.
    let exe = std::env::current_exe().ok();
    let Some(dir) = exe.as_ref().and_then(|e| e.parent()) else {
        return HostStub::None;
    };
    let host = Target::find(HOST).map(|t| t.stub_file_name());
    [Some(target::host_stub_file_name()), host]
        .into_iter()
        .flatten()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
        .map(HostStub::BesideFreeze)
        .or_else(|| installed_stub(Target::find(HOST)?).map(HostStub::Installed))
        .unwrap_or(HostStub::None)
}

/// One line of `freeze --list-targets`: a known target and whether a stub for it is here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetStatus {
    pub target: &'static Target,
    pub state: StubState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StubState {
    /// A stub of the right kind; how it was found.
    Available(PathBuf, StubSource),
    /// Built from the checkout at this root on first use (then cached).
    OnDemand(PathBuf),
    /// A file is there but cannot serve this target (why, as a phrase).
    Unusable(PathBuf, String),
    /// Nothing: the path that was looked for (None: no stub directory).
    Missing(Option<PathBuf>),
}

/// Every known target and the stub `--target` would use for it, checked by its headers.
pub fn target_statuses() -> Vec<TargetStatus> {
    let dir = stub_dir();
    target::TARGETS
        .iter()
        .map(|target| {
            let state = match resolve(target, dir.as_ref()) {
                Resolved::File(path, source) => check_head(target, path, source),
                Resolved::BuildHost(root) => StubState::OnDemand(root),
                Resolved::BuildCross(root) => match stub_build::cached(&root, target) {
                    Some(path) => check_head(target, path, StubSource::Checkout),
                    None => StubState::OnDemand(root),
                },
                Resolved::Missing(path) => StubState::Missing(path),
            };
            TargetStatus { target, state }
        })
        .collect()
}

fn check_head(target: &Target, path: PathBuf, source: StubSource) -> StubState {
    if source == StubSource::Installed
        && let Err(stale) = installed::check_version(&path, target)
    {
        let why = format!("is from freeze {}; install: {}", stale.found, stale.install);
        return StubState::Unusable(path, why);
    }
    match read_head(&path) {
        Err(e) => StubState::Unusable(path, format!("cannot be read: {e}")),
        Ok(head) => match crate::output::container::identify(&head) {
            Err(not) => StubState::Unusable(path, format!("is {}", not.what())),
            Ok(kind) if !target.accepts(&kind) => {
                let why = format!("is {kind}, but this target needs {}", target.needs());
                StubState::Unusable(path, why)
            }
            Ok(_) => StubState::Available(path, source),
        },
    }
}

fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(path)?
        .take(crate::output::container::HEADER_PROBE_LEN as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// The workspace this `freeze` was built from, when it is running from that workspace's
/// build. An installed copy that happens to run from elsewhere must not start cargo.
fn checkout_of_this_freeze() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()?
        .to_path_buf();
    if !(root.join("Cargo.toml").is_file() && root.join("runtime-stub").is_dir()) {
        return None;
    }
    let exe = std::env::current_exe().ok()?;
    // Its build directory (cargo keeps `.fingerprint` in every profile directory), not
    // the whole tree: a release directory made inside the checkout (`./dist`) holds an
    // installed freeze.
    let in_target_dir = exe
        .parent()
        .is_some_and(|dir| dir.join(".fingerprint").is_dir());
    (in_target_dir
        || exe.starts_with(root.join("target"))
        || exe.starts_with(target_dir_hint(&root)))
    .then_some(root)
}

fn target_dir_hint(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}
