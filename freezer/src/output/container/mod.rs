//! One layer for executable formats. Each format's file answers the same four
//! questions — what is this file ([`identify`], from its first bytes), can it take a
//! payload ([`check_stub`]), where is an output's payload ([`find_payload`]), and put one
//! in ([`embed`]). Which target wants which kind of stub is [`crate::output::target`]'s concern — ELF in a non-allocated section, PE in an `RT_RCDATA` resource,
//! Mach-O in a new segment (arm64, re-signed ad hoc) or appended data (x86-64).
//! Headers are read through the `object` crate, except ELF's, whose reader (in
//! `freeze-payload`) the runtime stub shares.

mod elf;
mod macho;
mod pe;

use std::fmt;
use std::path::{Path, PathBuf};

/// The object format of an executable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Elf,
    Pe,
    MachO,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Elf => "ELF",
            Format::Pe => "PE",
            Format::MachO => "Mach-O",
        }
    }
}

/// A processor architecture, as the headers name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arch {
    X86_64,
    Aarch64,
    /// Anything else, by its usual name (`i386`, `riscv`, …) or header code.
    Other(String),
}

impl Arch {
    /// The name each platform's own tools use: Apple and Microsoft say arm64, ELF
    /// tools say aarch64.
    pub fn name(&self, format: Format) -> String {
        match (self, format) {
            (Arch::X86_64, _) => "x86-64".to_owned(),
            (Arch::Aarch64, Format::Elf) => "aarch64".to_owned(),
            (Arch::Aarch64, _) => "arm64".to_owned(),
            (Arch::Other(name), _) => name.clone(),
        }
    }
}

/// What a stub file is: its object format and architecture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StubKind {
    pub format: Format,
    pub arch: Arch,
}

impl fmt::Display for StubKind {
    /// "an ELF x86-64 executable".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} executable",
            article(self.format.name()),
            self.format.name(),
            self.arch.name(self.format)
        )
    }
}

pub fn article(word: &str) -> &'static str {
    // "an ELF", "a PE", "a Mach-O".
    if word.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    }
}

/// How many leading bytes [`identify`] needs at most.
pub const HEADER_PROBE_LEN: usize = 64 * 1024;

/// Why a file cannot be a runtime stub at all (read from its first bytes).
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum NotAStub {
    #[error("not an executable (no ELF, PE or Mach-O header)")]
    NotExecutable,
    #[error("it is {}", self.what())]
    Unsupported(Unsupported),
}

/// Executables of a form `freeze` cannot embed into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsupported {
    Truncated(Format),
    ElfByteOrder,
    ElfForm {
        kind: StubKind,
        bits: u8,
        little_endian: bool,
    },
    DamagedPe,
    FatMachO,
    MachO32,
    MachOBigEndian,
}

impl NotAStub {
    /// What the file is, as said after "is": `not an executable (…)`, `a 32-bit Mach-O; …`.
    pub fn what(&self) -> String {
        let Self::Unsupported(form) = self else {
            return self.to_string();
        };
        match form {
            Unsupported::Truncated(format) => format!("a truncated {} header", format.name()),
            Unsupported::ElfByteOrder => "an ELF file with an unknown byte order".to_owned(),
            Unsupported::ElfForm { kind, bits, little_endian } => format!(
                "{kind} in {bits}-bit {} form; only 64-bit little-endian ELF stubs are supported",
                if *little_endian { "little-endian" } else { "big-endian" }
            ),
            Unsupported::DamagedPe => {
                "a DOS or damaged PE file (no PE header where the MZ header points)".to_owned()
            }
            Unsupported::FatMachO => "a universal (fat) Mach-O; give the stub of one architecture (lipo -thin arm64 or x86_64)".to_owned(),
            Unsupported::MachO32 => {
                "a 32-bit Mach-O; only 64-bit Mach-O stubs are supported".to_owned()
            }
            Unsupported::MachOBigEndian => {
                "a big-endian Mach-O; only little-endian Mach-O stubs are supported".to_owned()
            }
        }
    }
}

/// Why a stub of a supported form cannot take a payload.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    #[error(
        "it already carries a freeze payload (is it a frozen program rather than a runtime stub?)"
    )]
    AlreadyFrozen,
    #[error(
        "it is an executable but not a freeze runtime stub; give the runtime-stub of a freeze build or release"
    )]
    NotARuntimeStub,
    #[error("its ELF headers cannot be read: {0}")]
    ElfHeaders(String),
    #[error("its PE headers are damaged")]
    DamagedPe,
    #[error(
        "it carries an Authenticode signature, which embedding would invalidate; use an unsigned stub and sign the output"
    )]
    Authenticode,
    #[error("its Mach-O load commands are damaged")]
    DamagedMachO,
    #[error("it has no __LINKEDIT segment (is it a linked executable?)")]
    NoLinkedit,
    #[error(
        "it is a code-signed Mach-O x86-64 executable, and embedding outside macOS would leave that signature invalid; remove it first (codesign --remove-signature, on a Mac) or freeze on macOS"
    )]
    SignedX86MachO,
    #[error(
        "it is a Mach-O arm64 executable without a code signature, which the output's ad-hoc signature must replace; link the stub with one (Apple's linker signs arm64 ad hoc by default)"
    )]
    UnsignedArm64MachO,
    #[error(
        "it has {room} bytes free after its load commands and the payload's segment needs {needs}; relink the stub with more header padding (-headerpad 0x1000)"
    )]
    NoHeaderRoom { room: usize, needs: usize },
    #[error("cannot embed the payload: {0}")]
    Embed(String),
    /// The ELF writer's own message.
    #[error("{0}")]
    ElfEmbed(String),
}

/// Read a stub's format and architecture from its first bytes (at most
/// [`HEADER_PROBE_LEN`]).
pub fn identify(head: &[u8]) -> Result<StubKind, NotAStub> {
    match head {
        [0x7f, b'E', b'L', b'F', ..] => elf::identify(head),
        [b'M', b'Z', ..] => pe::identify(head),
        [0xcf, 0xfa, 0xed, 0xfe, ..]
        | [0xca, 0xfe, 0xba, 0xbe, ..]
        | [0xbe, 0xba, 0xfe, 0xca, ..]
        | [0xce, 0xfa, 0xed, 0xfe, ..]
        | [0xfe, 0xed, 0xfa, 0xce, ..]
        | [0xfe, 0xed, 0xfa, 0xcf, ..] => macho::identify(head),
        _ => Err(NotAStub::NotExecutable),
    }
}

/// A runtime stub `freeze` cannot build on, and why.
#[derive(thiserror::Error, Debug)]
#[error("runtime stub {} is unusable: {why}", path.display())]
pub struct Unusable {
    pub path: PathBuf,
    pub why: Why,
}

#[derive(thiserror::Error, Debug)]
pub enum Why {
    #[error(transparent)]
    NotAStub(#[from] NotAStub),
    #[error(transparent)]
    Refused(#[from] Refused),
}

/// What the stub at `path` is, read from its first bytes.
pub fn identify_stub(stub: &[u8], path: &Path) -> Result<StubKind, Unusable> {
    identify(&stub[..stub.len().min(HEADER_PROBE_LEN)]).map_err(|e| Unusable {
        path: path.to_path_buf(),
        why: e.into(),
    })
}

/// Check that `stub` (of `kind`, the bytes of the file at `path`) can take a payload:
/// a runtime stub (ELF and PE stubs carry its mark; Mach-O ones are not checked, see
/// docs/limits.md), no payload yet, and what each embedder needs (an unsigned PE, Mach-O
/// re-signing).
pub fn check_stub(stub: &[u8], path: &Path, kind: &StubKind) -> Result<(), Unusable> {
    let marked = kind.format == Format::MachO || carries_stub_mark(stub);
    let carries = match kind.format {
        _ if !marked => Err(Refused::NotARuntimeStub),
        Format::Elf => elf::carries_payload(stub),
        Format::Pe => pe::check(stub),
        Format::MachO => macho::check(stub, kind),
    };
    match carries {
        Ok(false) => Ok(()),
        Ok(true) => Err(Refused::AlreadyFrozen),
        Err(refused) => Err(refused),
    }
    .map_err(|e| Unusable {
        path: path.to_path_buf(),
        why: e.into(),
    })
}

/// Whether `image` holds the runtime stub's mark ([`freeze_payload::stub_mark`]). The
/// mark is made here at run time from the plain tag, so this executable never holds it.
fn carries_stub_mark(image: &[u8]) -> bool {
    let mark: Vec<u8> = std::hint::black_box(freeze_payload::STUB_TAG)
        .iter()
        .map(|b| !b)
        .collect();
    memchr::memmem::find(image, &mark).is_some()
}

/// Put `payload` into `stub` (of `kind`, already passed by [`check_stub`]), returning the
/// output's bytes.
pub fn embed(
    stub: &[u8],
    path: &Path,
    kind: &StubKind,
    payload: &[u8],
) -> Result<Vec<u8>, Unusable> {
    match kind.format {
        Format::Elf => elf::embed(stub, payload),
        Format::Pe => pe::embed(stub, payload),
        Format::MachO => macho::embed(stub, payload),
    }
    .map_err(|e| Unusable {
        path: path.to_path_buf(),
        why: e.into(),
    })
}

/// The payload section of a frozen executable of any format, by its name (None: the
/// file holds none, or is no executable `freeze` knows).
pub fn find_payload(image: &[u8]) -> Option<&[u8]> {
    let head = &image[..image.len().min(HEADER_PROBE_LEN)];
    match identify(head).ok()?.format {
        Format::Elf => elf::find(image),
        Format::Pe => pe::find(image),
        Format::MachO => macho::find(image),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_name_format_and_architecture() {
        let mut elf = vec![0u8; 64];
        elf[..6].copy_from_slice(b"\x7fELF\x02\x01");
        elf[0x12] = 0xb7;
        let kind = identify(&elf).unwrap();
        assert_eq!(kind.to_string(), "an ELF aarch64 executable");

        let mut pe = vec![0u8; 0x100];
        pe[..2].copy_from_slice(b"MZ");
        pe[0x3c] = 0x80;
        pe[0x80..0x84].copy_from_slice(b"PE\0\0");
        pe[0x84..0x86].copy_from_slice(&0x8664u16.to_le_bytes());
        assert_eq!(identify(&pe).unwrap().to_string(), "a PE x86-64 executable");
        pe[0x3c] = 0xf0; // points at nothing
        assert!(identify(&pe).unwrap_err().what().contains("damaged PE"));

        let mut macho = vec![0u8; 32];
        macho[..4].copy_from_slice(&0xfeedfacfu32.to_le_bytes());
        macho[4..8].copy_from_slice(&0x0100000cu32.to_le_bytes());
        assert_eq!(
            identify(&macho).unwrap().to_string(),
            "a Mach-O arm64 executable"
        );
        let fat = identify(&0xcafebabeu32.to_be_bytes()).unwrap_err();
        assert!(
            fat.what().starts_with("a universal (fat) Mach-O"),
            "{}",
            fat.what()
        );
        assert!(
            fat.to_string()
                .starts_with("it is a universal (fat) Mach-O"),
            "{fat}"
        );
        let text = identify(b"#!/bin/sh\n").unwrap_err();
        assert_eq!(
            text.what(),
            "not an executable (no ELF, PE or Mach-O header)"
        );
        assert_eq!(text.to_string(), text.what());

        let mut elf32 = elf.clone();
        elf32[4] = 1;
        elf32[0x12] = 0x03;
        assert_eq!(
            identify(&elf32).unwrap_err().what(),
            "an ELF i386 executable in 32-bit little-endian form; only 64-bit little-endian ELF stubs are supported"
        );
    }
}
