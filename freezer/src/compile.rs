//! Source text → RustPython code object (in the frozen form the stub reads), with
//! syntax errors reported as CPython reports them.

use std::path::PathBuf;

use rustpython_compiler::{CompileError, CompileOpts, Mode};
use rustpython_compiler_core::frozen::FrozenCodeObject;
use sha2::{Digest, Sha256};

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

fn line_of(source: &str, line: usize) -> Option<String> {
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

/// A content-addressed store of compiled modules: the same source, file name, optimisation
/// level and compiler always give the same code, so a hit is as good as a compile.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

/// Bumped whenever what goes into a cache entry changes.
const CACHE_FORMAT: &str = "freeze-code-cache-1";

impl Cache {
    /// The cache in `dir` (created on first write).
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// `FREEZE_CACHE_DIR`, else the user's cache directory; None when neither is known.
    pub fn default_dir() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os("FREEZE_CACHE_DIR").filter(|d| !d.is_empty()) {
            return Some(PathBuf::from(dir));
        }
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|d| !d.is_empty())
                    .map(|h| PathBuf::from(h).join(".cache"))
            })?;
        Some(base.join("freeze"))
    }

    fn key(parts: &[&str], source: &str) -> String {
        let mut hasher = Sha256::new();
        for part in [CACHE_FORMAT, freeze_payload::RUSTPYTHON_VERSION]
            .iter()
            .chain(parts)
        {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        hasher.update(source.as_bytes());
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn path(&self, kind: &str, key: &str) -> PathBuf {
        self.dir
            .join(kind)
            .join(&key[..2])
            .join(format!("{}.bin", &key[2..]))
    }

    /// Best effort: a cache that cannot be read or written only costs time.
    fn get(&self, kind: &str, key: &str) -> Option<Vec<u8>> {
        std::fs::read(self.path(kind, key)).ok()
    }

    fn put(&self, kind: &str, key: &str, code: &[u8]) {
        let path = self.path(kind, key);
        let Some(dir) = path.parent() else { return };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        if let Ok(mut tmp) = tempfile::NamedTempFile::new_in(dir) {
            use std::io::Write;
            if tmp.write_all(code).is_ok() {
                let _ = tmp.persist(&path);
            }
        }
    }
}

impl Cache {
    /// The imports a source asks for, read with `package` as its package: parsing is
    /// most of the graph walk, and the answer depends on nothing else.
    pub fn imports(&self, source: &str, package: &str) -> crate::graph::Imports {
        let key = Cache::key(&["imports", package], source);
        if let Some(found) = self
            .get("imports", &key)
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        {
            return found;
        }
        let found = crate::graph::imports_of(source, package);
        if let Ok(bytes) = serde_json::to_vec(&found) {
            self.put("imports", &key, &bytes);
        }
        found
    }
}

/// Compile through the cache when there is one.
pub fn compile_cached(
    source: &str,
    source_path: &str,
    display_path: &str,
    optimize: u8,
    cache: Option<&Cache>,
) -> Result<Vec<u8>, SourceError> {
    let Some(cache) = cache else {
        return compile_module(source, source_path, display_path, optimize);
    };
    let key = Cache::key(&["code", &optimize.to_string(), source_path], source);
    if let Some(code) = cache.get("code", &key) {
        return Ok(code);
    }
    let code = compile_module(source, source_path, display_path, optimize)?;
    cache.put("code", &key, &code);
    Ok(code)
}

/// Compile a module's source. `source_path` becomes `co_filename` (what tracebacks show);
/// `display_path` is what an error message names.
pub fn compile_module(
    source: &str,
    source_path: &str,
    display_path: &str,
    optimize: u8,
) -> Result<Vec<u8>, SourceError> {
    let opts = CompileOpts {
        optimize,
        ..Default::default()
    };
    let code =
        rustpython_compiler::compile(source, Mode::Exec, source_path, opts).map_err(|e| {
            // CPython names mixed tabs and spaces a TabError; RustPython's parser reports
            // only the indentation it could not follow. Say what CPython says.
            inconsistent_tabs(source, display_path)
                .unwrap_or_else(|| syntax_error(&e, source, display_path))
        })?;
    Ok(FrozenCodeObject::encode(&code).bytes)
}

/// CPython's tokenizer rule: indentation must compare the same whether a tab counts as
/// up to 8 columns or as 1. The first logical line that breaks it, as a TabError.
fn inconsistent_tabs(source: &str, display_path: &str) -> Option<SourceError> {
    let mut stack: Vec<(usize, usize)> = vec![(0, 0)];
    let (mut depth, mut in_triple, mut continued) = (0i32, None::<&str>, false);
    for (i, line) in source.lines().enumerate() {
        let starts_logical = depth == 0 && in_triple.is_none() && !continued;
        let body = line.trim_start_matches([' ', '\t', '\x0c']);
        if starts_logical && !body.is_empty() && !body.starts_with('#') {
            let indent = &line[..line.len() - body.len()];
            let (mut col, mut alt) = (0usize, 0usize);
            for c in indent.chars() {
                match c {
                    '\t' => {
                        col = (col / 8 + 1) * 8;
                        alt += 1;
                    }
                    ' ' => {
                        col += 1;
                        alt += 1;
                    }
                    _ => {}
                }
            }
            let &(top, alt_top) = stack.last().expect("never empty");
            let bad = if col == top {
                alt != alt_top
            } else if col > top {
                stack.push((col, alt));
                alt <= alt_top
            } else {
                while stack.len() > 1 && col < stack.last().expect("never empty").0 {
                    stack.pop();
                }
                let &(top, alt_top) = stack.last().expect("never empty");
                col == top && alt != alt_top
            };
            if bad {
                return Some(SourceError {
                    path: display_path.to_owned(),
                    line: i + 1,
                    column: 1,
                    end_column: Some(indent.chars().count() + 1),
                    message: "inconsistent use of tabs and spaces in indentation".to_owned(),
                    line_text: Some(line.to_owned()),
                });
            }
        }
        // Track brackets, triple-quoted strings and continuations (roughly: enough to
        // know where logical lines start).
        let mut chars = line.char_indices();
        let mut quote: Option<char> = None;
        while let Some((at, c)) = chars.next() {
            if let Some(triple) = in_triple {
                if line[at..].starts_with(triple) {
                    in_triple = None;
                    chars.nth(1);
                }
                continue;
            }
            if let Some(q) = quote {
                if c == '\\' {
                    chars.next();
                } else if c == q {
                    quote = None;
                }
                continue;
            }
            match c {
                '#' => break,
                '"' | '\'' => {
                    let triple = if c == '"' { "\"\"\"" } else { "'''" };
                    if line[at..].starts_with(triple) {
                        in_triple = Some(triple);
                        chars.nth(1);
                    } else {
                        quote = Some(c);
                    }
                }
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth = (depth - 1).max(0),
                _ => {}
            }
        }
        continued = line.trim_end().ends_with('\\') && in_triple.is_none();
    }
    None
}

fn syntax_error(err: &CompileError, source: &str, display_path: &str) -> SourceError {
    let (line, column) = err.python_location();
    let end_column = err
        .python_end_location()
        .and_then(|(end_line, end_col)| (end_line == line).then_some(end_col));
    let message = match err {
        CompileError::Parse(parse) => parse.error.to_string(),
        CompileError::Codegen(codegen) => codegen.error.to_string(),
    };
    SourceError {
        path: display_path.to_owned(),
        line,
        column,
        end_column,
        message,
        line_text: line_of(source, line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_and_reports_syntax_errors() {
        assert!(compile_module("x = 1\n", "a.py", "a.py", 0).is_ok());
        let err = compile_module("print 'hello world'\n", "a.py", "dir/a.py", 0).unwrap_err();
        assert_eq!(err.line, 1);
        assert_eq!(err.path, "dir/a.py");
        assert!(
            err.message
                .contains("Missing parentheses in call to 'print'"),
            "{err}"
        );
    }

    #[test]
    fn mixed_tabs_and_spaces_is_a_tab_error() {
        let err =
            compile_module("if True:\n\tx = 1\n        y = 2\n", "t.py", "t.py", 0).unwrap_err();
        assert_eq!(
            (err.line, err.message.as_str()),
            (3, "inconsistent use of tabs and spaces in indentation")
        );
        // Consistent tabs, and tabs inside strings or brackets, are fine.
        assert!(inconsistent_tabs("if True:\n\tx = 1\n\ty = '''\n  \t'''\n", "t.py").is_none());
        assert!(inconsistent_tabs("def f():\n    return (1,\n\t2)\n", "t.py").is_none());
    }

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
