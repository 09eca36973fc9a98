//! Programs beyond one file: console-script entries, dynamic imports, include/exclude,
//! data files, distribution metadata, compiled extensions, the report, [tool.freeze].

use crate::common::{Ctx, RunExt};

#[test]
fn function_entry_exit_status_is_its_return() {
    let ctx = Ctx::with_files(&[
        ("tool/__init__.py", ""),
        (
            "tool/cli.py",
            "import sys\ndef main():\n    print('args', sys.argv[1:])\n    return len(sys.argv) - 1\n",
        ),
    ]);
    let exe = ctx.freeze_ok(["--entry", "tool.cli:main"], "tool-bin");
    let out = ctx.run(&exe, &["a", "b", "c"], b"");
    assert_eq!(
        (out.stdout.as_str(), out.code),
        ("args ['a', 'b', 'c']\n", Some(3))
    );
    assert_eq!(
        ctx.assert_refused(&["--entry", "tool.cli"], "x"),
        "error: --entry tool.cli is not MODULE:FUNCTION (e.g. mypkg.cli:main)\n"
    );
}

#[test]
fn literal_dynamic_imports_are_followed_and_computed_ones_reported() {
    let ctx = Ctx::with_files(&[
        ("plugins/__init__.py", ""),
        ("plugins/alpha.py", "NAME = 'alpha'\n"),
        ("plugins/beta.py", "NAME = 'beta'\n"),
        ("gamma.py", "NAME = 'gamma'\n"),
    ]);
    let app = ctx.write(
        "app.py",
        "import importlib, sys\n\
         a = importlib.import_module('plugins.alpha')\n\
         b = importlib.import_module('.beta', package='plugins')\n\
         g = __import__('gamma')\n\
         print(a.NAME, b.NAME, g.NAME)\n\
         name = sys.argv[1] if len(sys.argv) > 1 else 'json'\n\
         print(importlib.import_module(name).__name__)\n",
    );
    let exe = ctx.freeze_ok(["app.py", "--report", "report.json"], "app");
    let frozen = ctx.compare(&exe, [&app]).assert_same(&[], b"");
    assert_eq!(frozen.stdout, "alpha beta gamma\njson\n");
    let report = ctx.read_json("report.json");
    assert_eq!(report["dynamic_imports"], serde_json::json!(["app.py:7"]));
}

#[test]
fn include_and_exclude() {
    let ctx = Ctx::with_files(&[
        ("plugins/__init__.py", ""),
        ("plugins/one.py", "N = 1\n"),
        ("plugins/sub/__init__.py", ""),
        ("plugins/sub/two.py", "N = 2\n"),
        ("heavy.py", "print('heavy imported')\n"),
    ]);
    ctx.write(
        "app.py",
        "import importlib\n\
         for name in ['plugins.one', 'plugins.sub.two']:\n\
         \x20   print(name, importlib.import_module(name).N)\n\
         try:\n\
         \x20   import heavy\n\
         except ModuleNotFoundError as e:\n\
         \x20   print('excluded:', e)\n",
    );
    assert_eq!(
        ctx.assert_refused(&["app.py", "--include", "nonexistent_pkg"], "x"),
        "error: --include nonexistent_pkg: no such module on the search path\n"
    );
    let exe = ctx.freeze_ok(
        ["app.py", "--include", "plugins", "--exclude", "heavy"],
        "app",
    );
    let run = ctx.run(&exe, &[], b"");
    assert_eq!(
        run.stdout, "plugins.one 1\nplugins.sub.two 2\nexcluded: No module named 'heavy'\n",
        "{}",
        run.stderr
    );
}

#[test]
fn package_data_through_every_api() {
    let ctx = Ctx::with_files(&[
        ("pkg/__init__.py", ""),
        ("pkg/data/hello.txt", "héllo data\n"),
    ]);
    ctx.write("pkg/data/blob.bin", [0u8, 1, 2, 255]);
    ctx.write_files(&[
        ("pkg/templates/__init__.py", ""),
        ("pkg/templates/page.html", "<p>page</p>\n"),
    ]);
    let app = ctx.write(
        "app.py",
        "import importlib.resources as res, pkgutil, pkg, pkg.templates\n\
         root = res.files('pkg')\n\
         print(root.joinpath('data/hello.txt').read_text(encoding='utf-8'), end='')\n\
         print(list((root / 'data' / 'blob.bin').read_bytes()))\n\
         with (root / 'data' / 'hello.txt').open('r', encoding='utf-8') as f: print(f.read().strip())\n\
         with (root / 'data' / 'blob.bin').open('rb') as f: print(f.read(2))\n\
         print(sorted(p.name for p in (root / 'data').iterdir()))\n\
         print((root / 'data' / 'hello.txt').is_file(), (root / 'data').is_dir(), (root / 'nope').is_file())\n\
         print(res.read_text('pkg.templates', 'page.html'), end='')\n\
         with res.open_binary('pkg.templates', 'page.html') as f: print(f.read())\n\
         print(pkgutil.get_data('pkg', 'data/hello.txt'))\n\
         print(pkg.__spec__.loader.get_data(pkg.__file__.rpartition('/')[0] + '/data/blob.bin'))\n",
    );
    let exe = ctx.freeze_ok([app.as_os_str()], "app");
    let (frozen, cpython) = ctx.compare(&exe, [&app]).both(&[], b"");
    // From another directory, so nothing can be read from the source tree by accident.
    let elsewhere = ctx.path("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    assert_eq!(ctx.command(&exe).current_dir(&elsewhere).run(), frozen);
    // CPython 3.11 warns that read_text/open_binary are deprecated (3.13 took that back).
    assert_eq!(
        (&frozen.stdout, frozen.code),
        (&cpython.stdout, cpython.code)
    );
    assert_eq!(frozen.stderr, "");
    assert!(
        frozen.stdout.starts_with("héllo data\n[0, 1, 2, 255]\n"),
        "{}",
        frozen.stdout
    );
}

#[test]
fn add_data_is_readable_through_freeze_data() {
    let ctx = Ctx::with_files(&[
        ("assets/config.ini", "[main]\nanswer = 42\n"),
        ("assets/img/logo.svg", "<svg/>"),
        ("notes.txt", "a note\n"),
    ]);
    ctx.write(
        "app.py",
        "import freeze_data\n\
         print(freeze_data.read_text('static/config.ini'), end='')\n\
         print(freeze_data.read_bytes('static/img/logo.svg'))\n\
         print(freeze_data.files().joinpath('notes.txt').read_text(), end='')\n\
         print(sorted(p.name for p in freeze_data.files().joinpath('static').iterdir()))\n",
    );
    let exe = ctx.freeze_ok(
        [
            "app.py",
            "--add-data",
            "assets:static",
            "--add-data",
            "notes.txt:.",
        ],
        "app",
    );
    let run = ctx.run(&exe, &[], b"");
    assert_eq!(
        run.stdout, "[main]\nanswer = 42\nb'<svg/>'\na note\n['config.ini', 'img']\n",
        "{}",
        run.stderr
    );
    assert_eq!(
        ctx.assert_refused(&["app.py", "--add-data", "missing:x"], "y"),
        "error: --add-data missing:x: missing does not exist\n"
    );
}

#[test]
fn distribution_metadata_travels() {
    let ctx = Ctx::with_files(&[
        (
            "site/greeter/__init__.py",
            "def hello():\n    return 'hi'\n",
        ),
        (
            "site/greeter-2.5.1.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: greeter\nVersion: 2.5.1\nSummary: Says hi\n",
        ),
        ("site/greeter-2.5.1.dist-info/top_level.txt", "greeter\n"),
        (
            "site/greeter-2.5.1.dist-info/entry_points.txt",
            "[console_scripts]\ngreet = greeter:hello\n",
        ),
        (
            "site/unrelated-1.0.dist-info/METADATA",
            "Name: unrelated\nVersion: 1.0\n",
        ),
        ("site/unrelated-1.0.dist-info/top_level.txt", "unrelated\n"),
    ]);
    ctx.write(
        "app.py",
        "import greeter\n\
         from importlib.metadata import version, metadata, entry_points, PackageNotFoundError\n\
         print(version('greeter'), metadata('greeter')['Summary'])\n\
         print([ep.value for ep in entry_points(group='console_scripts', name='greet')])\n\
         try:\n\
         \x20   version('unrelated')\n\
         except PackageNotFoundError:\n\
         \x20   print('unrelated is not bundled')\n",
    );
    let exe = ctx.freeze_ok(["app.py", "--path", "site"], "app");
    let run = ctx.run(&exe, &[], b"");
    assert_eq!(
        run.stdout, "2.5.1 Says hi\n['greeter:hello']\nunrelated is not bundled\n",
        "{}",
        run.stderr
    );
}

#[test]
fn compiled_extensions_stop_the_build_unless_guarded_or_lazy() {
    let ctx = Ctx::with_files(&[
        ("lib/fastlib/__init__.py", "from ._speedups import add\n"),
        (
            "lib/fastlib/_speedups.cpython-311-x86_64-linux-gnu.so",
            "\x7fELF not really",
        ),
        (
            "lib/safelib/__init__.py",
            "try:\n    from ._speedups import add\nexcept ImportError:\n    def add(a, b):\n        return a + b\n",
        ),
        (
            "lib/safelib/_speedups.cpython-311-x86_64-linux-gnu.so",
            "\x7fELF not really",
        ),
        ("uses_fast.py", "import helper\n"),
        ("helper.py", "import fastlib\n"),
    ]);
    assert_eq!(
        ctx.assert_refused(&["uses_fast.py", "--path", "lib"], "fast"),
        "error: module fastlib._speedups is a compiled extension (lib/fastlib/_speedups.cpython-311-x86_64-linux-gnu.so) that RustPython cannot load; imported by __main__ → helper → fastlib (lib/fastlib/__init__.py:1); if fastlib has a pure-Python fallback, leave the extension out with --exclude fastlib._speedups\n"
    );
    // The guarded import is left out and the fallback runs.
    ctx.write("uses_safe.py", "import safelib\nprint(safelib.add(2, 3))\n");
    let exe = ctx.freeze_ok(
        ["uses_safe.py", "--path", "lib", "--report", "r.json"],
        "safe",
    );
    assert_eq!(ctx.run(&exe, &[], b"").stdout, "5\n");
    let report = ctx.read_json("r.json");
    assert_eq!(
        report["skipped_extensions"][0]["module"],
        "safelib._speedups"
    );
    // Reached only inside a function, through a module-level import below it: left out
    // with a warning naming the chain; the program runs as long as it does not call it.
    ctx.write_files(&[
        (
            "lib/lazylib/__init__.py",
            "def version():\n    return 1\n\ndef fast():\n    from fastlib import add\n    return add\n",
        ),
        ("uses_lazy.py", "import lazylib\nprint(lazylib.version())\n"),
    ]);
    let run = ctx
        .freeze()
        .args([
            "uses_lazy.py",
            "--path",
            "lib",
            "-o",
            "lazy",
            "--report",
            "l.json",
        ])
        .run();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "warning: left out fastlib._speedups, a compiled extension (lib/fastlib/_speedups.cpython-311-x86_64-linux-gnu.so) that RustPython cannot load, imported inside a function (lib/fastlib/__init__.py:1, reached by __main__ → lazylib → fastlib); the program raises ImportError if it calls that function"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(ctx.run(&ctx.path("lazy"), &[], b"").stdout, "1\n");
    let report = ctx.read_json("l.json");
    assert_eq!(report["lazy_extensions"][0]["module"], "fastlib._speedups");
    assert_eq!(report["skipped_extensions"].as_array().unwrap().len(), 0);
}

#[test]
fn report_lists_modules_data_missing_and_excluded() {
    let ctx = Ctx::with_files(&[
        ("pkg/__init__.py", "from . import inner\n"),
        ("pkg/inner.py", "import json\n"),
        ("pkg/data.txt", "x"),
        (
            "app.py",
            "import pkg\ntry:\n    import not_there\nexcept ImportError:\n    pass\nimport csv\n",
        ),
    ]);
    ctx.freeze_ok(
        ["app.py", "--exclude", "csv", "--report", "out/report.json"],
        "app",
    );
    let report = ctx.read_json("out/report.json");
    let modules = report["modules"].as_array().unwrap();
    let inner = modules.iter().find(|m| m["name"] == "pkg.inner").unwrap();
    assert_eq!(inner["origin"], "pkg/inner.py");
    assert_eq!(inner["distribution"], "program");
    assert_eq!(inner["imported_by"], serde_json::json!(["__main__", "pkg"]));
    assert!(inner["bytes"].as_u64().unwrap() > 0);
    let json = modules.iter().find(|m| m["name"] == "json").unwrap();
    assert_eq!(json["distribution"], "stdlib");
    assert_eq!(report["data"][0]["path"], "pkg/data.txt");
    // Imported in a `try`: the program has its own answer, so it is reported as an
    // optional miss, not a warning.
    let missing = report["optional_missing"].as_array().unwrap();
    let not_there = missing.iter().find(|m| m["module"] == "not_there").unwrap();
    assert_eq!(not_there["importers"][0]["line"], 3);
    assert_eq!(not_there["importers"][0]["stdlib"], false);
    assert_eq!(report["excluded"][0]["module"], "csv");
    assert!(!modules.iter().any(|m| m["name"] == "csv"));
}

#[test]
fn pyproject_config_and_init() {
    let ctx = Ctx::new();
    let run = ctx.freeze().arg("init").run();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let text = std::fs::read_to_string(ctx.path("pyproject.toml")).unwrap();
    assert!(text.starts_with("[tool.freeze]\n"), "{text}");
    // A second init refuses to duplicate the section.
    let run = ctx.freeze().arg("init").run();
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("already has a [tool.freeze] section"));

    ctx.write_files(&[
        ("proj/src/lib1.py", "VALUE = 'from --path'\n"),
        ("proj/main.py", "import lib1\nassert False, 'asserts stay unless optimize'\n"),
        ("proj/pyproject.toml", "[project]\nname = 'p'\n\n[tool.freeze]\nentry = 'main.py'\noutput = 'dist/app'\npath = ['src']\noptimize = 1\n"),
        ("proj/dist/.keep", ""),
    ]);
    let run = ctx.freeze().current_dir(ctx.path("proj")).run();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let run = ctx.run(&ctx.path("proj/dist/app"), &[], b"");
    assert_eq!(
        run.code,
        Some(0),
        "optimize = 1 drops the assert: {}",
        run.stderr
    );
    // Flags win over the file.
    let run = ctx
        .freeze()
        .current_dir(ctx.path("proj"))
        .args(["-o", "other"])
        .run();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(ctx.path("proj/other").is_file());
    // A misspelt key is an error that says where.
    ctx.write(
        "proj/pyproject.toml",
        "[tool.freeze]\nentry = 'main.py'\noutptu = 'x'\n",
    );
    let run = ctx.freeze().current_dir(ctx.path("proj")).run();
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr
            .starts_with("error: ./pyproject.toml:3:1: unknown field `outptu`"),
        "{}",
        run.stderr
    );
}

#[test]
fn namespace_packages() {
    let ctx = Ctx::with_files(&[("a/ns/one.py", "N = 1\n"), ("b/ns/two.py", "N = 2\n")]);
    ctx.write("app.py", "import ns.one, ns.two\nprint(ns.one.N + ns.two.N, ns.__file__ if hasattr(ns, '__file__') else None)\n");
    let exe = ctx.freeze_ok(["app.py", "--path", "a", "--path", "b"], "app");
    let run = ctx.run(&exe, &[], b"");
    assert_eq!(run.stdout, "3 None\n", "{}", run.stderr);
}
