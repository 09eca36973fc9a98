//! The payload: the one blob `freeze` embeds in a runtime stub and the stub reads back.
//!
//! Written by the freezer, read by the stub; this crate is the only definition of it.
//!
//! ```text
//! offset  size  field (integers little-endian)
//!      0     8  MAGIC
//!      8     4  FORMAT_VERSION
//!     12    16  RustPython version the code objects were compiled for, NUL-padded ASCII
//!     28     4  CRC-32 of everything after the header (manifest + blob)
//!     32     8  manifest length in bytes
//!     40     8  blob length in bytes
//!     48     …  manifest (bincode 1, fixed-width integers)
//!      …     …  blob: each module's code object (RustPython's frozen form: lz4 of marshal)
//! ```
//!
//! Magic and format version sit first and never move, so any reader can tell a payload of
//! another version from a damaged one. Everything is deterministic: modules are sorted by
//! name, nothing records a time or an absolute path of the build machine.

pub mod elf;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// First bytes of every payload.
pub const MAGIC: [u8; 8] = *b"FRZPYLD\0";
/// Bumped on every change to the layout or the manifest.
pub const FORMAT_VERSION: u32 = 1;
/// The RustPython release whose marshal format the code objects use.
pub const RUSTPYTHON_VERSION: &str = "0.6.0";
/// The Python language version that RustPython release implements.
pub const PYTHON_VERSION: &str = "3.14";
/// Name of the PE resource and Mach-O section that hold the payload (ELF: [`elf::ELF_SECTION`]).
pub const SECTION_NAME: &str = "freezepayload";
/// Size of the fixed header in front of the manifest.
pub const HEADER_LEN: usize = 48;
/// The module name under which a script entry is stored.
pub const SCRIPT_MAIN: &str = "__main__";

const VM_VERSION_FIELD: usize = 16;

/// What a payload describes: which module runs, and every module it carries.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The module run as `__main__`: [`SCRIPT_MAIN`] for a script, or a dotted name
    /// (e.g. `pkg.__main__`) for `freeze -m`.
    pub entry: String,
    /// Optimisation level the code was compiled with (0, 1 or 2, as `python -O`).
    pub optimize: u8,
    /// Every module, sorted by name, names unique.
    pub modules: Vec<Module>,
    /// Data files (package data, distribution metadata, `--add-data`), sorted by path.
    pub data: Vec<DataFile>,
}

/// A file that travels with the program and is read through the runtime's data APIs.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct DataFile {
    /// Path relative to its search-path root, `/`-separated (`pkg/fonts/big.flf`,
    /// `pkg-1.0.dist-info/METADATA`).
    pub path: String,
    pub bytes: Span,
}

/// One module in the payload.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Module {
    /// Dotted name (`pkg.sub`); a package is named without `__init__`.
    pub name: String,
    pub kind: ModuleKind,
    /// Path of the source relative to its search-path root, with `/` separators
    /// (`pkg/__init__.py`). Becomes `__file__` and the file name in tracebacks.
    pub origin: String,
    /// Where the code object lies in the blob.
    pub code: Span,
    /// Where the UTF-8 source lies in the blob, when it was kept (for tracebacks).
    pub source: Option<Span>,
}

/// On-disk code for a module's kind.
#[repr(u8)]
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(into = "u8", try_from = "u8")]
pub enum ModuleKind {
    Module = 0,
    Package = 1,
    /// A namespace package (PEP 420): a directory without `__init__.py`.
    Namespace = 2,
}

impl From<ModuleKind> for u8 {
    fn from(kind: ModuleKind) -> u8 {
        kind as u8
    }
}

impl ModuleKind {
    /// How reports and `freeze inspect` name the kind.
    pub fn label(self) -> &'static str {
        match self {
            ModuleKind::Module => "module",
            ModuleKind::Package => "package",
            ModuleKind::Namespace => "namespace package",
        }
    }
}

impl TryFrom<u8> for ModuleKind {
    type Error = String;
    fn try_from(code: u8) -> Result<Self, String> {
        match code {
            0 => Ok(Self::Module),
            1 => Ok(Self::Package),
            2 => Ok(Self::Namespace),
            other => Err(format!("unknown module kind {other}")),
        }
    }
}

/// A byte range of the blob.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub offset: u64,
    pub len: u64,
}

/// Why a byte string is not a payload this reader can use.
#[derive(thiserror::Error, Debug, PartialEq, Eq)]
pub enum PayloadError {
    #[error("payload is {len} bytes, shorter than its {HEADER_LEN}-byte header")]
    TooShort { len: usize },
    #[error("payload does not start with the freeze magic bytes")]
    BadMagic,
    #[error(
        "payload format version {found} cannot be read by this runtime, which reads version {FORMAT_VERSION}; freeze the program again with a matching freeze"
    )]
    FormatVersion { found: u32 },
    #[error(
        "payload was compiled for RustPython {found}, this runtime runs RustPython {RUSTPYTHON_VERSION}; freeze the program again with a matching freeze"
    )]
    VmVersion { found: String },
    #[error("payload is truncated: header announces {expected} bytes, {found} present")]
    Truncated { expected: u64, found: u64 },
    #[error(
        "payload checksum mismatch (stored {stored:08x}, computed {computed:08x}): the file is damaged"
    )]
    Checksum { stored: u32, computed: u32 },
    #[error("payload manifest is unreadable: {0}")]
    Manifest(String),
    #[error("payload manifest is inconsistent: {0}")]
    Inconsistent(String),
}

/// A validated payload borrowed from the bytes it was read from.
#[derive(Debug)]
pub struct Payload<'a> {
    pub manifest: Manifest,
    blob: &'a [u8],
}

fn bincode_options() -> impl bincode::Options {
    use bincode::Options;
    bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .with_little_endian()
        .reject_trailing_bytes()
}

fn vm_version_field() -> [u8; VM_VERSION_FIELD] {
    let mut field = [0u8; VM_VERSION_FIELD];
    field[..RUSTPYTHON_VERSION.len()].copy_from_slice(RUSTPYTHON_VERSION.as_bytes());
    field
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}

impl<'a> Payload<'a> {
    /// Check and decode a payload. Every failure is a [`PayloadError`]; no input panics.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, PayloadError> {
        use bincode::Options;

        if bytes.len() < 12 {
            return Err(if bytes.len() >= 8 && bytes[..8] != MAGIC {
                PayloadError::BadMagic
            } else {
                PayloadError::TooShort { len: bytes.len() }
            });
        }
        if bytes[..8] != MAGIC {
            return Err(PayloadError::BadMagic);
        }
        let version = u32_at(bytes, 8);
        if version != FORMAT_VERSION {
            return Err(PayloadError::FormatVersion { found: version });
        }
        if bytes.len() < HEADER_LEN {
            return Err(PayloadError::TooShort { len: bytes.len() });
        }
        let vm = &bytes[12..12 + VM_VERSION_FIELD];
        if vm != vm_version_field() {
            let found = String::from_utf8_lossy(vm)
                .trim_end_matches('\0')
                .to_owned();
            return Err(PayloadError::VmVersion { found });
        }
        let stored = u32_at(bytes, 28);
        let manifest_len = u64_at(bytes, 32);
        let blob_len = u64_at(bytes, 40);
        let body = &bytes[HEADER_LEN..];
        let expected = manifest_len
            .checked_add(blob_len)
            .ok_or_else(|| PayloadError::Inconsistent("section lengths overflow".to_owned()))?;
        if expected != body.len() as u64 {
            return Err(PayloadError::Truncated {
                expected,
                found: body.len() as u64,
            });
        }
        let computed = crc32fast::hash(body);
        if computed != stored {
            return Err(PayloadError::Checksum { stored, computed });
        }
        let (manifest_bytes, blob) = body.split_at(manifest_len as usize);
        let manifest: Manifest = bincode_options()
            .with_limit(manifest_len)
            .deserialize(manifest_bytes)
            .map_err(|e| PayloadError::Manifest(e.to_string()))?;
        validate(&manifest, blob)?;
        Ok(Self { manifest, blob })
    }

    /// The module with this dotted name.
    pub fn module(&self, name: &str) -> Option<&Module> {
        let modules = &self.manifest.modules;
        modules
            .binary_search_by(|m| m.name.as_str().cmp(name))
            .ok()
            .map(|i| &modules[i])
    }

    /// The code bytes of a module (validated to lie inside the blob).
    pub fn code(&self, module: &Module) -> &'a [u8] {
        self.span(module.code)
    }

    /// The kept source of a module (validated to lie inside the blob and be UTF-8).
    pub fn source(&self, module: &Module) -> Option<&'a str> {
        module
            .source
            .map(|span| std::str::from_utf8(self.span(span)).unwrap_or_default())
    }

    fn span(&self, span: Span) -> &'a [u8] {
        let start = span.offset as usize;
        &self.blob[start..start + span.len as usize]
    }

    /// A data file by its relative path.
    pub fn data(&self, path: &str) -> Option<&'a [u8]> {
        let data = &self.manifest.data;
        let i = data.binary_search_by(|d| d.path.as_str().cmp(path)).ok()?;
        Some(self.span(data[i].bytes))
    }

    /// Data files whose path starts with `prefix` (sorted).
    pub fn data_under(&self, prefix: &str) -> &[DataFile] {
        let data = &self.manifest.data;
        let start = data.partition_point(|d| d.path.as_str() < prefix);
        let len = data[start..].partition_point(|d| d.path.starts_with(prefix));
        &data[start..start + len]
    }

    /// Total size of the code objects.
    pub fn blob_len(&self) -> usize {
        self.blob.len()
    }
}

fn validate(manifest: &Manifest, blob: &[u8]) -> Result<(), PayloadError> {
    let blob_len = blob.len() as u64;
    let bad = |msg: String| Err(PayloadError::Inconsistent(msg));
    for pair in manifest.modules.windows(2) {
        if pair[0].name >= pair[1].name {
            return bad(format!(
                "modules not sorted or duplicated at {:?}",
                pair[1].name
            ));
        }
    }
    let inside = |span: Span| {
        span.offset
            .checked_add(span.len)
            .is_some_and(|end| end <= blob_len)
    };
    for module in &manifest.modules {
        if !inside(module.code) {
            return bad(format!(
                "code of {:?} lies outside the payload",
                module.name
            ));
        }
        if let Some(span) = module.source {
            if !inside(span) {
                return bad(format!(
                    "source of {:?} lies outside the payload",
                    module.name
                ));
            }
            let bytes = &blob[span.offset as usize..(span.offset + span.len) as usize];
            if std::str::from_utf8(bytes).is_err() {
                return bad(format!("source of {:?} is not UTF-8", module.name));
            }
        }
    }
    for pair in manifest.data.windows(2) {
        if pair[0].path >= pair[1].path {
            return bad(format!(
                "data files not sorted or duplicated at {:?}",
                pair[1].path
            ));
        }
    }
    for file in &manifest.data {
        if !inside(file.bytes) {
            return bad(format!(
                "data file {:?} lies outside the payload",
                file.path
            ));
        }
    }
    if !manifest.modules.iter().any(|m| m.name == manifest.entry) {
        return bad(format!("entry module {:?} is missing", manifest.entry));
    }
    if manifest.optimize > 2 {
        return bad(format!(
            "optimisation level {} is not 0, 1 or 2",
            manifest.optimize
        ));
    }
    Ok(())
}

/// Collects modules and writes a payload.
#[derive(Debug, Default)]
pub struct PayloadBuilder {
    entry: String,
    optimize: u8,
    modules: BTreeMap<String, (ModuleKind, String, Vec<u8>, Option<String>)>,
    data: BTreeMap<String, Vec<u8>>,
}

impl PayloadBuilder {
    pub fn new(entry: impl Into<String>, optimize: u8) -> Self {
        Self {
            entry: entry.into(),
            optimize,
            modules: BTreeMap::new(),
            data: BTreeMap::new(),
        }
    }

    /// Add (or replace) a data file at a `/`-separated relative path.
    pub fn add_data(&mut self, path: impl Into<String>, bytes: Vec<u8>) {
        self.data.insert(path.into(), bytes);
    }

    /// Add (or replace) a module. `code` is RustPython's frozen code object form;
    /// `source`, when given, is served to tracebacks.
    pub fn add_module(
        &mut self,
        name: impl Into<String>,
        kind: ModuleKind,
        origin: impl Into<String>,
        code: Vec<u8>,
        source: Option<String>,
    ) {
        self.modules
            .insert(name.into(), (kind, origin.into(), code, source));
    }

    /// Encode the payload. The same modules always give the same bytes.
    pub fn finish(self) -> Vec<u8> {
        use bincode::Options;

        let mut blob = Vec::new();
        let mut modules = Vec::with_capacity(self.modules.len());
        let push = |blob: &mut Vec<u8>, bytes: &[u8]| {
            let span = Span {
                offset: blob.len() as u64,
                len: bytes.len() as u64,
            };
            blob.extend_from_slice(bytes);
            span
        };
        for (name, (kind, origin, code, source)) in self.modules {
            let code = push(&mut blob, &code);
            let source = source.map(|s| push(&mut blob, s.as_bytes()));
            modules.push(Module {
                name,
                kind,
                origin,
                code,
                source,
            });
        }
        let data = self
            .data
            .into_iter()
            .map(|(path, bytes)| DataFile {
                path,
                bytes: push(&mut blob, &bytes),
            })
            .collect();
        let manifest = Manifest {
            entry: self.entry,
            optimize: self.optimize,
            modules,
            data,
        };
        let manifest = bincode_options()
            .serialize(&manifest)
            .expect("a manifest always serializes");

        frame(&manifest, &blob)
    }
}

/// The header (magic, versions, checksum, lengths) followed by manifest and blob. The
/// builder's last step; public so that fuzzing can put arbitrary manifests behind a valid
/// header.
pub fn frame(manifest: &[u8], blob: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + manifest.len() + blob.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&vm_version_field());
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(manifest);
    hasher.update(blob);
    out.extend_from_slice(&hasher.finalize().to_le_bytes());
    out.extend_from_slice(&(manifest.len() as u64).to_le_bytes());
    out.extend_from_slice(&(blob.len() as u64).to_le_bytes());
    out.extend_from_slice(manifest);
    out.extend_from_slice(blob);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let mut b = PayloadBuilder::new(SCRIPT_MAIN, 0);
        b.add_module(
            "pkg",
            ModuleKind::Package,
            "pkg/__init__.py",
            vec![1, 2, 3],
            None,
        );
        b.add_module(
            SCRIPT_MAIN,
            ModuleKind::Module,
            "app.py",
            vec![9; 10],
            Some("print('é')\n".into()),
        );
        b.add_module("pkg.sub", ModuleKind::Module, "pkg/sub.py", vec![], None);
        b.add_data("pkg/data/b.txt", b"bee".to_vec());
        b.add_data("pkg/a.bin", vec![0, 1, 2]);
        b.add_data("pkg-1.0.dist-info/METADATA", b"Name: pkg\n".to_vec());
        b.finish()
    }

    #[test]
    fn round_trip() {
        let bytes = sample();
        let p = Payload::parse(&bytes).unwrap();
        assert_eq!(p.manifest.entry, SCRIPT_MAIN);
        let names: Vec<_> = p.manifest.modules.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["__main__", "pkg", "pkg.sub"]);
        let pkg = p.module("pkg").unwrap();
        assert_eq!(pkg.kind, ModuleKind::Package);
        assert_eq!(pkg.origin, "pkg/__init__.py");
        assert_eq!(p.code(pkg), &[1, 2, 3]);
        assert_eq!(p.code(p.module("__main__").unwrap()), &[9; 10]);
        assert!(p.code(p.module("pkg.sub").unwrap()).is_empty());
        assert_eq!(
            p.source(p.module("__main__").unwrap()),
            Some("print('é')\n")
        );
        assert_eq!(p.source(pkg), None);
        assert_eq!(p.data("pkg/data/b.txt"), Some(&b"bee"[..]));
        assert_eq!(p.data("pkg/a.bin"), Some(&[0u8, 1, 2][..]));
        assert_eq!(p.data("pkg/nope"), None);
        let under: Vec<_> = p
            .data_under("pkg/")
            .iter()
            .map(|d| d.path.as_str())
            .collect();
        assert_eq!(under, ["pkg/a.bin", "pkg/data/b.txt"]);
        assert!(p.module("nope").is_none());
    }

    #[test]
    fn deterministic() {
        assert_eq!(sample(), sample());
    }

    #[test]
    fn module_kind_codes_round_trip() {
        for kind in [
            ModuleKind::Module,
            ModuleKind::Package,
            ModuleKind::Namespace,
        ] {
            assert_eq!(ModuleKind::try_from(u8::from(kind)), Ok(kind));
        }
        assert!(ModuleKind::try_from(3).is_err());
    }

    #[test]
    fn refuses_bad_input() {
        let good = sample();
        assert_eq!(
            Payload::parse(&[]).unwrap_err(),
            PayloadError::TooShort { len: 0 }
        );
        let mut bad = good.clone();
        bad[0] ^= 1;
        assert_eq!(Payload::parse(&bad).unwrap_err(), PayloadError::BadMagic);
        let mut bad = good.clone();
        bad[8] = 7;
        assert_eq!(
            Payload::parse(&bad).unwrap_err(),
            PayloadError::FormatVersion { found: 7 }
        );
        let mut bad = good.clone();
        bad[12..17].copy_from_slice(b"0.5.0");
        assert_eq!(
            Payload::parse(&bad).unwrap_err(),
            PayloadError::VmVersion {
                found: "0.5.0".into()
            }
        );
        assert!(matches!(
            Payload::parse(&good[..good.len() - 1]).unwrap_err(),
            PayloadError::Truncated { .. }
        ));
        let mut bad = good.clone();
        *bad.last_mut().unwrap() ^= 0xff;
        assert!(matches!(
            Payload::parse(&bad).unwrap_err(),
            PayloadError::Checksum { .. }
        ));
    }

    #[test]
    fn every_single_byte_flip_is_refused_or_harmless() {
        let good = sample();
        for i in 0..good.len() {
            for bit in 0..8 {
                let mut bad = good.clone();
                bad[i] ^= 1 << bit;
                // The CRC covers the body; the header fields are each checked.
                assert!(
                    Payload::parse(&bad).is_err(),
                    "flip at byte {i} bit {bit} accepted"
                );
            }
        }
    }

    #[test]
    fn messages_name_both_versions() {
        let msg = PayloadError::FormatVersion { found: 9 }.to_string();
        assert!(
            msg.contains('9') && msg.contains(&FORMAT_VERSION.to_string()),
            "{msg}"
        );
        let msg = PayloadError::VmVersion {
            found: "0.7.0".into(),
        }
        .to_string();
        assert!(
            msg.contains("0.7.0") && msg.contains(RUSTPYTHON_VERSION),
            "{msg}"
        );
    }
}
