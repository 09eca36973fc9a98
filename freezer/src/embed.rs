//! Finding a runtime stub, putting a payload into it, and writing the output atomically.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use freeze_payload::SECTION_NAME;

use crate::Error;

/// The object format of an executable, read from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Elf,
    Pe,
    MachO,
}

impl Format {
    pub fn detect(bytes: &[u8]) -> Option<Self> {
        match bytes {
            [0x7f, b'E', b'L', b'F', ..] => Some(Self::Elf),
            [b'M', b'Z', ..] => Some(Self::Pe),
            [0xcf, 0xfa, 0xed, 0xfe, ..] | [0xfe, 0xed, 0xfa, 0xcf, ..] => Some(Self::MachO),
            _ => None,
        }
    }
}

/// File name of the stub executable for the host.
pub fn stub_file_name() -> String {
    format!("runtime-stub{}", std::env::consts::EXE_SUFFIX)
}

/// Where the stub came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StubSource {
    Flag,
    Env,
    BesideFreeze,
    Checkout,
}

/// Find the runtime stub: `--stub`, then `FREEZE_STUB`, then a stub next to the `freeze`
/// executable, then (in a source checkout) the workspace's own build, built on demand.
pub fn find_stub(flag: Option<&Path>) -> Result<(PathBuf, StubSource), Error> {
    if let Some(path) = flag {
        return Ok((path.to_path_buf(), StubSource::Flag));
    }
    if let Some(path) = std::env::var_os("FREEZE_STUB").filter(|v| !v.is_empty()) {
        return Ok((PathBuf::from(path), StubSource::Env));
    }
    let exe = std::env::current_exe().ok();
    let checkout = checkout_root().filter(|root| {
        // Only a freeze built from this checkout uses it; an installed copy that happens
        // to run from elsewhere must not start cargo.
        exe.as_ref()
            .is_some_and(|exe| exe.starts_with(root) || exe.starts_with(target_dir_hint(root)))
    });
    if checkout.is_none()
        && let Some(beside) = exe
            .as_ref()
            .and_then(|e| e.parent())
            .map(|d| d.join(stub_file_name()))
        && beside.is_file()
    {
        return Ok((beside, StubSource::BesideFreeze));
    }
    if let Some(root) = checkout {
        return build_checkout_stub(&root).map(|p| (p, StubSource::Checkout));
    }
    Err(Error::NoStub)
}

/// The workspace this `freeze` was built from, when its sources are still there.
fn checkout_root() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()?
        .to_path_buf();
    (root.join("Cargo.toml").is_file() && root.join("runtime-stub").is_dir()).then_some(root)
}

fn target_dir_hint(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

fn build_checkout_stub(root: &Path) -> Result<PathBuf, Error> {
    let manifest = root.join("Cargo.toml");
    let metadata = cargo_metadata::MetadataCommand::new()
        .manifest_path(&manifest)
        .no_deps()
        .exec()
        .map_err(|e| Error::StubBuild(format!("cargo metadata failed: {e}")))?;
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let stub = metadata
        .target_directory
        .as_std_path()
        .join(profile)
        .join(stub_file_name());
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.arg("build").arg("--manifest-path").arg(&manifest);
    cmd.args(["-p", "runtime-stub", "--ignore-rust-version"]);
    if profile == "release" {
        cmd.arg("--release");
    }
    if stub.is_file() {
        cmd.arg("--quiet");
    } else {
        eprintln!(
            "freeze: building the runtime stub from {} (cargo build -p runtime-stub); the first build takes several minutes",
            root.display()
        );
    }
    let status = cmd
        .status()
        .map_err(|e| Error::StubBuild(format!("cannot run cargo: {e}")))?;
    if !status.success() || !stub.is_file() {
        return Err(Error::StubBuild(format!(
            "cargo build -p runtime-stub failed ({status})"
        )));
    }
    Ok(stub)
}

/// Put `payload` into `stub`, returning the output's bytes.
pub fn embed(stub: &[u8], stub_path: &Path, payload: &[u8]) -> Result<Vec<u8>, Error> {
    let bad_stub = |reason: String| Error::BadStub {
        path: stub_path.to_path_buf(),
        reason,
    };
    let format = Format::detect(stub)
        .ok_or_else(|| bad_stub("not an executable (no ELF, PE or Mach-O header)".to_owned()))?;
    let mut out = Vec::with_capacity(stub.len() + payload.len() + 8192);
    let result = match format {
        Format::Elf => {
            return freeze_payload::elf::add_section(
                stub,
                freeze_payload::elf::ELF_SECTION,
                payload,
            )
            .map_err(|e| bad_stub(e.to_string()));
        }
        Format::Pe => libsui::PortableExecutable::from(stub)
            .and_then(|pe| pe.write_resource(SECTION_NAME, payload.to_vec()))
            .and_then(|pe| pe.build(&mut out)),
        Format::MachO => libsui::Macho::from(stub.to_vec())
            .and_then(|m| m.write_section(SECTION_NAME, payload.to_vec()))
            .and_then(|m| m.build_and_sign(&mut out)),
    };
    result.map_err(|e| bad_stub(format!("cannot embed the payload: {e}")))?;
    Ok(out)
}

/// Write `bytes` to `path` atomically: a temporary file in the same directory, made
/// executable, then renamed over the target. Nothing is left behind on failure.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_file_atomically(path, bytes, true)
}

/// [`write_atomically`], with the executable bit or without.
pub fn write_file_atomically(path: &Path, bytes: &[u8], executable: bool) -> Result<(), Error> {
    let write_err = |reason: String| Error::Write {
        path: path.to_path_buf(),
        reason,
    };
    if path.is_dir() {
        return Err(write_err("it is a directory".to_owned()));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(write_err(format!(
            "directory {} does not exist",
            dir.display()
        )));
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    remove_stale_temp_files(&dir, &file_name);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{file_name}.{}.", std::process::id()))
        .suffix(".freeze-tmp")
        .tempfile_in(&dir)
        .map_err(|e| write_err(describe_io(&e, &dir)))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| write_err(e.to_string()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if executable { 0o755 } else { 0o644 };
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(|e| write_err(e.to_string()))?;
    }
    tmp.persist(path)
        .map_err(|e| write_err(describe_io(&e.error, &dir)))?;
    Ok(())
}

/// Temp files of earlier builds of the same output that were killed before they could
/// clean up (SIGKILL, power loss). Each name carries its builder's process id; only files
/// whose process is gone are removed, so concurrent builds never disturb each other.
fn remove_stale_temp_files(dir: &Path, file_name: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{file_name}.");
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name
            .strip_prefix(&prefix)
            .and_then(|r| r.strip_suffix(".freeze-tmp"))
        else {
            continue;
        };
        let Some(pid) = rest.split('.').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid != std::process::id() && !process_alive(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(target_os = "linux")]
fn process_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(not(target_os = "linux"))]
fn process_alive(_pid: u32) -> bool {
    // Without a cheap portable check, assume it lives: never delete another build's file.
    true
}

fn describe_io(err: &std::io::Error, dir: &Path) -> String {
    match err.kind() {
        std::io::ErrorKind::PermissionDenied => {
            format!(
                "permission denied: directory {} is not writable",
                dir.display()
            )
        }
        _ => err.to_string(),
    }
}
