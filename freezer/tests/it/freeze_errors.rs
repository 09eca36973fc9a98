//! Bad input at freeze time: one clear line (plus a source excerpt for syntax errors), a
//! nonzero exit, and no output file created or left behind.

use crate::common::{Ctx, RunExt, assert_contains};

#[test]
fn python2_print_is_a_syntax_error_with_location_and_cpython_message() {
    let ctx = Ctx::with_files(&[("old.py", "# a Python 2 program\nprint 'hello world'\n")]);
    let err = ctx.assert_refused(&["old.py"], "old");
    let mut lines = err.lines();
    assert_eq!(
        lines.next().unwrap(),
        "error: syntax error in old.py:2:1: Missing parentheses in call to 'print'. Did you mean print(...)?"
    );
    assert_eq!(
        err.lines().nth(2).unwrap(),
        "2 | print 'hello world'",
        "{err}"
    );
    assert!(err.lines().nth(3).unwrap().contains('^'), "{err}");
}

#[test]
fn syntax_error_in_an_imported_module_names_that_file() {
    let ctx = Ctx::with_files(&[
        ("app.py", "import broken\n"),
        ("broken.py", "x = 1\nx = = 1\n"),
    ]);
    let err = ctx.assert_refused(&["app.py"], "app");
    assert!(
        err.starts_with("error: syntax error in broken.py:2:5: invalid syntax"),
        "{err}"
    );
}

#[test]
fn entry_missing() {
    let ctx = Ctx::new();
    let err = ctx.assert_refused(&["nope.py"], "out");
    assert_eq!(err, "error: entry file nope.py not found\n");
}

#[test]
fn entry_is_a_directory() {
    let ctx = Ctx::new();
    std::fs::create_dir(ctx.path("proj")).unwrap();
    let err = ctx.assert_refused(&["proj"], "out");
    assert_eq!(
        err,
        "error: entry proj is a directory without a __main__.py; give a Python file, or add __main__.py to the directory\n"
    );
}

#[test]
fn output_directory_missing_is_created() {
    let ctx = Ctx::with_files(&[("app.py", "print(1)\n")]);
    let out = ctx.freeze_ok(["app.py"], "no/such/dir/app");
    assert_eq!(ctx.run(&out, &[], b"").stdout, "1\n");
}

#[test]
fn output_is_a_directory() {
    let ctx = Ctx::with_files(&[("app.py", "print(1)\n")]);
    std::fs::create_dir(ctx.path("outdir")).unwrap();
    let err = ctx.assert_refused(&["app.py"], "outdir");
    assert_eq!(err, "error: cannot write outdir: it is a directory\n");
}

#[test]
fn output_is_the_input() {
    let ctx = Ctx::with_files(&[("app.py", "print(1)\n")]);
    assert_eq!(
        ctx.assert_refused(&["app.py"], "app.py"),
        "error: output app.py is the entry file itself; choose another output path\n"
    );
    assert_eq!(
        std::fs::read_to_string(ctx.path("app.py")).unwrap(),
        "print(1)\n"
    );
}

#[cfg(unix)]
#[test]
fn output_directory_read_only() {
    use std::os::unix::fs::PermissionsExt;
    let ctx = Ctx::with_files(&[("app.py", "print(1)\n")]);
    let ro = ctx.path("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    // root ignores permission bits; /proc is a file system nobody can create files in.
    let (output, dir) = if is_root() {
        ("/proc/app", "/proc")
    } else {
        ("ro/app", "ro")
    };
    let err = ctx.assert_refused(&["app.py"], output);
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(
        err.starts_with(&format!("error: cannot write {output}: ")),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(dir), "{err}");
}

#[cfg(unix)]
fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

#[test]
fn a_guarded_missing_import_is_the_programs_business() {
    let ctx = Ctx::with_files(&[(
        "app.py",
        "import sys\ntry:\n    import not_installed_anywhere\nexcept ImportError:\n    not_installed_anywhere = None\nif sys.platform == 'win32':\n    import winonly_helper\nprint('fallback' if not_installed_anywhere is None else 'fast')\n",
    )]);
    let run = ctx.freeze().args(["app.py", "-o", "app"]).run();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let out = ctx.run(&ctx.path("app"), &[], b"");
    assert_eq!(out.stdout, "fallback\n");
}

#[test]
fn a_missing_import_at_start_fails_the_build_one_inside_a_function_warns() {
    let ctx = Ctx::with_files(&[
        ("app.py", "import helper\nprint(helper.go())\n"),
        (
            "helper.py",
            "import not_installed_anywhere\ndef go():\n    return 1\n",
        ),
    ]);
    let err = ctx.assert_refused(&["app.py"], "app");
    assert_contains(
        &err,
        "error: module not_installed_anywhere not found, and helper.py:1 imports it as the program starts (reached by __main__ → helper)",
    );
    // Allowed, it builds and fails at run time as CPython does without the module.
    let out = ctx.freeze_ok(
        ["app.py", "--allow-missing", "not_installed_anywhere"],
        "app",
    );
    let frozen = ctx.run(&out, &[], b"");
    let cpython = ctx.run_python(&ctx.path("app.py"), &[], b"");
    assert_eq!((frozen.code, cpython.code), (Some(1), Some(1)));
    let last = |r: &crate::common::Run| r.stderr.lines().last().map(str::to_owned);
    assert_eq!(last(&frozen), last(&cpython), "{}", frozen.stderr);
    // Inside a function: one warning line, the list with -v; --strict refuses it.
    ctx.write(
        "helper.py",
        "def go():\n    import not_installed_anywhere\n    return 1\n",
    );
    let run = ctx.freeze().args(["app.py", "-o", "app"]).run();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_contains(
        &run.stderr,
        "warning: 1 module not found, imported inside functions or under a condition; the program raises ModuleNotFoundError if it runs such an import (-v lists them)",
    );
    let run = ctx.freeze().args(["-v", "app.py", "-o", "app"]).run();
    assert_contains(
        &run.stderr,
        "not_installed_anywhere (imported at helper.py:2)",
    );
    let run = ctx
        .freeze()
        .args(["--strict", "app.py", "-o", "app2"])
        .run();
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_contains(&run.stderr, "error: --strict: 1 warning");
    assert!(!ctx.path("app2").exists());
}

#[test]
fn a_standard_module_the_runtime_lacks_fails_the_build() {
    let ctx = Ctx::with_files(&[("app.py", "import tkinter\nprint(tkinter.TkVersion)\n")]);
    let err = ctx.assert_refused(&["app.py"], "app");
    assert_contains(
        &err,
        "error: module _tkinter not found, and <stdlib>/tkinter/__init__.py:38 imports it as the program starts (reached by __main__ → tkinter); the runtime (RustPython's standard library) has no _tkinter",
    );
}

#[test]
fn stub_that_is_not_an_executable() {
    let ctx = Ctx::with_files(&[("app.py", "print(1)\n"), ("stub.txt", "just text")]);
    let err = ctx.assert_refused(&["app.py", "--stub", "stub.txt"], "app");
    assert_eq!(
        err,
        "error: runtime stub stub.txt is unusable: not an executable (no ELF, PE or Mach-O header)\n"
    );
}

/// Each bad source: its exact message (file:line:col as CPython counts them), exit 1,
/// nothing written.
#[test]
fn bad_sources_each_with_its_message() {
    let cases: &[(&str, &[u8], &str)] = &[
        (
            "tabs.py",
            b"if True:\n\tx = 1\n        y = 2\n",
            "error: syntax error in tabs.py:3:1: inconsistent use of tabs and spaces in indentation",
        ),
        (
            "unterminated.py",
            b"s = \"abc\n",
            "error: syntax error in unterminated.py:1:5: unterminated string literal (detected at line 1)",
        ),
        (
            // CPython: "(value error) invalid \x escape at position 0"; RustPython's parser
            // words it differently (docs/limits.md).
            "escape.py",
            b"b = b'\\xZZ'\n",
            "error: syntax error in escape.py:1:9: Got unexpected unicode",
        ),
        (
            "cookie.py",
            b"# -*- coding: klingon -*-\nprint(1)\n",
            "error: syntax error in cookie.py:1:1: source encoding 'klingon' is not supported by freeze; re-save the file as UTF-8",
        ),
        (
            "latin1.py",
            b"s = 'caf\xe9'\n",
            "error: syntax error in latin1.py:1:1: Non-UTF-8 code starting with '\\xe9' in file latin1.py on line 1, but no encoding declared; see https://peps.python.org/pep-0263/ for details",
        ),
    ];
    for (name, source, expected) in cases {
        let ctx = Ctx::new();
        ctx.write(name, source);
        let err = ctx.assert_refused(&[name], "out");
        assert_eq!(err.lines().next().unwrap(), *expected, "{name}:\n{err}");
    }
}
