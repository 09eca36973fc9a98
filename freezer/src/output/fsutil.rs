//! Writing files atomically: a temporary file in the same directory, then a rename over
//! the target, so a reader never sees half a file and a failed build leaves nothing.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A file that could not be written.
#[derive(thiserror::Error, Debug)]
#[error("cannot write {}: {why}", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    #[source]
    pub why: Why,
}

/// Why a write failed (phrased to follow "cannot write PATH: ").
#[derive(thiserror::Error, Debug)]
pub enum Why {
    #[error("it is a directory")]
    IsDirectory,
    #[error(
        "it is {0}, not a regular file; choose an output path that is a file or does not exist yet"
    )]
    NotRegular(&'static str),
    #[error("directory {} does not exist", .0.display())]
    NoDirectory(PathBuf),
    #[error("permission denied: directory {} is not writable", .0.display())]
    NotWritable(PathBuf, #[source] std::io::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Write an executable to `path` atomically: a temporary file in the same directory, made
/// executable, then renamed over the target. Nothing is left behind on failure.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_file_atomically(path, bytes, true)
}

/// [`write_atomically`], with the executable bit or without.
pub fn write_file_atomically(
    path: &Path,
    bytes: &[u8],
    executable: bool,
) -> Result<(), WriteError> {
    write(path, bytes, executable).map_err(|why| WriteError {
        path: path.to_path_buf(),
        why,
    })
}

/// Refuse an output that exists and is not a regular file (a directory, a device, a
/// FIFO, a socket): renaming over it would replace a device node or swallow a pipe.
/// Checked before a build starts, so a refusal costs no work.
pub fn check_replaceable(path: &Path) -> Result<(), WriteError> {
    not_special(path).map_err(|why| WriteError {
        path: path.to_path_buf(),
        why,
    })
}

fn not_special(path: &Path) -> Result<(), Why> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    let kind = meta.file_type();
    if kind.is_dir() {
        return Err(Why::IsDirectory);
    }
    if kind.is_file() {
        return Ok(());
    }
    Err(Why::NotRegular(special_kind(&kind)))
}

#[cfg(unix)]
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_kind: &std::fs::FileType) -> &'static str {
    "a special file"
}

/// What identifies an existing file whatever its spelling (hard links, symlinks, `..`):
/// its device and inode on Unix, its canonical path elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileId(#[cfg(unix)] (u64, u64), #[cfg(not(unix))] PathBuf);

impl FileId {
    /// The identity of the file at `path` (followed through symlinks); None when there
    /// is no such file.
    pub fn of(path: &Path) -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let meta = std::fs::metadata(path).ok()?;
            Some(FileId((meta.dev(), meta.ino())))
        }
        #[cfg(not(unix))]
        {
            path.canonicalize().ok().map(FileId)
        }
    }
}

fn write(path: &Path, bytes: &[u8], executable: bool) -> Result<(), Why> {
    not_special(path)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(Why::NoDirectory(dir));
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
        .map_err(|e| in_dir(e, &dir))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if executable { 0o755 } else { 0o644 };
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = executable;
    tmp.persist(path).map_err(|e| in_dir(e.error, &dir))?;
    Ok(())
}

/// An error creating or renaming a file in `dir`: a read-only directory is named.
fn in_dir(err: std::io::Error, dir: &Path) -> Why {
    match err.kind() {
        std::io::ErrorKind::PermissionDenied => Why::NotWritable(dir.to_path_buf(), err),
        _ => Why::Io(err),
    }
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
