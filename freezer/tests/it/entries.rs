//! Entry kinds, search paths, module attributes and stub discovery.

use crate::common::{Ctx, RunExt, assert_contains, stub};

#[test]
fn module_entry_runs_a_packages_main_as_python_dash_m() {
    let ctx = Ctx::with_files(&[
        (
            "tool/__init__.py",
            "print('init', __name__)\nVERSION = '1.2'\n",
        ),
        (
            "tool/__main__.py",
            "import sys\nfrom . import VERSION\nfrom .cli import run\nprint(__name__, __package__, __spec__.name, VERSION)\nsys.exit(run(sys.argv[1:]))\n",
        ),
        (
            "tool/cli.py",
            "def run(args):\n    print('args', args)\n    return len(args)\n",
        ),
    ]);
    let exe = ctx.freeze_ok(["-m", "tool"], "tool-bin");
    let frozen = ctx
        .compare(&exe, ["-m", "tool"])
        .assert_same(&["a", "b"], b"");
    assert_eq!(frozen.code, Some(2));
    assert_contains(&frozen.stdout, "__main__ tool tool.__main__ 1.2");
}

#[test]
fn module_entry_runs_a_plain_module() {
    let ctx = Ctx::with_files(&[(
        "lib/greet.py",
        "import sys\nprint('hi from', __name__, repr(__package__), sys.argv[1:])\n",
    )]);
    let exe = ctx.freeze_ok(["-m", "greet", "--path", "lib"], "greet");
    assert_eq!(
        ctx.run(&exe, &["x"], b"").stdout,
        "hi from __main__ '' ['x']\n"
    );
}

#[test]
fn module_entry_errors() {
    let ctx = Ctx::new();
    assert_eq!(
        ctx.assert_refused(&["-m", "no_such_mod"], "x"),
        "error: module no_such_mod not found; searched ., the standard library; if it is installed in another environment, pass --python PATH (its interpreter or directory)\n"
    );
    ctx.write("pkg/__init__.py", "");
    let err = ctx.assert_refused(&["-m", "pkg"], "x");
    assert!(err.contains("module pkg.__main__ not found"), "{err}");
}

#[test]
fn directory_entry_with_main() {
    let ctx = Ctx::with_files(&[
        ("app/__main__.py", "import helper\nhelper.hello()\n"),
        (
            "app/helper.py",
            "def hello():\n    print('hello from', __name__, __file__)\n",
        ),
    ]);
    let exe = ctx.freeze_ok(["app"], "app-bin");
    // __file__ lies under the executable's path used as a directory (the virtual root).
    assert_eq!(
        ctx.run(&exe, &[], b"").stdout,
        format!("hello from helper {}/helper.py\n", exe.display())
    );
}

#[test]
fn search_paths_and_module_attributes_are_under_the_virtual_root() {
    let ctx = Ctx::with_files(&[
        (
            "src/main.py",
            "import mylib, mylib.sub, plain\n\
         for m in (mylib, mylib.sub, plain):\n\
         \x20   print(m.__name__, m.__file__, m.__spec__.origin, m.__spec__.parent, getattr(m, '__path__', None))\n\
         print(mylib.sub.VALUE)\n",
        ),
        ("vendor/mylib/__init__.py", ""),
        (
            "vendor/mylib/sub.py",
            "from . import helper\nVALUE = helper.compute()\n",
        ),
        (
            "vendor/mylib/helper.py",
            "def compute():\n    return 6 * 7\n",
        ),
        ("src/plain.py", ""),
    ]);
    let exe = ctx.freeze_ok(["src/main.py", "--path", "vendor"], "app");
    let run = ctx.run(&exe, &[], b"");
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    // Every search root's modules lie in one tree under the executable's own path.
    assert_eq!(
        run.stdout.replace(&exe.display().to_string(), "<exe>"),
        "mylib <exe>/mylib/__init__.py <exe>/mylib/__init__.py mylib ['<exe>/mylib']\n\
         mylib.sub <exe>/mylib/sub.py <exe>/mylib/sub.py mylib None\n\
         plain <exe>/plain.py <exe>/plain.py  None\n\
         42\n"
    );
    // Without --path the package is missing and imported at start: the build fails,
    // naming the import; --allow-missing builds anyway, and the import fails at run time.
    let err = ctx.assert_refused(&["src/main.py"], "app2");
    assert_contains(
        &err,
        "error: module mylib not found, and src/main.py:1 imports it as the program starts (reached by __main__); install it into the build's environment (pip install mylib,",
    );
    assert_contains(&err, "or build anyway with --allow-missing mylib");
    let run = ctx
        .freeze()
        .args(["src/main.py", "-o", "app2", "--allow-missing", "mylib"])
        .run();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let run = ctx.run(&ctx.path("app2"), &[], b"");
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr
            .trim_end()
            .ends_with("ModuleNotFoundError: No module named 'mylib'"),
        "{}",
        run.stderr
    );
}

#[test]
fn only_reached_modules_are_bundled_and_local_modules_shadow_stdlib() {
    let ctx = Ctx::with_files(&[
        ("app.py", "import json\nprint(json.dumps([1]))\n"),
        ("json.py", "def dumps(x):\n    return 'local json'\n"),
        ("unused.py", "raise SystemExit('never imported')\n"),
    ]);
    let exe = ctx.freeze_ok(["app.py"], "app");
    let frozen = ctx
        .compare(&exe, [ctx.path("app.py")])
        .assert_same(&[], b"");
    assert_eq!(frozen.stdout, "local json\n");
    let bytes = std::fs::read(&exe).unwrap();
    assert!(
        !contains(&bytes, b"unused.py"),
        "an unreached module was bundled"
    );
    assert!(
        !contains(&bytes, b"json/decoder.py"),
        "the shadowed stdlib json was bundled"
    );
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn stub_discovery_order() {
    let ctx = Ctx::with_files(&[("app.py", "print('ok')\n")]);
    // --stub wins over FREEZE_STUB.
    let run = ctx
        .freeze()
        .env("FREEZE_STUB", ctx.path("missing-stub"))
        .args(["app.py", "-o", "a1", "--stub"])
        .arg(stub())
        .run();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(ctx.run(&ctx.path("a1"), &[], b"").stdout, "ok\n");
    // FREEZE_STUB is used when set.
    let err = ctx.assert_refused_by(
        ctx.freeze()
            .env("FREEZE_STUB", ctx.path("missing-stub"))
            .arg("app.py"),
        "a2",
    );
    assert!(err.contains("missing-stub"), "{err}");
    // An installed freeze finds runtime-stub beside itself.
    let freeze = ctx.install_freeze("bin");
    std::fs::copy(stub(), ctx.path("bin/runtime-stub")).unwrap();
    let run = ctx.command(&freeze).args(["app.py", "-o", "a3"]).run();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(ctx.run(&ctx.path("a3"), &[], b"").stdout, "ok\n");
    // With no stub anywhere, one line says what to do.
    std::fs::remove_file(ctx.path("bin/runtime-stub")).unwrap();
    assert_eq!(
        ctx.assert_refused_by(ctx.command(&freeze).arg("app.py"), "a4"),
        format!(
            "error: no runtime stub found: install it with `pip install 'freeze-py[linux]=={}'`, pass --stub FILE, set FREEZE_STUB, or put runtime-stub next to the freeze executable\n",
            env!("CARGO_PKG_VERSION")
        )
    );
}
