//! The import scanner: what a module's source asks to import, read from the AST of
//! RustPython's own parser (the one its compiler uses).
//!
//! `import` and `from … import` statements anywhere — at module level, in functions and
//! classes, under `try`/`except` and `if` — including relative imports, each marked with
//! [`When`] it runs; and calls that
//! name a module in a string literal, matched against [`CALL_RULES`]:
//! `importlib.import_module("x")`, `__import__("x")`, `importlib.util.find_spec("x")`,
//! `importlib.resources.files("pkg")` and the other resource readers.

use ruff_source_file::LineIndex;
use ruff_text_size::TextSize;
use rustpython_compiler::ast::{self, Expr, Stmt, visitor::Visitor};

use crate::build::cache::{self, Cache};

/// Bump whenever what the scanner finds for a source changes: the cache keys import
/// lists by this version, so an older scanner's answers are never served.
pub const SCANNER_VERSION: u32 = 5;

const IMPORTS: cache::Kind = cache::Kind {
    name: "imports",
    version: SCANNER_VERSION,
};

/// One import the source asks for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Import {
    /// Absolute dotted name of the module imported (after resolving relative imports).
    pub module: String,
    /// Names after `from module import …`: each may be a submodule or an attribute.
    pub from_names: Vec<String>,
    pub line: usize,
    /// Inside the body of a `try` (so an ImportError there may be handled), or under an
    /// `if` on the platform, the Python version or `TYPE_CHECKING` (so it may never run
    /// where the program does).
    pub in_try: bool,
    /// Under any `if`, or in a `try`'s handler or `else`: it may not run at start, so a
    /// module missing for it is a warning, never a failed build.
    #[serde(default)]
    pub conditional: bool,
    /// Wanted only if it exists (a resource anchor, a `find_spec` probe): bundled when
    /// found, no warning when not.
    pub optional: bool,
    /// When the import runs.
    pub when: When,
}

/// When an import statement (or call) runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum When {
    /// As the module is imported: at module level, in a class body, a decorator or a
    /// default argument.
    Import,
    /// Only when a function is called (inside a `def` or `lambda` body).
    Call,
    /// Only when the module runs as the program's `__main__` (under
    /// `if __name__ == "__main__":`).
    Main,
}

/// What a module's source asks to import.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Imports {
    pub imports: Vec<Import>,
    /// Lines of `import_module(...)`/`__import__(...)` calls whose name is not a literal.
    pub dynamic_lines: Vec<usize>,
}

/// What a call that names a module does with that name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// Imports it (`package=` or a second argument anchors a relative name); a name that
    /// is not a literal is reported as a dynamic import.
    Import,
    /// Looks for it: wanted if it exists, and any failure is handled by the caller.
    Probe,
    /// Reads data of the package it names: the package must travel, with its data.
    ResourceAnchor,
}

/// What a call's function is reached through: `f(...)`, `name.f(...)`, `x.name.f(...)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    Bare,
    /// The function is an attribute of a plain name (`importlib.import_module`).
    Name(&'static str),
    /// The function is an attribute of a name or of an attribute with this last part
    /// (`util.find_spec`, `importlib.util.find_spec`).
    Last(&'static str),
}

struct CallRule {
    functions: &'static [&'static str],
    via: &'static [Via],
    effect: Effect,
}

const RESOURCE_MODULES: &[Via] = &[
    Via::Name("pkgutil"),
    Via::Name("importlib_resources"),
    Via::Last("resources"),
];

/// Calls that name a module in a literal first argument.
const CALL_RULES: &[CallRule] = &[
    CallRule {
        functions: &["__import__", "import_module"],
        via: &[Via::Bare],
        effect: Effect::Import,
    },
    CallRule {
        functions: &["import_module"],
        via: &[Via::Name("importlib")],
        effect: Effect::Import,
    },
    CallRule {
        functions: &["find_spec"],
        via: &[Via::Bare, Via::Last("util")],
        effect: Effect::Probe,
    },
    // `importlib.resources.files("pkg")`, `resources.read_text("pkg", …)`,
    // `pkgutil.get_data("pkg", …)`, or imported bare.
    CallRule {
        functions: &[
            "files",
            "read_text",
            "read_binary",
            "open_text",
            "open_binary",
            "is_resource",
            "get_data",
        ],
        via: &[
            Via::Bare,
            Via::Name("pkgutil"),
            Via::Name("importlib_resources"),
            Via::Last("resources"),
        ],
        effect: Effect::ResourceAnchor,
    },
    // Too common as bare names to mean a resource.
    CallRule {
        functions: &["path", "contents"],
        via: RESOURCE_MODULES,
        effect: Effect::ResourceAnchor,
    },
];

impl Via {
    fn matches(self, func: &Expr) -> bool {
        match (self, func) {
            (Via::Bare, Expr::Name(_)) => true,
            (Via::Name(want), Expr::Attribute(attr)) => {
                matches!(attr.value.as_ref(), Expr::Name(n) if n.id.as_str() == want)
            }
            (Via::Last(want), Expr::Attribute(attr)) => match attr.value.as_ref() {
                Expr::Name(n) => n.id.as_str() == want,
                Expr::Attribute(a) => a.attr.as_str() == want,
                _ => false,
            },
            _ => false,
        }
    }
}

/// The rule a call matches, if any.
fn rule_for(func: &Expr) -> Option<Effect> {
    let name = match func {
        Expr::Name(name) => name.id.as_str(),
        Expr::Attribute(attr) => attr.attr.as_str(),
        _ => return None,
    };
    CALL_RULES
        .iter()
        .find(|rule| rule.functions.contains(&name) && rule.via.iter().any(|v| v.matches(func)))
        .map(|rule| rule.effect)
}

/// Read the imports of a module's source. `package` is the package relative imports
/// start from (`""` for a top-level module). Sources that do not parse yield nothing:
/// the compiler reports their syntax errors.
pub fn scan(source: &str, package: &str) -> Imports {
    let Ok(parsed) = rustpython_compiler::parser::parse_module(source) else {
        return Imports::default();
    };
    let mut scanner = Scanner {
        lines: LineIndex::from_source_text(source),
        package,
        try_depth: 0,
        condition_depth: 0,
        function_depth: 0,
        main_depth: 0,
        found: Imports::default(),
    };
    scanner.visit_body(&parsed.syntax().body);
    scanner.found
}

/// [`scan`] through the cache when there is one: parsing is most of the graph walk, and
/// the answer depends on nothing but the source, the package and the scanner.
pub fn scan_cached(cache: Option<&Cache>, source: &str, package: &str) -> Imports {
    let Some(cache) = cache else {
        return scan(source, package);
    };
    if let Some(found) = cache
        .get(IMPORTS, &[package], source)
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
    {
        return found;
    }
    let found = scan(source, package);
    if let Ok(bytes) = serde_json::to_vec(&found) {
        cache.put(IMPORTS, &[package], source, &bytes);
    }
    found
}

struct Scanner<'s> {
    lines: LineIndex,
    package: &'s str,
    try_depth: usize,
    /// How many `if`s, `except` handlers or `try`-`else` blocks enclose the statement.
    condition_depth: usize,
    /// Inside this many `def`/`lambda` bodies.
    function_depth: usize,
    /// Inside this many `if __name__ == "__main__":` bodies.
    main_depth: usize,
    found: Imports,
}

impl Scanner<'_> {
    fn line_at(&self, offset: TextSize) -> usize {
        self.lines.line_index(offset).get()
    }

    fn when(&self) -> When {
        if self.main_depth > 0 {
            When::Main
        } else if self.function_depth > 0 {
            When::Call
        } else {
            When::Import
        }
    }

    /// An `if`'s branches with the counter `depth` picks one deeper.
    fn guarded_if<'a>(&mut self, i: &'a ast::StmtIf, depth: fn(&mut Self) -> &mut usize) {
        *depth(self) += 1;
        self.visit_body(&i.body);
        for clause in &i.elif_else_clauses {
            self.visit_elif_else_clause(clause);
        }
        *depth(self) -= 1;
    }

    /// A `try`: its body may raise ImportError into a handler; the handlers and the
    /// `else` run only on one outcome; the `finally` always runs.
    fn visit_try<'a>(&mut self, t: &'a ast::StmtTry) {
        self.try_depth += 1;
        self.visit_body(&t.body);
        self.try_depth -= 1;
        self.condition_depth += 1;
        for handler in &t.handlers {
            self.visit_except_handler(handler);
        }
        self.visit_body(&t.orelse);
        self.condition_depth -= 1;
        self.visit_body(&t.finalbody);
    }

    fn push(&mut self, module: String, from_names: Vec<String>, line: usize, optional: bool) {
        self.found.imports.push(Import {
            module,
            from_names,
            line,
            in_try: self.try_depth > 0,
            conditional: self.condition_depth > 0,
            optional,
            when: self.when(),
        });
    }

    fn call(&mut self, call: &ast::ExprCall) {
        let Some(effect) = rule_for(&call.func) else {
            return;
        };
        let line = self.line_at(call.range_start);
        let literal = |e: &Expr| match e {
            Expr::StringLiteral(s) => Some(s.value.to_str().to_owned()),
            _ => None,
        };
        let first = call.arguments.args.first().and_then(literal);
        let dotted = |name: &str| !name.is_empty() && name.split('.').all(is_identifier);
        match effect {
            Effect::Probe => {
                if let Some(name) = first.filter(|n| dotted(n)) {
                    self.found.imports.push(Import {
                        module: name,
                        from_names: Vec::new(),
                        line,
                        in_try: true,
                        conditional: true,
                        optional: true,
                        when: self.when(),
                    });
                }
            }
            Effect::ResourceAnchor => {
                if let Some(name) = first.filter(|n| dotted(n)) {
                    self.push(name, Vec::new(), line, true);
                }
            }
            Effect::Import => {
                let Some(name) = first else {
                    self.found.dynamic_lines.push(line);
                    return;
                };
                let module = match name.strip_prefix('.') {
                    None => Some(name.clone()),
                    Some(_) => {
                        // `import_module(".x", package="p")` or `import_module(".x", "p")`.
                        let package = call
                            .arguments
                            .keywords
                            .iter()
                            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "package"))
                            .map(|k| literal(&k.value))
                            .or_else(|| call.arguments.args.get(1).map(literal))
                            .flatten();
                        let level = name.chars().take_while(|&c| c == '.').count() as u32;
                        let rest = name.trim_start_matches('.');
                        package.and_then(|package| {
                            resolve_relative(&package, level, (!rest.is_empty()).then_some(rest))
                        })
                    }
                };
                match module {
                    Some(module) if !module.is_empty() => {
                        self.push(module, Vec::new(), line, false)
                    }
                    _ => self.found.dynamic_lines.push(line),
                }
            }
        }
    }
}

impl<'a> Visitor<'a> for Scanner<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(import) => {
                let line = self.line_at(import.range.start());
                for alias in &import.names {
                    self.push(alias.name.as_str().to_owned(), Vec::new(), line, false);
                }
            }
            Stmt::ImportFrom(import) => {
                let line = self.line_at(import.range.start());
                let module = import.module.as_ref().map(|m| m.as_str());
                let base = if import.level == 0 {
                    module.map(str::to_owned)
                } else {
                    resolve_relative(self.package, import.level, module)
                };
                // A relative import past the top-level package fails at run time as in
                // CPython; nothing to bundle for it.
                if let Some(module) = base {
                    let from_names = import
                        .names
                        .iter()
                        .map(|a| a.name.as_str().to_owned())
                        .filter(|n| n != "*")
                        .collect();
                    self.push(module, from_names, line, false);
                }
            }
            Stmt::FunctionDef(def) => {
                // Decorators, defaults and annotations run as the `def` does.
                for decorator in &def.decorator_list {
                    self.visit_decorator(decorator);
                }
                self.visit_parameters(&def.parameters);
                if let Some(returns) = &def.returns {
                    self.visit_annotation(returns);
                }
                self.function_depth += 1;
                self.visit_body(&def.body);
                self.function_depth -= 1;
                return;
            }
            Stmt::If(i) if is_main_test(&i.test) => {
                self.visit_expr(&i.test);
                self.main_depth += 1;
                self.visit_body(&i.body);
                self.main_depth -= 1;
                for clause in &i.elif_else_clauses {
                    self.visit_elif_else_clause(clause);
                }
                return;
            }
            Stmt::If(i) if is_platform_test(&i.test) => {
                self.visit_expr(&i.test);
                self.guarded_if(i, |v| &mut v.try_depth);
                return;
            }
            Stmt::Try(t) => return self.visit_try(t),
            Stmt::If(i) => {
                self.visit_expr(&i.test);
                self.guarded_if(i, |v| &mut v.condition_depth);
                return;
            }
            _ => {}
        }
        ast::visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(call) => self.call(call),
            Expr::Lambda(_) => {
                self.function_depth += 1;
                ast::visitor::walk_expr(self, expr);
                self.function_depth -= 1;
                return;
            }
            _ => {}
        }
        ast::visitor::walk_expr(self, expr);
    }
}

/// A test on where or how the program runs: `sys.platform`, `os.name`,
/// `platform.system()`, `sys.version_info`, `sys.implementation`, `TYPE_CHECKING`. What
/// such an `if` (or its `else`) imports may never run on the target, so a module missing
/// there is not an error of the build.
fn is_platform_test(test: &Expr) -> bool {
    struct Finder(bool);
    impl<'a> Visitor<'a> for Finder {
        fn visit_expr(&mut self, expr: &'a Expr) {
            self.0 |= match expr {
                Expr::Name(n) => n.id.as_str() == "TYPE_CHECKING",
                Expr::Attribute(a) => {
                    let base = match a.value.as_ref() {
                        Expr::Name(n) => n.id.as_str(),
                        _ => "",
                    };
                    matches!(
                        (base, a.attr.as_str()),
                        (_, "TYPE_CHECKING")
                            | ("sys", "platform" | "version_info" | "implementation")
                            | ("os", "name")
                            | ("platform", "system")
                    )
                }
                _ => false,
            };
            ast::visitor::walk_expr(self, expr);
        }
    }
    let mut finder = Finder(false);
    finder.visit_expr(test);
    finder.0
}

/// `__name__ == "__main__"` (either way round).
fn is_main_test(test: &Expr) -> bool {
    let Expr::Compare(cmp) = test else {
        return false;
    };
    if cmp.ops.len() != 1 || cmp.ops[0] != ast::CmpOp::Eq {
        return false;
    }
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__");
    let is_main = |e: &Expr| matches!(e, Expr::StringLiteral(s) if s.value.to_str() == "__main__");
    let (left, right) = (cmp.left.as_ref(), &cmp.comparators[0]);
    (is_name(left) && is_main(right)) || (is_main(left) && is_name(right))
}

/// `from ..mod import x` inside `package`: the absolute name of `..mod`.
pub fn resolve_relative(package: &str, level: u32, module: Option<&str>) -> Option<String> {
    let mut parts: Vec<&str> = if package.is_empty() {
        Vec::new()
    } else {
        package.split('.').collect()
    };
    for _ in 1..level {
        parts.pop()?;
    }
    if parts.is_empty() {
        return None;
    }
    let mut base = parts.join(".");
    if let Some(module) = module {
        base.push('.');
        base.push_str(module);
    }
    Some(base)
}

pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// `try: import pkg._speedups` … `if HAS_C: from pkg._speedups import f`: a module the
/// same file already imports under a guard is guarded wherever else the file imports it
/// (the later import sits behind a flag the guarded one set).
pub fn guard_repeated_imports(imports: &mut Imports) {
    let guarded: std::collections::BTreeSet<String> = imports
        .imports
        .iter()
        .filter(|i| i.in_try)
        .flat_map(|i| {
            // `from pkg import _ext` guards pkg._ext, not every other name from pkg.
            if i.from_names.is_empty() {
                vec![i.module.clone()]
            } else {
                i.from_names
                    .iter()
                    .map(|n| format!("{}.{n}", i.module))
                    .collect()
            }
        })
        .collect();
    let is_guarded = |name: &str| {
        guarded.iter().any(|g| {
            name == g
                || name
                    .strip_prefix(g.as_str())
                    .is_some_and(|r| r.starts_with('.'))
        })
    };
    for import in imports.imports.iter_mut().filter(|i| !i.in_try) {
        if is_guarded(&import.module)
            || import
                .from_names
                .iter()
                .any(|n| is_guarded(&format!("{}.{n}", import.module)))
        {
            import.in_try = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (module, line, in a try body, optional) of each import found.
    fn listed(found: &Imports) -> Vec<(&str, usize, bool, bool)> {
        found
            .imports
            .iter()
            .map(|i| (i.module.as_str(), i.line, i.in_try, i.optional))
            .collect()
    }

    #[test]
    fn finds_imports_everywhere() {
        let src = "\
import os, json.decoder
from collections import OrderedDict
def f():
    import argparse
class C:
    from re import compile
try:
    import fast
except ImportError:
    fast = None
if True:
    from . import sibling
    from ..up import thing
from .sub.mod import *
import importlib
plugin = importlib.import_module('plugins.alpha')
rel = importlib.import_module('.beta', package='plugins')
legacy = __import__('gamma')
computed = importlib.import_module(name)
fonts = importlib.resources.files('pkg.fonts')
spec = importlib.util.find_spec('html.parser')
";
        let found = scan(src, "pkg.inner");
        let imports = &found.imports;
        assert_eq!(
            listed(&found),
            [
                ("os", 1, false, false),
                ("json.decoder", 1, false, false),
                ("collections", 2, false, false),
                ("argparse", 4, false, false),
                ("re", 6, false, false),
                ("fast", 8, true, false),
                ("pkg.inner", 12, false, false),
                ("pkg.up", 13, false, false),
                ("pkg.inner.sub.mod", 14, false, false),
                ("importlib", 15, false, false),
                ("plugins.alpha", 16, false, false),
                ("plugins.beta", 17, false, false),
                ("gamma", 18, false, false),
                ("pkg.fonts", 20, false, true),
                ("html.parser", 21, true, true),
            ]
        );
        assert_eq!(imports[6].from_names, ["sibling"]);
        assert!(imports[8].from_names.is_empty());
        assert_eq!(found.dynamic_lines, [19]);
    }

    #[test]
    fn tells_when_each_import_runs() {
        let src = "\
import a
@deco(__import__('b'))
def f(x=__import__('c')):
    import d
    g = lambda: __import__('e')
class C:
    import f1
    def m(self):
        from g import h
if __name__ == '__main__':
    import i
    def main():
        import j
elif True:
    import k
else:
    import l
if '__main__' == __name__:
    import m
if __name__ != '__main__':
    import n
key = lambda: 0
import o
";
        let when: Vec<(String, When)> = scan(src, "")
            .imports
            .into_iter()
            .map(|i| (i.module, i.when))
            .collect();
        let expected = [
            ("a", When::Import),
            ("b", When::Import),
            ("c", When::Import),
            ("d", When::Call),
            ("e", When::Call),
            ("f1", When::Import),
            ("g", When::Call),
            ("i", When::Main),
            ("j", When::Main),
            ("k", When::Import),
            ("l", When::Import),
            ("m", When::Main),
            ("n", When::Import),
            ("o", When::Import),
        ];
        let expected: Vec<(String, When)> =
            expected.iter().map(|(m, w)| (m.to_string(), *w)).collect();
        assert_eq!(when, expected);
    }

    #[test]
    fn call_rules_need_their_qualifier() {
        // Each call alone: what it imports (module, in a try body, optional), if anything.
        let cases: &[(&str, Option<(&str, bool, bool)>)] = &[
            ("path('x.y')", None),
            (
                "resources.path('anchored', 'f')",
                Some(("anchored", false, true)),
            ),
            (
                "pkgutil.get_data('viapkgutil', 'f')",
                Some(("viapkgutil", false, true)),
            ),
            ("get_data('bare', 'f')", Some(("bare", false, true))),
            ("other.import_module('nope')", None),
            ("util.find_spec('probe')", Some(("probe", true, true))),
            ("x.util.find_spec('probe2')", Some(("probe2", true, true))),
            ("mod.find_spec('nope2')", None),
            (
                "__import__('.rel', 'base.pkg')",
                Some(("base.pkg.rel", false, false)),
            ),
            (
                "import_module('..up', package='a.b.c')",
                Some(("a.b.up", false, false)),
            ),
        ];
        for (src, want) in cases {
            let found = scan(src, "");
            let got = found.imports.first();
            let got = got.map(|i| (i.module.as_str(), i.in_try, i.optional));
            assert_eq!(got, *want, "{src}");
            assert!(
                found.imports.len() <= 1 && found.dynamic_lines.is_empty(),
                "{src}"
            );
        }
        let computed = scan("x = 1\nimport_module('.x', package=computed)\n", "");
        assert!(computed.imports.is_empty());
        assert_eq!(computed.dynamic_lines, [2]);
    }

    #[test]
    fn relative_names() {
        assert_eq!(
            resolve_relative("a.b", 1, Some("c")).as_deref(),
            Some("a.b.c")
        );
        assert_eq!(resolve_relative("a.b", 2, None).as_deref(), Some("a"));
        assert_eq!(resolve_relative("a", 2, Some("x")), None);
        assert_eq!(resolve_relative("", 1, Some("x")), None);
    }
}
