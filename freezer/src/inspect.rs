//! `freeze inspect`: what a frozen executable holds, for any target, from any host.

use std::path::{Path, PathBuf};

use freeze_payload::{FORMAT_VERSION, MAGIC, ModuleKind, Payload, RUSTPYTHON_VERSION};
use serde::Serialize;

use crate::Error;

#[derive(Debug, Serialize)]
pub struct Inspection {
    pub file: PathBuf,
    pub file_bytes: usize,
    /// `ELF x86-64`, `PE x86-64`, `Mach-O arm64`, …
    pub executable: String,
    pub payload_format_version: u32,
    pub rustpython_version: String,
    pub entry: String,
    pub optimize: u8,
    pub payload_bytes: usize,
    pub modules: Vec<ModuleInfo>,
    pub data: Vec<DataInfo>,
}

#[derive(Debug, Serialize)]
pub struct ModuleInfo {
    pub name: String,
    pub kind: &'static str,
    pub origin: String,
    pub code_bytes: u64,
    pub source_bytes: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct DataInfo {
    pub path: String,
    pub bytes: u64,
}

/// Object format and architecture (`ELF x86-64`, `Mach-O arm64`), as the stub checks
/// read them; otherwise why the file is not an executable freeze can use.
pub fn describe_executable(bytes: &[u8]) -> String {
    match crate::target::identify(bytes) {
        Ok(kind) => format!("{} {}", kind.format.name(), kind.arch.name(kind.format)),
        Err(reason) => reason,
    }
}

/// Find the payload inside any executable: every copy of the magic is a candidate; the
/// first one that parses as a whole payload is it. (The runtime's own code holds the
/// magic as a constant too, but that copy never parses.)
pub fn find_payload(
    bytes: &[u8],
) -> Option<Result<(Payload<'_>, usize), freeze_payload::PayloadError>> {
    let mut last_err = None;
    let mut at = 0;
    while let Some(pos) = memchr_magic(&bytes[at..]) {
        let start = at + pos;
        let tail = &bytes[start..];
        // A copy whose version field is not a small number is not a payload header.
        let plausible = tail
            .get(8..12)
            .is_some_and(|v| u32::from_le_bytes([v[0], v[1], v[2], v[3]]) < 1000);
        let len = payload_len(tail).filter(|_| plausible);
        match len.map(|len| Payload::parse(&tail[..len])) {
            Some(Ok(payload)) => return Some(Ok((payload, len.unwrap_or_default()))),
            Some(Err(err)) => last_err = Some(err),
            None => {}
        }
        at = start + 1;
    }
    last_err.map(Err)
}

fn memchr_magic(hay: &[u8]) -> Option<usize> {
    hay.windows(MAGIC.len()).position(|w| w == MAGIC)
}

/// The length the header announces, when it fits in `tail`.
fn payload_len(tail: &[u8]) -> Option<usize> {
    let header = tail.get(..freeze_payload::HEADER_LEN)?;
    if u32::from_le_bytes(header[8..12].try_into().ok()?) != FORMAT_VERSION {
        // Another format version: let the parser name it.
        return Some(tail.len().min(freeze_payload::HEADER_LEN));
    }
    let manifest = u64::from_le_bytes(header[32..40].try_into().ok()?);
    let blob = u64::from_le_bytes(header[40..48].try_into().ok()?);
    let len = (freeze_payload::HEADER_LEN as u64)
        .checked_add(manifest)?
        .checked_add(blob)?;
    (len <= tail.len() as u64).then_some(len as usize)
}

pub fn inspect(path: &Path) -> Result<Inspection, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::Read {
        path: path.to_path_buf(),
        source: e,
    })?;
    let executable = describe_executable(&bytes);
    let (payload, payload_bytes) = match find_payload(&bytes) {
        Some(Ok(found)) => found,
        Some(Err(err)) => return Err(Error::Inspect(path.to_path_buf(), err.to_string())),
        None => {
            return Err(Error::Inspect(
                path.to_path_buf(),
                format!("{executable} without a freeze payload"),
            ));
        }
    };
    let manifest = &payload.manifest;
    Ok(Inspection {
        file: path.to_path_buf(),
        file_bytes: bytes.len(),
        executable,
        payload_format_version: FORMAT_VERSION,
        rustpython_version: RUSTPYTHON_VERSION.to_owned(),
        entry: manifest.entry.clone(),
        optimize: manifest.optimize,
        payload_bytes,
        modules: manifest
            .modules
            .iter()
            .map(|m| ModuleInfo {
                name: m.name.clone(),
                kind: match m.kind {
                    ModuleKind::Module => "module",
                    ModuleKind::Package => "package",
                    ModuleKind::Namespace => "namespace",
                },
                origin: m.origin.clone(),
                code_bytes: m.code.len,
                source_bytes: m.source.map(|s| s.len),
            })
            .collect(),
        data: manifest
            .data
            .iter()
            .map(|d| DataInfo {
                path: d.path.clone(),
                bytes: d.bytes.len,
            })
            .collect(),
    })
}

impl Inspection {
    /// The human-readable listing.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let code: u64 = self.modules.iter().map(|m| m.code_bytes).sum();
        let source: u64 = self.modules.iter().filter_map(|m| m.source_bytes).sum();
        let data: u64 = self.data.iter().map(|d| d.bytes).sum();
        let _ = writeln!(
            out,
            "file:        {} ({} bytes)",
            self.file.display(),
            self.file_bytes
        );
        let _ = writeln!(out, "executable:  {}", self.executable);
        let _ = writeln!(
            out,
            "payload:     format {}, RustPython {}, {} bytes",
            self.payload_format_version, self.rustpython_version, self.payload_bytes
        );
        let _ = writeln!(out, "entry:       {}", self.entry);
        let _ = writeln!(out, "optimize:    {}", self.optimize);
        let _ = writeln!(
            out,
            "modules:     {} ({code} bytes of code, {source} bytes of source)",
            self.modules.len()
        );
        let _ = writeln!(out, "data files:  {} ({data} bytes)", self.data.len());
        let _ = writeln!(out);
        let width = self.modules.iter().map(|m| m.name.len()).max().unwrap_or(0);
        for m in &self.modules {
            let src = m
                .source_bytes
                .map_or(String::new(), |s| format!(" +{s} source"));
            let _ = writeln!(
                out,
                "  {:width$}  {:9}  {:>8}{src}  {}",
                m.name, m.kind, m.code_bytes, m.origin
            );
        }
        if !self.data.is_empty() {
            let _ = writeln!(out);
            for d in &self.data {
                let _ = writeln!(out, "  {:>8}  {}", d.bytes, d.path);
            }
        }
        out
    }
}
