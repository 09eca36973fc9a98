//! Targets `freeze` can build for, and what kind of executable a runtime stub is.
//!
//! A stub's object format and architecture are read from its headers by hand (the first
//! few hundred bytes say it for ELF, PE and Mach-O), so `--list-targets` can check every
//! stub in a directory without reading whole files. What the embedders need beyond that
//! (no payload yet, a code signature to replace) is checked on the whole image in
//! [`crate::embed`].

use std::fmt;

/// The object format of an executable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Elf,
    Pe,
    MachO,
}

impl Format {
    /// The format named by an executable's first bytes (its magic), if any; see
    /// [`identify`] for the architecture and the forms `freeze` can embed into.
    pub fn detect(bytes: &[u8]) -> Option<Self> {
        match bytes {
            [0x7f, b'E', b'L', b'F', ..] => Some(Self::Elf),
            [b'M', b'Z', ..] => Some(Self::Pe),
            [0xcf, 0xfa, 0xed, 0xfe, ..] | [0xfe, 0xed, 0xfa, 0xcf, ..] => Some(Self::MachO),
            _ => None,
        }
    }

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

/// A target triple `freeze --target` knows, and the stub it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub triple: &'static str,
    pub format: Format,
    pub arch: KnownArch,
}

/// The architectures of known targets (a `Copy` subset of [`Arch`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownArch {
    X86_64,
    Aarch64,
}

impl From<KnownArch> for Arch {
    fn from(a: KnownArch) -> Arch {
        match a {
            KnownArch::X86_64 => Arch::X86_64,
            KnownArch::Aarch64 => Arch::Aarch64,
        }
    }
}

/// Every target `--target` accepts.
pub const TARGETS: &[Target] = &[
    Target::new("x86_64-unknown-linux-gnu", Format::Elf, KnownArch::X86_64),
    Target::new("x86_64-unknown-linux-musl", Format::Elf, KnownArch::X86_64),
    Target::new("aarch64-unknown-linux-gnu", Format::Elf, KnownArch::Aarch64),
    Target::new(
        "aarch64-unknown-linux-musl",
        Format::Elf,
        KnownArch::Aarch64,
    ),
    Target::new("x86_64-pc-windows-msvc", Format::Pe, KnownArch::X86_64),
    Target::new("x86_64-pc-windows-gnu", Format::Pe, KnownArch::X86_64),
    Target::new("aarch64-apple-darwin", Format::MachO, KnownArch::Aarch64),
    Target::new("x86_64-apple-darwin", Format::MachO, KnownArch::X86_64),
];

/// The target this `freeze` was built for.
pub const HOST: &str = env!("FREEZE_HOST_TARGET");

impl Target {
    const fn new(triple: &'static str, format: Format, arch: KnownArch) -> Self {
        Target {
            triple,
            format,
            arch,
        }
    }

    /// The known target named `triple`.
    pub fn find(triple: &str) -> Option<&'static Target> {
        TARGETS.iter().find(|t| t.triple == triple)
    }

    /// The known targets' names, comma-separated, for messages.
    pub fn known_list() -> String {
        TARGETS
            .iter()
            .map(|t| t.triple)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The file name of this target's stub in a stub directory
    /// (`runtime-stub-x86_64-pc-windows-msvc.exe`).
    pub fn stub_file_name(&self) -> String {
        let exe = if self.format == Format::Pe {
            ".exe"
        } else {
            ""
        };
        format!("runtime-stub-{}{exe}", self.triple)
    }

    /// Whether this is the target `freeze` itself runs on.
    pub fn is_host(&self) -> bool {
        self.triple == HOST
    }

    /// What a stub for this target must be: "a Mach-O arm64 one".
    pub fn needs(&self) -> String {
        let arch = Arch::from(self.arch);
        format!(
            "{} {} {} one",
            article(self.format.name()),
            self.format.name(),
            arch.name(self.format)
        )
    }

    /// Whether a stub of `kind` fits this target.
    pub fn accepts(&self, kind: &StubKind) -> bool {
        kind.format == self.format && kind.arch == Arch::from(self.arch)
    }
}

/// Native modules RustPython 0.6 builds only on Windows, and only on Unix (the `cfg`s
/// of the module lists in rustpython-vm and rustpython-stdlib). None has a pure-Python
/// fallback in the standard library: whether a program finds one depends on the target's
/// VM alone.
const WINDOWS_NATIVE: &[&str] = &[
    "_overlapped",
    "_testconsole",
    "_winapi",
    "_wmi",
    "msvcrt",
    "nt",
    "winreg",
    "winsound",
];
const UNIX_NATIVE: &[&str] = &[
    "_posixshmem",
    "_posixsubprocess",
    "_uuid",
    "fcntl",
    "grp",
    "posix",
    "pwd",
    "resource",
    "syslog",
    "termios",
];
const MACOS_NATIVE: &[&str] = &["_scproxy"];

impl Target {
    /// Whether this target's VM implements `module` (or its top-level package) natively
    /// as a platform-specific module: freezing on another OS cannot see it, but it is
    /// there when the output runs.
    pub fn has_native_module(&self, module: &str) -> bool {
        let top = module.split('.').next().unwrap_or(module);
        match self.format {
            Format::Pe => WINDOWS_NATIVE.contains(&top),
            Format::Elf => UNIX_NATIVE.contains(&top),
            Format::MachO => UNIX_NATIVE.contains(&top) || MACOS_NATIVE.contains(&top),
        }
    }
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

fn article(word: &str) -> &'static str {
    // "an ELF", "a PE", "a Mach-O".
    if word.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
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

/// How many leading bytes [`identify`] needs at most.
pub const HEADER_PROBE_LEN: usize = 64 * 1024;

fn u16_at(b: &[u8], at: usize, le: bool) -> Option<u16> {
    let raw: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
    Some(if le {
        u16::from_le_bytes(raw)
    } else {
        u16::from_be_bytes(raw)
    })
}

fn u32_at(b: &[u8], at: usize, le: bool) -> Option<u32> {
    let raw: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
    Some(if le {
        u32::from_le_bytes(raw)
    } else {
        u32::from_be_bytes(raw)
    })
}

/// Read a stub's format and architecture from its first bytes (at most
/// [`HEADER_PROBE_LEN`]). The error says, as a phrase, why `freeze` cannot embed into it.
pub fn identify(head: &[u8]) -> Result<StubKind, String> {
    match head {
        [0x7f, b'E', b'L', b'F', ..] => identify_elf(head),
        [b'M', b'Z', ..] => identify_pe(head),
        [0xcf, 0xfa, 0xed, 0xfe, ..] => {
            let cpu = u32_at(head, 4, true).ok_or("a truncated Mach-O header")?;
            let arch = match cpu {
                0x0100_0007 => Arch::X86_64,
                0x0100_000c => Arch::Aarch64,
                other => Arch::Other(format!("CPU type {other:#x}")),
            };
            Ok(StubKind {
                format: Format::MachO,
                arch,
            })
        }
        [0xca, 0xfe, 0xba, 0xbe, ..] | [0xbe, 0xba, 0xfe, 0xca, ..] => Err(
            "a universal (fat) Mach-O; give the stub of one architecture (lipo -thin arm64 or x86_64)"
                .to_owned(),
        ),
        [0xce, 0xfa, 0xed, 0xfe, ..] | [0xfe, 0xed, 0xfa, 0xce, ..] => {
            Err("a 32-bit Mach-O; only 64-bit Mach-O stubs are supported".to_owned())
        }
        [0xfe, 0xed, 0xfa, 0xcf, ..] => {
            Err("a big-endian Mach-O; only little-endian Mach-O stubs are supported".to_owned())
        }
        _ => Err("not an executable (no ELF, PE or Mach-O header)".to_owned()),
    }
}

fn identify_elf(head: &[u8]) -> Result<StubKind, String> {
    let truncated = || "a truncated ELF header".to_owned();
    let class = *head.get(4).ok_or_else(truncated)?;
    let data = *head.get(5).ok_or_else(truncated)?;
    let le = match data {
        1 => true,
        2 => false,
        _ => return Err("an ELF file with an unknown byte order".to_owned()),
    };
    let machine = u16_at(head, 0x12, le).ok_or_else(truncated)?;
    let arch = match machine {
        0x3e => Arch::X86_64,
        0xb7 => Arch::Aarch64,
        0x03 => Arch::Other("i386".to_owned()),
        0x28 => Arch::Other("arm".to_owned()),
        0xf3 => Arch::Other("riscv".to_owned()),
        other => Arch::Other(format!("machine {other:#x}")),
    };
    if class != 2 || !le {
        let kind = StubKind {
            format: Format::Elf,
            arch,
        };
        return Err(format!(
            "{kind} in {}-bit {} form; only 64-bit little-endian ELF stubs are supported",
            if class == 2 { 64 } else { 32 },
            if le { "little-endian" } else { "big-endian" },
        ));
    }
    Ok(StubKind {
        format: Format::Elf,
        arch,
    })
}

fn identify_pe(head: &[u8]) -> Result<StubKind, String> {
    let damaged =
        || "a DOS or damaged PE file (no PE header where the MZ header points)".to_owned();
    let pe_offset = u32_at(head, 0x3c, true).ok_or_else(damaged)? as usize;
    if head.get(pe_offset..pe_offset.saturating_add(4)) != Some(b"PE\0\0") {
        return Err(damaged());
    }
    let machine = u16_at(head, pe_offset + 4, true).ok_or_else(damaged)?;
    let arch = match machine {
        0x8664 => Arch::X86_64,
        0xaa64 => Arch::Aarch64,
        0x014c => Arch::Other("i386".to_owned()),
        other => Arch::Other(format!("machine {other:#x}")),
    };
    Ok(StubKind {
        format: Format::Pe,
        arch,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_target_is_listed_once_and_found() {
        for t in TARGETS {
            assert_eq!(Target::find(t.triple), Some(t));
            assert_eq!(TARGETS.iter().filter(|o| o.triple == t.triple).count(), 1);
        }
        assert_eq!(Target::find("riscv64gc-unknown-linux-gnu"), None);
    }

    #[test]
    fn stub_file_names_carry_the_triple_and_windows_suffix() {
        let win = Target::find("x86_64-pc-windows-gnu").unwrap();
        assert_eq!(
            win.stub_file_name(),
            "runtime-stub-x86_64-pc-windows-gnu.exe"
        );
        let mac = Target::find("aarch64-apple-darwin").unwrap();
        assert_eq!(mac.stub_file_name(), "runtime-stub-aarch64-apple-darwin");
        assert_eq!(mac.needs(), "a Mach-O arm64 one");
        let linux = Target::find("aarch64-unknown-linux-musl").unwrap();
        assert_eq!(linux.needs(), "an ELF aarch64 one");
    }

    #[test]
    fn platform_native_modules_follow_the_target_os() {
        let win = Target::find("x86_64-pc-windows-msvc").unwrap();
        let mac = Target::find("aarch64-apple-darwin").unwrap();
        let linux = Target::find("x86_64-unknown-linux-musl").unwrap();
        assert!(win.has_native_module("msvcrt") && win.has_native_module("winreg"));
        assert!(!win.has_native_module("termios") && !win.has_native_module("json"));
        assert!(mac.has_native_module("_scproxy") && mac.has_native_module("termios"));
        assert!(!linux.has_native_module("_scproxy") && !linux.has_native_module("nt"));
    }

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
        assert!(identify(&pe).unwrap_err().contains("damaged PE"));

        let mut macho = vec![0u8; 32];
        macho[..4].copy_from_slice(&0xfeedfacfu32.to_le_bytes());
        macho[4..8].copy_from_slice(&0x0100000cu32.to_le_bytes());
        assert_eq!(
            identify(&macho).unwrap().to_string(),
            "a Mach-O arm64 executable"
        );
        assert!(
            identify(&0xcafebabeu32.to_be_bytes())
                .unwrap_err()
                .contains("fat")
        );
        assert!(
            identify(b"#!/bin/sh\n")
                .unwrap_err()
                .contains("not an executable")
        );

        let mut elf32 = elf.clone();
        elf32[4] = 1;
        elf32[0x12] = 0x03;
        assert_eq!(
            identify(&elf32).unwrap_err(),
            "an ELF i386 executable in 32-bit little-endian form; only 64-bit little-endian ELF stubs are supported"
        );
    }
}
