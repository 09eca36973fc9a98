//! Mach-O: on arm64 the payload is the `freezepayload` section of a new `__SUI`
//! segment, and the output is re-signed ad hoc (Apple Silicon runs only signed code);
//! on x86-64 it is appended inside `__LINKEDIT` after libsui's marker, and the output
//! is left unsigned. libsui writes both; load commands are read through `object`.

use freeze_payload::SECTION_NAME;
use object::LittleEndian as LE;
use object::macho::{self, MachHeader64};
use object::read::macho::{MachHeader, Section, Segment};

use super::{Arch, Format, NotAStub, Refused, StubKind, Unsupported};

/// The segment libsui adds on arm64, and the size of its load command (segment + one
/// section).
const SUI_SEGMENT: &[u8] = b"__SUI";
const SUI_COMMAND_LEN: usize = 72 + 80;

pub fn identify(head: &[u8]) -> Result<StubKind, NotAStub> {
    let unsupported = |u| Err(NotAStub::Unsupported(u));
    match head {
        [0xcf, 0xfa, 0xed, 0xfe, ..] => {
            let Some(cpu) = head.get(4..8) else {
                return unsupported(Unsupported::Truncated(Format::MachO));
            };
            let arch = match u32::from_le_bytes(cpu.try_into().expect("four bytes")) {
                macho::CPU_TYPE_X86_64 => Arch::X86_64,
                macho::CPU_TYPE_ARM64 => Arch::Aarch64,
                other => Arch::Other(format!("CPU type {other:#x}")),
            };
            Ok(StubKind {
                format: Format::MachO,
                arch,
            })
        }
        [0xca, 0xfe, 0xba, 0xbe, ..] | [0xbe, 0xba, 0xfe, 0xca, ..] => {
            unsupported(Unsupported::FatMachO)
        }
        [0xce, 0xfa, 0xed, 0xfe, ..] | [0xfe, 0xed, 0xfa, 0xce, ..] => {
            unsupported(Unsupported::MachO32)
        }
        _ => unsupported(Unsupported::MachOBigEndian),
    }
}

/// What the load commands say.
#[derive(Default)]
struct Layout {
    linkedit: bool,
    signed: bool,
    /// Carries a `__SUI` segment (an arm64 output).
    sui: bool,
    /// The first file offset a section (or a segment without sections) maps: the load
    /// commands may grow up to it.
    first_mapped: Option<usize>,
    /// The end of the load commands.
    commands_end: usize,
}

fn layout(image: &[u8]) -> object::Result<Layout> {
    let header = MachHeader64::<LE>::parse(image, 0)?;
    let mut commands = header.load_commands(LE, image, 0)?;
    let mut layout = Layout {
        commands_end: 32 + header.sizeofcmds(LE) as usize,
        ..Layout::default()
    };
    let mut first = usize::MAX;
    while let Some(command) = commands.next()? {
        layout.signed |= command.cmd() == macho::LC_CODE_SIGNATURE;
        let Some((segment, section_data)) = command.segment_64()? else {
            continue;
        };
        layout.linkedit |= segment.name() == b"__LINKEDIT";
        layout.sui |= segment.name() == SUI_SEGMENT;
        let sections = segment.sections(LE, section_data)?;
        for section in sections {
            let offset = section.offset(LE) as usize;
            if offset > 0 {
                first = first.min(offset);
            }
        }
        // A segment without sections that maps file bytes (other than the header page
        // of __TEXT) also bounds the room after the load commands.
        let (fileoff, filesize) = segment.file_range(LE);
        if sections.is_empty() && fileoff > 0 && filesize > 0 {
            first = first.min(fileoff as usize);
        }
    }
    layout.first_mapped = (first != usize::MAX).then_some(first);
    Ok(layout)
}

/// libsui's marker before the appended x86-64 payload (built so the stub itself never
/// holds it as contiguous bytes), followed by the payload's length (u64, little-endian).
fn x86_marker() -> Vec<u8> {
    let mut marker = b"<~sui-data~>".to_vec();
    marker.extend_from_slice(&[0xef, 0xbe, 0xad, 0xde]);
    marker
}

/// Whether the stub can take a payload (what libsui needs): Ok(true) when it carries one
/// already.
pub fn check(image: &[u8], kind: &StubKind) -> Result<bool, Refused> {
    let layout = layout(image).map_err(|_| Refused::DamagedMachO)?;
    if !layout.linkedit {
        return Err(Refused::NoLinkedit);
    }
    if kind.arch == Arch::X86_64 {
        let marker = x86_marker();
        let frozen = layout.sui || image.windows(marker.len()).any(|w| w == marker);
        if layout.signed && !cfg!(target_vendor = "apple") {
            return Err(Refused::SignedX86MachO);
        }
        return Ok(frozen);
    }
    if layout.sui {
        return Ok(true);
    }
    if !layout.signed {
        return Err(Refused::UnsignedArm64MachO);
    }
    // libsui writes the new segment's load command into the padding after the existing
    // ones; without room it would overwrite the first section.
    let end = layout.commands_end;
    let room = layout
        .first_mapped
        .unwrap_or(usize::MAX)
        .saturating_sub(end);
    let padding_is_free = image
        .get(end..end + room.min(SUI_COMMAND_LEN))
        .is_some_and(|b| b.iter().all(|&x| x == 0));
    if room < SUI_COMMAND_LEN || !padding_is_free {
        return Err(Refused::NoHeaderRoom {
            room,
            needs: SUI_COMMAND_LEN,
        });
    }
    Ok(false)
}

pub fn embed(stub: &[u8], payload: &[u8]) -> Result<Vec<u8>, Refused> {
    let mut out = Vec::with_capacity(stub.len() + payload.len() + 8192);
    libsui::Macho::from(stub.to_vec())
        .and_then(|m| m.write_section(SECTION_NAME, payload.to_vec()))
        .and_then(|m| m.build_and_sign(&mut out))
        .map_err(|e| Refused::Embed(e.to_string()))?;
    Ok(out)
}

pub fn find(image: &[u8]) -> Option<&[u8]> {
    if let Some(found) = sui_section(image).ok().flatten() {
        return Some(found);
    }
    let marker = x86_marker();
    let at = image.windows(marker.len()).position(|w| w == marker)? + marker.len();
    let len = u64::from_le_bytes(image.get(at..at + 8)?.try_into().ok()?);
    image.get(at + 8..(at + 8).checked_add(usize::try_from(len).ok()?)?)
}

/// The `freezepayload` section of the `__SUI` segment (arm64).
fn sui_section(image: &[u8]) -> object::Result<Option<&[u8]>> {
    let header = MachHeader64::<LE>::parse(image, 0)?;
    let mut commands = header.load_commands(LE, image, 0)?;
    while let Some(command) = commands.next()? {
        let Some((segment, section_data)) = command.segment_64()? else {
            continue;
        };
        if segment.name() != SUI_SEGMENT {
            continue;
        }
        for section in segment.sections(LE, section_data)? {
            if section.name() == SECTION_NAME.as_bytes() {
                return Ok(section.data(LE, image).ok());
            }
        }
    }
    Ok(None)
}
