//! Targets `freeze` can build for: their triples, the stub each needs (object format
//! and architecture, see [`crate::output::container`]), and their platform-only native modules.

use crate::analysis::stdlib::{MACOS_NATIVE, UNIX_NATIVE, WINDOWS_NATIVE};
use crate::output::container::article;
pub use crate::output::container::{Arch, Format, StubKind};

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

/// File name of the host's stub executable in a build directory (`runtime-stub[.exe]`).
pub fn host_stub_file_name() -> String {
    format!("runtime-stub{}", std::env::consts::EXE_SUFFIX)
}

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
        format!("runtime-stub-{}{}", self.triple, self.exe_suffix())
    }

    /// `.exe` for a Windows (PE) target, else nothing.
    pub fn exe_suffix(&self) -> &'static str {
        if self.format == Format::Pe {
            ".exe"
        } else {
            ""
        }
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

/// A native module of another platform than `target`'s (the host's when None):
/// `winreg` on Linux, `termios` on Windows. Its absence is that platform's business.
pub fn native_elsewhere(target: Option<&Target>, module: &str) -> bool {
    let top = module.split('.').next().unwrap_or(module);
    let here = match target {
        Some(target) => target.has_native_module(top),
        None => crate::analysis::stdlib::native_modules().contains(top),
    };
    let anywhere = [WINDOWS_NATIVE, UNIX_NATIVE, MACOS_NATIVE]
        .iter()
        .any(|list| list.contains(&top));
    anywhere && !here
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
}
