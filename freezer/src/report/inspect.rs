//! `freeze inspect`: what a frozen executable holds, for any target, from any host.

use std::path::{Path, PathBuf};

use freeze_payload::{FORMAT_VERSION, Payload, RUSTPYTHON_VERSION};
use serde::Serialize;

use crate::error::Error;
use crate::output::container;

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
    let head = &bytes[..bytes.len().min(container::HEADER_PROBE_LEN)];
    match container::identify(head) {
        Ok(kind) => format!("{} {}", kind.format.name(), kind.arch.name(kind.format)),
        Err(not) => not.what(),
    }
}

pub fn inspect(path: &Path) -> Result<Inspection, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::Read {
        path: path.to_path_buf(),
        source: e,
    })?;
    let executable = describe_executable(&bytes);
    let section = container::find_payload(&bytes);
    let (payload, payload_bytes) = match section.map(|s| (Payload::parse(s), s.len())) {
        Some((Ok(payload), len)) => (payload, len),
        Some((Err(err), _)) => return Err(Error::Inspect(path.to_path_buf(), err.to_string())),
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
                kind: m.kind.label(),
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
