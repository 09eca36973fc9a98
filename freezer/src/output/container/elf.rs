//! ELF: the payload is a non-allocated section, `.freeze_payload`, which GNU `strip`
//! keeps. Its writer and reader live in `freeze-payload`, shared with the runtime stub.

use freeze_payload::elf::{ELF_SECTION, add_section, find_section};

use super::{Arch, Format, NotAStub, Refused, StubKind, Unsupported};

pub fn identify(head: &[u8]) -> Result<StubKind, NotAStub> {
    let truncated = || NotAStub::Unsupported(Unsupported::Truncated(Format::Elf));
    let class = *head.get(4).ok_or_else(truncated)?;
    let little_endian = match head.get(5).ok_or_else(truncated)? {
        1 => true,
        2 => false,
        _ => return Err(NotAStub::Unsupported(Unsupported::ElfByteOrder)),
    };
    let raw: [u8; 2] = head
        .get(0x12..0x14)
        .ok_or_else(truncated)?
        .try_into()
        .expect("two bytes");
    let machine = if little_endian {
        u16::from_le_bytes(raw)
    } else {
        u16::from_be_bytes(raw)
    };
    let arch = match machine {
        0x3e => Arch::X86_64,
        0xb7 => Arch::Aarch64,
        0x03 => Arch::Other("i386".to_owned()),
        0x28 => Arch::Other("arm".to_owned()),
        0xf3 => Arch::Other("riscv".to_owned()),
        other => Arch::Other(format!("machine {other:#x}")),
    };
    let kind = StubKind {
        format: Format::Elf,
        arch,
    };
    if class != 2 || !little_endian {
        return Err(NotAStub::Unsupported(Unsupported::ElfForm {
            kind,
            bits: if class == 2 { 64 } else { 32 },
            little_endian,
        }));
    }
    Ok(kind)
}

pub fn carries_payload(image: &[u8]) -> Result<bool, Refused> {
    find_section(image, ELF_SECTION)
        .map(|found| found.is_some())
        .map_err(|e| Refused::ElfHeaders(e.to_string()))
}

pub fn embed(stub: &[u8], payload: &[u8]) -> Result<Vec<u8>, Refused> {
    add_section(stub, ELF_SECTION, payload).map_err(|e| Refused::ElfEmbed(e.to_string()))
}

pub fn find(image: &[u8]) -> Option<&[u8]> {
    find_section(image, ELF_SECTION).ok().flatten()
}
