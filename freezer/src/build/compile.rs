//! Source text → RustPython code object (in the frozen form the stub reads), with
//! syntax errors reported as CPython reports them.

use std::collections::BTreeMap;

use rustpython_compiler::{CompileError, CompileOpts, Mode};
use rustpython_compiler_core::frozen::FrozenCodeObject;

use crate::analysis::graph::{Graph, Node};
use crate::build::cache::{self, Cache};
use crate::build::source::{SourceError, line_of};
use crate::progress::Progress;

/// Compiled code in the cache: RustPython's frozen form, keyed by source, file name and
/// optimisation level (the compiler's identity is in every key, see [`crate::build::cache`]).
const CODE: cache::Kind = cache::Kind {
    name: "code",
    version: 1,
};

/// Every module's code, in the graph's order.
pub struct Compiled {
    /// Each compiled module's code, by module name.
    pub codes: BTreeMap<String, Vec<u8>>,
    /// Optional modules left out because they cannot be read or do not compile.
    pub skipped: Vec<Skipped>,
}

/// An optional module left out because it cannot be read or does not compile.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Skipped {
    pub module: String,
    pub reason: String,
}

/// Compile every module of `graph`. An optional module that does not compile (a Python 2
/// file shipped in a distribution) is left out of the graph: CPython fails only if it is
/// imported. A required one stops the build, the first in module order.
pub fn compile_graph(
    graph: &mut Graph,
    optimize: u8,
    cache: Option<&Cache>,
    progress: &dyn Progress,
) -> Result<Compiled, SourceError> {
    let results = compile_all(
        &graph.modules.values().collect::<Vec<_>>(),
        optimize,
        cache,
        progress,
    );
    let mut skipped: Vec<Skipped> = graph
        .unreadable
        .iter()
        .map(|(module, reason)| Skipped {
            module: module.clone(),
            reason: reason.clone(),
        })
        .collect();
    let mut codes = BTreeMap::new();
    let names: Vec<String> = graph.modules.keys().cloned().collect();
    for (name, result) in names.iter().zip(results) {
        match result {
            Ok(code) => {
                codes.insert(name.clone(), code);
            }
            Err(err) if graph.modules[name].optional => {
                progress.explain(&format!("{name} left out: {err}"));
                skipped.push(Skipped {
                    module: name.clone(),
                    reason: err.to_string(),
                });
                graph.modules.remove(name);
            }
            Err(err) => return Err(err),
        }
    }
    Ok(Compiled { codes, skipped })
}

/// One module's code, or why it has none.
type CodeResult = Result<Vec<u8>, SourceError>;

/// Compile every module, on all cores; results in the order of `nodes` (the caller
/// takes the first error in module order, so the message does not depend on scheduling).
fn compile_all(
    nodes: &[&Node],
    optimize: u8,
    cache: Option<&Cache>,
    progress: &dyn Progress,
) -> Vec<CodeResult> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let done = AtomicUsize::new(0);
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(nodes.len().max(1));
    let slots: Vec<Mutex<Option<CodeResult>>> = nodes.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(node) = nodes.get(i) else { break };
                    let found = &node.found;
                    let result = compile_cached(
                        &node.text,
                        &found.origin,
                        &found.display_path(),
                        optimize,
                        cache,
                    );
                    *slots[i].lock().expect("not poisoned") = Some(result);
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    progress.update("compiling", n, nodes.len());
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .expect("not poisoned")
                .expect("every module compiled")
        })
        .collect()
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
    let optimize_level = optimize.to_string();
    let parts = [optimize_level.as_str(), source_path];
    if let Some(code) = cache.get(CODE, &parts, source) {
        return Ok(code);
    }
    let code = compile_module(source, source_path, display_path, optimize)?;
    cache.put(CODE, &parts, source, &code);
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
    let mut state = LineState::default();
    for (i, line) in source.lines().enumerate() {
        let starts_logical = state.depth == 0 && state.in_triple.is_none() && !state.continued;
        let body = line.trim_start_matches([' ', '\t', '\x0c']);
        if starts_logical && !body.is_empty() && !body.starts_with('#') {
            let indent = &line[..line.len() - body.len()];
            if indent_breaks(&mut stack, indent) {
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
        state.track(line);
    }
    None
}

/// Whether `indent` compares differently with a tab as 8 columns than as 1 against the
/// enclosing indentation levels in `stack` (which it updates).
fn indent_breaks(stack: &mut Vec<(usize, usize)>, indent: &str) -> bool {
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
    if col == top {
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
    }
}

/// Brackets, triple-quoted strings and continuations across lines (roughly: enough to
/// know where logical lines start).
#[derive(Default)]
struct LineState {
    depth: i32,
    in_triple: Option<&'static str>,
    continued: bool,
}

impl LineState {
    fn track(&mut self, line: &str) {
        let mut chars = line.char_indices();
        let mut quote: Option<char> = None;
        while let Some((at, c)) = chars.next() {
            if let Some(triple) = self.in_triple {
                if line[at..].starts_with(triple) {
                    self.in_triple = None;
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
                        self.in_triple = Some(triple);
                        chars.nth(1);
                    } else {
                        quote = Some(c);
                    }
                }
                '(' | '[' | '{' => self.depth += 1,
                ')' | ']' | '}' => self.depth = (self.depth - 1).max(0),
                _ => {}
            }
        }
        self.continued = line.trim_end().ends_with('\\') && self.in_triple.is_none();
    }
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
}
