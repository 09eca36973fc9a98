//! `METADATA` (core metadata, RFC 822 headers): name, version and licence fields. The
//! header block is all that is read; a small parser, since a mail-parsing crate would bring
//! charset decoding the format does not use (METADATA is UTF-8).

/// What a distribution's METADATA says about it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    pub name: Option<String>,
    pub version: Option<String>,
    /// `License:` (free text).
    pub license: Option<String>,
    /// `License-Expression:` (SPDX, core metadata 2.4).
    pub license_expression: Option<String>,
    /// `License-File:` paths, relative to the `.dist-info` (2.4: under `licenses/`).
    pub license_files: Vec<String>,
    /// `Classifier: License :: …` entries.
    pub license_classifiers: Vec<String>,
}

impl Metadata {
    /// Parse the header block of a METADATA file (the body, a description, is ignored).
    pub fn parse(bytes: &[u8]) -> Self {
        let mut out = Metadata::default();
        for (key, value) in headers(&String::from_utf8_lossy(bytes)) {
            match key.to_ascii_lowercase().as_str() {
                "name" => out.name = out.name.or(Some(value)),
                "version" => out.version = out.version.or(Some(value)),
                "license" => out.license = out.license.or(Some(value)),
                "license-expression" => {
                    out.license_expression = out.license_expression.or(Some(value))
                }
                "license-file" => out.license_files.push(value),
                "classifier" if value.starts_with("License ::") => {
                    out.license_classifiers.push(value)
                }
                _ => {}
            }
        }
        out
    }
}

/// The `Key: value` headers before the first blank line; a line starting with white
/// space continues the previous value (RFC 822 folding), joined with one space.
fn headers(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = out.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((key, value)) = line.split_once(':') {
            out.push((key.trim().to_owned(), value.trim().to_owned()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::Metadata;

    #[test]
    fn headers_with_folded_lines_and_repeated_keys() {
        let text = "Metadata-Version: 2.4\nName: rich\nVersion: 13.7.1\nLicense: MIT\n  and more\nLicense-Expression: MIT\nLicense-File: LICENSE\nLicense-File: NOTICE\nClassifier: License :: OSI Approved :: MIT License\nClassifier: Typing :: Typed\n\nName: not-a-header\n";
        let m = Metadata::parse(text.as_bytes());
        assert_eq!(m.name.as_deref(), Some("rich"));
        assert_eq!(m.version.as_deref(), Some("13.7.1"));
        assert_eq!(m.license.as_deref(), Some("MIT and more"));
        assert_eq!(m.license_expression.as_deref(), Some("MIT"));
        assert_eq!(m.license_files, ["LICENSE", "NOTICE"]);
        assert_eq!(
            m.license_classifiers,
            ["License :: OSI Approved :: MIT License"]
        );
    }
}
