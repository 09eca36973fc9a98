//! Putting a payload into a runtime stub, and writing the output atomically. Finding the
//! stub is [`crate::stubs`]'s job.

use std::io::Write;
use std::path::{Path, PathBuf};

use freeze_payload::SECTION_NAME;

use crate::Error;

pub use crate::target::Format;
use crate::target::{self, StubKind, Target};

/// Why a stub already holding a payload is refused.
pub const ALREADY_FROZEN: &str =
    "it already carries a freeze payload (is it a frozen program rather than a runtime stub?)";

/// Check that `stub` (the bytes of the file at `path`) can take a payload, and for
/// `target` when one is given: a known object format in a form the embedders handle, the
/// target's format and architecture, no payload yet, and what Mach-O re-signing needs.
pub fn check_stub(stub: &[u8], path: &Path, target: Option<&Target>) -> Result<StubKind, Error> {
    let bad_stub = |reason: String| Error::BadStub {
        path: path.to_path_buf(),
        reason,
    };
    let head = &stub[..stub.len().min(target::HEADER_PROBE_LEN)];
    let kind = target::identify(head).map_err(|why| {
        // identify() describes what the file is; "is" joins it to the path.
        if why.starts_with("not ") {
            bad_stub(why)
        } else {
            bad_stub(format!("it is {why}"))
        }
    })?;
    if let Some(target) = target
        && !target.accepts(&kind)
    {
        return Err(Error::StubMismatch {
            path: path.to_path_buf(),
            kind: kind.to_string(),
            triple: target.triple.to_owned(),
            needs: target.needs(),
        });
    }
    let carries = match kind.format {
        Format::Elf => freeze_payload::elf::find_section(stub, freeze_payload::elf::ELF_SECTION)
            .map(|found| found.is_some())
            .map_err(|e| format!("its ELF headers cannot be read: {e}")),
        Format::Pe if pe_is_signed(stub) => Err(
            "it carries an Authenticode signature, which embedding would invalidate; use an unsigned stub and sign the output"
                .to_owned(),
        ),
        Format::Pe => pe_has_payload(stub),
        Format::MachO => check_macho(stub, &kind),
    }
    .map_err(bad_stub)?;
    if carries {
        return Err(bad_stub(ALREADY_FROZEN.to_owned()));
    }
    Ok(kind)
}

/// Put `payload` into `stub` (already passed by [`check_stub`]), returning the output's
/// bytes: ELF — a non-allocated section; PE — an `RT_RCDATA` resource; Mach-O — a section
/// in a new segment, re-signed ad hoc (arm64), or appended data (x86-64).
pub fn embed(stub: &[u8], stub_path: &Path, payload: &[u8]) -> Result<Vec<u8>, Error> {
    let kind = check_stub(stub, stub_path, None)?;
    let bad_stub = |reason: String| Error::BadStub {
        path: stub_path.to_path_buf(),
        reason,
    };
    let mut out = Vec::with_capacity(stub.len() + payload.len() + 8192);
    let result = match kind.format {
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
            .and_then(|pe| pe.build(&mut out))
            .map(|()| pe_move_symbol_table(stub, &mut out)),
        Format::MachO => libsui::Macho::from(stub.to_vec())
            .and_then(|m| m.write_section(SECTION_NAME, payload.to_vec()))
            .and_then(|m| m.build_and_sign(&mut out)),
    };
    result.map_err(|e| bad_stub(format!("cannot embed the payload: {e}")))?;
    Ok(out)
}

/// Embed raw `payload` bytes into the stub file at `stub_path` for `target` (any known
/// format when None) and write the result to `output` atomically. Returns the output's
/// size. Nothing is written when the stub is refused.
pub fn embed_file(
    stub_path: &Path,
    target: Option<&Target>,
    payload: &[u8],
    output: &Path,
) -> Result<usize, Error> {
    let stub = std::fs::read(stub_path).map_err(|e| Error::StubRead {
        path: stub_path.to_path_buf(),
        source: e,
    })?;
    check_stub(&stub, stub_path, target)?;
    let out = embed(&stub, stub_path, payload)?;
    write_atomically(output, &out)?;
    Ok(out.len())
}

fn u16_le(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}
fn u32_le(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}
fn u64_le(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// Whether a PE image has the `RT_RCDATA` resource `FREEZEPAYLOAD` that libsui writes
/// (and `FindResourceA` finds at run time).
fn pe_has_payload(image: &[u8]) -> Result<bool, String> {
    const RT_RCDATA: u32 = 10;
    let damaged = || "its PE headers are damaged".to_owned();
    let h = pe_headers(image).ok_or_else(damaged)?;
    if h.ndirs < 3 {
        return Ok(false); // no resource directory entry at all
    }
    let rsrc_rva = u32_le(image, h.dirs + 2 * 8).ok_or_else(damaged)?;
    if rsrc_rva == 0 {
        return Ok(false);
    }
    // The file offset of the resource directory, through the section table.
    let mut base = None;
    for i in 0..h.sections {
        let sh = h.table + i * 40;
        let vsize = u32_le(image, sh + 8).ok_or_else(damaged)?;
        let va = u32_le(image, sh + 12).ok_or_else(damaged)?;
        let raw_size = u32_le(image, sh + 16).ok_or_else(damaged)?;
        let raw = u32_le(image, sh + 20).ok_or_else(damaged)?;
        if rsrc_rva >= va && rsrc_rva < va.saturating_add(vsize.max(raw_size)) {
            base = Some((raw + (rsrc_rva - va)) as usize);
        }
    }
    let Some(base) = base else {
        return Err(damaged());
    };
    // A directory table: 16 bytes, then named entries, then id entries (8 bytes each).
    let entries = |dir: usize| -> Result<Vec<(u32, u32)>, String> {
        let named = u16_le(image, dir + 12).ok_or_else(damaged)? as usize;
        let ids = u16_le(image, dir + 14).ok_or_else(damaged)? as usize;
        (0..named + ids)
            .map(|i| {
                let at = dir + 16 + i * 8;
                Ok((
                    u32_le(image, at).ok_or_else(damaged)?,
                    u32_le(image, at + 4).ok_or_else(damaged)?,
                ))
            })
            .collect()
    };
    const HIGH: u32 = 0x8000_0000;
    let Some(&(_, rcdata)) = entries(base)?
        .iter()
        .find(|&&(name, target)| name == RT_RCDATA && target & HIGH != 0)
    else {
        return Ok(false);
    };
    let wanted: Vec<u16> = SECTION_NAME.to_uppercase().encode_utf16().collect();
    for (name, _) in entries(base + (rcdata & !HIGH) as usize)? {
        if name & HIGH == 0 {
            continue;
        }
        let at = base + (name & !HIGH) as usize;
        let len = u16_le(image, at).ok_or_else(damaged)? as usize;
        let chars: Option<Vec<u16>> = (0..len).map(|i| u16_le(image, at + 2 + 2 * i)).collect();
        if chars.ok_or_else(damaged)? == wanted {
            return Ok(true);
        }
    }
    Ok(false)
}

/// File offsets of a PE image's headers: (COFF header, section count, section table,
/// data directories, number of data directories).
struct PeHeaders {
    coff: usize,
    sections: usize,
    table: usize,
    dirs: usize,
    ndirs: usize,
}

fn pe_headers(image: &[u8]) -> Option<PeHeaders> {
    let pe = u32_le(image, 0x3c)? as usize;
    let coff = pe + 4;
    let sections = u16_le(image, coff + 2)? as usize;
    let opt_size = u16_le(image, coff + 16)? as usize;
    let opt = coff + 20;
    let (count_at, dirs) = match u16_le(image, opt)? {
        0x10b => (opt + 92, opt + 96),   // PE32
        0x20b => (opt + 108, opt + 112), // PE32+
        _ => return None,
    };
    Some(PeHeaders {
        coff,
        sections,
        table: opt + opt_size,
        dirs,
        ndirs: u32_le(image, count_at)? as usize,
    })
}

/// Where the last section's raw data ends: what follows is the overlay (a COFF symbol
/// table, a certificate table, or anything appended).
fn pe_sections_end(image: &[u8], h: &PeHeaders) -> Option<usize> {
    (0..h.sections)
        .map(|i| {
            let sh = h.table + i * 40;
            Some(u32_le(image, sh + 20)? as usize + u32_le(image, sh + 16)? as usize)
        })
        .try_fold(0, |end, s| Some(end.max(s?)))
}

/// libsui grows the image before its overlay but leaves the COFF header's pointer to a
/// symbol table there (mingw-w64 links one unless stripped) where it was; tools such as
/// objdump then reject the file. Point it at the moved table. The loader never reads it.
fn pe_move_symbol_table(stub: &[u8], out: &mut [u8]) {
    let (Some(h), Some(new)) = (pe_headers(stub), pe_headers(out)) else {
        return;
    };
    let (Some(symbols), Some(end)) = (u32_le(stub, h.coff + 8), pe_sections_end(stub, &h)) else {
        return;
    };
    let symbols = symbols as usize;
    if symbols == 0 || symbols < end || out.len() < stub.len() {
        return;
    }
    let moved = symbols + (out.len() - stub.len());
    if let Ok(moved) = u32::try_from(moved) {
        out[new.coff + 8..new.coff + 12].copy_from_slice(&moved.to_le_bytes());
    }
}

/// Whether a PE image carries an Authenticode signature (a certificate table).
fn pe_is_signed(image: &[u8]) -> bool {
    pe_headers(image).is_some_and(|h| {
        h.ndirs > 4 && u32_le(image, h.dirs + 4 * 8 + 4).is_some_and(|size| size > 0)
    })
}

const LC_SEGMENT_64: u32 = 0x19;
const LC_CODE_SIGNATURE: u32 = 0x1d;
/// The segment libsui adds on arm64, and the size of its load command (segment + one
/// section).
const SUI_SEGMENT: &[u8] = b"__SUI";
const SUI_COMMAND_LEN: usize = 72 + 80;

/// Check a thin 64-bit Mach-O for what libsui needs, and whether it already carries a
/// payload: a `__SUI` segment (arm64) or libsui's appended-data marker (x86-64).
fn check_macho(image: &[u8], kind: &StubKind) -> Result<bool, String> {
    let damaged = || "its Mach-O load commands are damaged".to_owned();
    let ncmds = u32_le(image, 16).ok_or_else(damaged)? as usize;
    let sizeofcmds = u32_le(image, 20).ok_or_else(damaged)? as usize;
    let mut at = 32usize;
    let mut first_section = usize::MAX;
    let (mut linkedit, mut signed, mut frozen) = (false, false, false);
    for _ in 0..ncmds {
        let cmd = u32_le(image, at).ok_or_else(damaged)?;
        let size = u32_le(image, at + 4).ok_or_else(damaged)? as usize;
        if size < 8 || at + size > 32 + sizeofcmds {
            return Err(damaged());
        }
        if cmd == LC_SEGMENT_64 {
            let name = image.get(at + 8..at + 24).ok_or_else(damaged)?;
            let name = &name[..name.iter().position(|&b| b == 0).unwrap_or(16)];
            linkedit |= name == b"__LINKEDIT";
            frozen |= name == SUI_SEGMENT;
            let nsects = u32_le(image, at + 64).ok_or_else(damaged)? as usize;
            for i in 0..nsects {
                let offset = u32_le(image, at + 72 + i * 80 + 48).ok_or_else(damaged)? as usize;
                if offset > 0 {
                    first_section = first_section.min(offset);
                }
            }
            // A segment without sections that maps file bytes (other than the header
            // page of __TEXT) also bounds the room after the load commands.
            let fileoff = u64_le(image, at + 40).ok_or_else(damaged)? as usize;
            let filesize = u64_le(image, at + 48).ok_or_else(damaged)?;
            if nsects == 0 && fileoff > 0 && filesize > 0 {
                first_section = first_section.min(fileoff);
            }
        }
        signed |= cmd == LC_CODE_SIGNATURE;
        at += size;
    }
    if !linkedit {
        return Err("it has no __LINKEDIT segment (is it a linked executable?)".to_owned());
    }
    if kind.arch == target::Arch::X86_64 {
        // libsui appends the payload after this marker (built so the stub itself never
        // holds it as contiguous bytes).
        let mut marker = b"<~sui-data~>".to_vec();
        marker.extend_from_slice(&[0xef, 0xbe, 0xad, 0xde]);
        frozen |= image.windows(marker.len()).any(|w| w == marker);
        if signed && !cfg!(target_vendor = "apple") {
            return Err(
                "it is a code-signed Mach-O x86-64 executable, and embedding outside macOS would leave that signature invalid; remove it first (codesign --remove-signature, on a Mac) or freeze on macOS"
                    .to_owned(),
            );
        }
        return Ok(frozen);
    }
    if frozen {
        return Ok(true);
    }
    if !signed {
        return Err(
            "it is a Mach-O arm64 executable without a code signature, which the output's ad-hoc signature must replace; link the stub with one (Apple's linker signs arm64 ad hoc by default)"
                .to_owned(),
        );
    }
    // libsui writes the new segment's load command into the padding after the existing
    // ones; without room it would overwrite the first section.
    let end = 32 + sizeofcmds;
    let room = first_section.saturating_sub(end);
    let padding_is_free = image
        .get(end..end + room.min(SUI_COMMAND_LEN))
        .is_some_and(|b| b.iter().all(|&x| x == 0));
    if room < SUI_COMMAND_LEN || !padding_is_free {
        return Err(format!(
            "it has {room} bytes free after its load commands and the payload's segment needs {SUI_COMMAND_LEN}; relink the stub with more header padding (-headerpad 0x1000)"
        ));
    }
    Ok(false)
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
