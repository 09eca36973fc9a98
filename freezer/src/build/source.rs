//! Python source as CPython reads it: bytes decoded per PEP 263/3120, and the error a
//! source that cannot become code is reported with (file:line:col, the line, a caret).

/// A source file that could not be turned into code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    /// Path as shown to the user.
    pub path: String,
    /// 1-based line and column (0 when unknown).
    pub line: usize,
    pub column: usize,
    /// Last column (exclusive, 1-based) on the same line, when the error covers a range.
    pub end_column: Option<usize>,
    /// CPython's message (`invalid syntax`, `Missing parentheses in call to 'print'...`).
    pub message: String,
    /// The offending source line, when there is one.
    pub line_text: Option<String>,
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "syntax error in {}", self.path)?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column.max(1))?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(text) = &self.line_text {
            let gutter = self.line.to_string().len();
            let text = text.trim_end();
            write!(f, "\n{:gutter$} |\n{} | {}", "", self.line, text)?;
            let start = self.column.max(1);
            let width = self
                .end_column
                .filter(|&end| end > start)
                .map_or(1, |end| end - start)
                .min(text.chars().count().saturating_sub(start - 1).max(1));
            write!(
                f,
                "\n{:gutter$} | {}{}",
                "",
                " ".repeat(start - 1),
                "^".repeat(width)
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for SourceError {}

/// Line `line` (1-based) of `source`, when there is one.
pub fn line_of(source: &str, line: usize) -> Option<String> {
    (line > 0)
        .then(|| source.lines().nth(line - 1).map(str::to_owned))
        .flatten()
}

/// Decode Python source bytes as CPython does (PEP 263 and 3120): UTF-8 unless a coding
/// cookie on line 1 or 2 says otherwise; a leading UTF-8 BOM is dropped.
pub fn decode_source(bytes: &[u8], path: &str) -> Result<String, SourceError> {
    let err = |line: usize, message: String| SourceError {
        path: path.to_owned(),
        line,
        column: 0,
        end_column: None,
        message,
        line_text: None,
    };
    let (bytes, had_bom) = match bytes.strip_prefix(b"\xef\xbb\xbf") {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    let mut encoding = None;
    for (i, line) in bytes.split(|&b| b == b'\n').take(2).enumerate() {
        let text = String::from_utf8_lossy(line);
        let trimmed = text.trim_start();
        if !trimmed.starts_with('#') {
            if trimmed.is_empty() {
                continue;
            }
            break;
        }
        if let Some(name) = coding_cookie(trimmed) {
            encoding = Some((i + 1, name));
            break;
        }
    }
    let encoding = encoding.map(|(line, name)| (line, normalize_encoding(&name)));
    match encoding.as_ref().map(|(line, enc)| (*line, enc.as_str())) {
        Some((line, enc)) if had_bom && enc != "utf-8" => {
            Err(err(line, format!("encoding problem: {enc} with BOM")))
        }
        None | Some((_, "utf-8")) => match std::str::from_utf8(bytes) {
            Ok(text) => Ok(text.to_owned()),
            Err(e) => {
                let at = e.valid_up_to();
                let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
                Err(err(
                    line,
                    format!(
                        "Non-UTF-8 code starting with '\\x{:02x}' in file {path} on line {line}, but no encoding declared; see https://peps.python.org/pep-0263/ for details",
                        bytes[at]
                    ),
                ))
            }
        },
        Some((_, "latin-1")) => Ok(bytes.iter().map(|&b| b as char).collect()),
        Some((_, "ascii")) => match bytes.iter().position(|b| !b.is_ascii()) {
            None => Ok(String::from_utf8(bytes.to_vec()).expect("ascii is utf-8")),
            Some(at) => {
                let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
                Err(err(
                    line,
                    format!(
                        "'ascii' codec can't decode byte 0x{:02x} in position {at}: ordinal not in range(128)",
                        bytes[at]
                    ),
                ))
            }
        },
        Some((line, other)) => Err(err(
            line,
            format!(
                "source encoding '{other}' is not supported by freeze; re-save the file as UTF-8"
            ),
        )),
    }
}

/// The encoding named by a `# -*- coding: NAME -*-` style comment (PEP 263 regex).
fn coding_cookie(comment: &str) -> Option<String> {
    let at = comment.find("coding")?;
    let rest = &comment[at + "coding".len()..];
    let rest = rest.strip_prefix([':', '='])?;
    let rest = rest.trim_start_matches([' ', '\t']);
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    (!name.is_empty()).then_some(name)
}

fn normalize_encoding(name: &str) -> String {
    let lower = name.to_ascii_lowercase().replace('_', "-");
    match lower.as_str() {
        "utf-8" | "utf8" | "utf-8-sig" => "utf-8".to_owned(),
        "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" | "l1" | "cp819" => "latin-1".to_owned(),
        "ascii" | "us-ascii" => "ascii".to_owned(),
        _ => lower,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_cpython() {
        assert_eq!(
            decode_source(b"\xef\xbb\xbfx = 1\n", "a.py").unwrap(),
            "x = 1\n"
        );
        assert_eq!(
            decode_source(b"# -*- coding: latin-1 -*-\ns = '\xe9'\n", "a.py").unwrap(),
            "# -*- coding: latin-1 -*-\ns = '\u{e9}'\n"
        );
        let err = decode_source(b"s = '\xe9'\n", "a.py").unwrap_err();
        assert!(
            err.message
                .starts_with("Non-UTF-8 code starting with '\\xe9' in file a.py on line 1"),
            "{}",
            err.message
        );
    }
}
