//! Unusual but valid programs: they must freeze and run as CPython runs them.

use crate::common::{Ctx, python};

fn same_as_cpython(ctx: &Ctx, entry: &str) -> crate::common::Run {
    let exe = ctx.freeze_ok([entry], "app");
    let frozen = ctx.run(&exe, &[], b"");
    let cpython = python(&ctx.path(entry), &[], b"", ctx.dir.path());
    assert_eq!(frozen, cpython);
    frozen
}

#[test]
fn import_cycle() {
    let ctx = Ctx::new();
    ctx.write("app.py", "import a\nprint(a.f(), a.b.g())\n");
    ctx.write("a.py", "import b\ndef f():\n    return 'a.f'\n");
    ctx.write(
        "b.py",
        "import a\ndef g():\n    return 'b.g sees ' + a.f.__name__\n",
    );
    assert_eq!(same_as_cpython(&ctx, "app.py").stdout, "a.f b.g sees f\n");
}

#[test]
fn empty_file_bom_and_coding_cookie() {
    let ctx = Ctx::new();
    ctx.write("empty.py", "");
    assert_eq!(same_as_cpython(&ctx, "empty.py").code, Some(0));
    let ctx = Ctx::new();
    ctx.write("bom.py", b"\xef\xbb\xbfprint('bom ok')\n");
    assert_eq!(same_as_cpython(&ctx, "bom.py").stdout, "bom ok\n");
    let ctx = Ctx::new();
    ctx.write("latin.py", b"# -*- coding: latin-1 -*-\nprint('caf\xe9')\n");
    assert_eq!(same_as_cpython(&ctx, "latin.py").stdout, "caf\u{e9}\n");
}

#[test]
fn non_utf8_source_without_cookie_is_refused() {
    let ctx = Ctx::new();
    ctx.write("bad.py", b"print('caf\xe9')\n");
    let run = ctx.freeze(["bad.py", "-o", "app"]);
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.stderr,
        "error: syntax error in bad.py:1:1: Non-UTF-8 code starting with '\\xe9' in file bad.py on line 1, but no encoding declared; see https://peps.python.org/pep-0263/ for details\n"
    );
    assert!(!ctx.path("app").exists());
}

#[test]
fn ten_thousand_module_tree() {
    let ctx = Ctx::new();
    let mut main = String::new();
    for p in 0..100 {
        let mut init = String::new();
        for m in 0..100 {
            ctx.write(
                &format!("pkg{p}/m{m}.py"),
                format!("VALUE = {}\n", p * 100 + m),
            );
            init.push_str(&format!("from . import m{m}\n"));
        }
        init.push_str("TOTAL = sum(m.VALUE for m in [");
        init.push_str(
            &(0..100)
                .map(|m| format!("m{m}"))
                .collect::<Vec<_>>()
                .join(", "),
        );
        init.push_str("])\n");
        ctx.write(&format!("pkg{p}/__init__.py"), init);
        main.push_str(&format!("import pkg{p}\n"));
    }
    main.push_str("import sys\nprint(sum(sys.modules[f'pkg{p}'].TOTAL for p in range(100)))\n");
    ctx.write("app.py", main);
    let start = std::time::Instant::now();
    let exe = ctx.freeze_ok(["app.py"], "app");
    let took = start.elapsed();
    assert!(
        took.as_secs() < 120,
        "freezing 10,100 modules took {took:?}"
    );
    let run = ctx.run(&exe, &[], b"");
    assert_eq!(
        run.stdout,
        format!("{}\n", (0..10_000).sum::<u32>()),
        "{}",
        run.stderr
    );
}
