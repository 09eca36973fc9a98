//! Entry kinds, search paths, module attributes and stub discovery.

use crate::common::{Ctx, clean_command, freeze_bin, python, stub};

#[test]
fn module_entry_runs_a_packages_main_as_python_dash_m() {
    let ctx = Ctx::new();
    ctx.write(
        "tool/__init__.py",
        "print('init', __name__)\nVERSION = '1.2'\n",
    );
    ctx.write(
        "tool/__main__.py",
        "import sys\nfrom . import VERSION\nfrom .cli import run\nprint(__name__, __package__, __spec__.name, VERSION)\nsys.exit(run(sys.argv[1:]))\n",
    );
    ctx.write(
        "tool/cli.py",
        "def run(args):\n    print('args', args)\n    return len(args)\n",
    );
    let run = ctx.freeze(["-m", "tool", "-o", "tool-bin"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let frozen = ctx.run(&ctx.path("tool-bin"), &["a", "b"], b"");
    let mut cmd = clean_command("python3");
    cmd.current_dir(ctx.dir.path())
        .args(["-m", "tool", "a", "b"]);
    let cpython = crate::common::run_with_stdin(cmd, b"");
    assert_eq!(frozen, cpython);
    assert_eq!(frozen.code, Some(2));
    assert!(
        frozen.stdout.contains("__main__ tool tool.__main__ 1.2"),
        "{}",
        frozen.stdout
    );
}

#[test]
fn module_entry_runs_a_plain_module() {
    let ctx = Ctx::new();
    ctx.write(
        "lib/greet.py",
        "import sys\nprint('hi from', __name__, repr(__package__), sys.argv[1:])\n",
    );
    let run = ctx.freeze(["-m", "greet", "--path", "lib", "-o", "greet"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        ctx.run(&ctx.path("greet"), &["x"], b"").stdout,
        "hi from __main__ '' ['x']\n"
    );
}

#[test]
fn module_entry_errors() {
    let ctx = Ctx::new();
    let run = ctx.freeze(["-m", "no_such_mod", "-o", "x"]);
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.stderr,
        "error: module no_such_mod not found on the search path (the entry's directory, --path, the standard library)\n"
    );
    ctx.write("pkg/__init__.py", "");
    let run = ctx.freeze(["-m", "pkg", "-o", "x"]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("module pkg.__main__ not found"),
        "{}",
        run.stderr
    );
    assert!(!ctx.path("x").exists());
}

#[test]
fn directory_entry_with_main() {
    let ctx = Ctx::new();
    ctx.write("app/__main__.py", "import helper\nhelper.hello()\n");
    ctx.write(
        "app/helper.py",
        "def hello():\n    print('hello from', __name__, __file__)\n",
    );
    let exe = ctx.freeze_ok(["app"], "app-bin");
    // __file__ lies under the executable's path used as a directory (the virtual root).
    assert_eq!(
        ctx.run(&exe, &[], b"").stdout,
        format!("hello from helper {}/helper.py\n", exe.display())
    );
}

#[test]
fn search_paths_and_module_attributes_are_under_the_virtual_root() {
    let ctx = Ctx::new();
    ctx.write(
        "src/main.py",
        "import mylib, mylib.sub, plain\n\
         for m in (mylib, mylib.sub, plain):\n\
         \x20   print(m.__name__, m.__file__, m.__spec__.origin, m.__spec__.parent, getattr(m, '__path__', None))\n\
         print(mylib.sub.VALUE)\n",
    );
    ctx.write("vendor/mylib/__init__.py", "");
    ctx.write(
        "vendor/mylib/sub.py",
        "from . import helper\nVALUE = helper.compute()\n",
    );
    ctx.write(
        "vendor/mylib/helper.py",
        "def compute():\n    return 6 * 7\n",
    );
    ctx.write("src/plain.py", "");
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
    // Without --path the package is missing: a warning, then ModuleNotFoundError at run time.
    let run = ctx.freeze(["src/main.py", "-o", "app2"]);
    assert_eq!(run.code, Some(0));
    assert!(
        run.stderr
            .contains("warning: module 'mylib' not found (imported at src/main.py:1)"),
        "{}",
        run.stderr
    );
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
    let ctx = Ctx::new();
    ctx.write("app.py", "import json\nprint(json.dumps([1]))\n");
    ctx.write("json.py", "def dumps(x):\n    return 'local json'\n");
    ctx.write("unused.py", "raise SystemExit('never imported')\n");
    let exe = ctx.freeze_ok(["app.py"], "app");
    let frozen = ctx.run(&exe, &[], b"");
    assert_eq!(frozen.stdout, "local json\n");
    assert_eq!(
        frozen,
        python(&ctx.path("app.py"), &[], b"", ctx.dir.path())
    );
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
    let ctx = Ctx::new();
    ctx.write("app.py", "print('ok')\n");
    // --stub wins over FREEZE_STUB.
    let mut cmd = clean_command(freeze_bin());
    cmd.current_dir(ctx.dir.path())
        .env("FREEZE_STUB", ctx.path("missing-stub"))
        .args(["app.py", "-o", "a1", "--stub"])
        .arg(stub());
    assert!(cmd.output().unwrap().status.success());
    assert_eq!(ctx.run(&ctx.path("a1"), &[], b"").stdout, "ok\n");
    // FREEZE_STUB is used when set.
    let mut cmd = clean_command(freeze_bin());
    cmd.current_dir(ctx.dir.path())
        .env("FREEZE_STUB", ctx.path("missing-stub"))
        .args(["app.py", "-o", "a2"]);
    let out = cmd.output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing-stub"));
    // An installed freeze finds runtime-stub beside itself.
    let bin = ctx.path("bin");
    std::fs::create_dir(&bin).unwrap();
    std::fs::copy(freeze_bin(), bin.join("freeze")).unwrap();
    std::fs::copy(stub(), bin.join("runtime-stub")).unwrap();
    let mut cmd = clean_command(bin.join("freeze"));
    cmd.current_dir(ctx.dir.path()).args(["app.py", "-o", "a3"]);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(ctx.run(&ctx.path("a3"), &[], b"").stdout, "ok\n");
    // With no stub anywhere, one line says what to do.
    std::fs::remove_file(bin.join("runtime-stub")).unwrap();
    let mut cmd = clean_command(bin.join("freeze"));
    cmd.current_dir(ctx.dir.path()).args(["app.py", "-o", "a4"]);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: no runtime stub found: pass --stub FILE, set FREEZE_STUB, or put runtime-stub next to the freeze executable\n"
    );
    assert!(!ctx.path("a4").exists());
}
