//! Unusual but valid programs: they must freeze and run as CPython runs them.

use crate::common::Ctx;

#[test]
fn import_cycle() {
    let ctx = Ctx::with_files(&[
        ("app.py", "import a\nprint(a.f(), a.b.g())\n"),
        ("a.py", "import b\ndef f():\n    return 'a.f'\n"),
        (
            "b.py",
            "import a\ndef g():\n    return 'b.g sees ' + a.f.__name__\n",
        ),
    ]);
    assert_eq!(
        ctx.assert_same_as_cpython(&["app.py"], &[]).stdout,
        "a.f b.g sees f\n"
    );
}

#[test]
fn empty_file_bom_and_coding_cookie() {
    let ctx = Ctx::with_files(&[("empty.py", "")]);
    assert_eq!(ctx.assert_same_as_cpython(&["empty.py"], &[]).code, Some(0));
    let ctx = Ctx::new();
    ctx.write("bom.py", b"\xef\xbb\xbfprint('bom ok')\n");
    assert_eq!(
        ctx.assert_same_as_cpython(&["bom.py"], &[]).stdout,
        "bom ok\n"
    );
    let ctx = Ctx::new();
    ctx.write("latin.py", b"# -*- coding: latin-1 -*-\nprint('caf\xe9')\n");
    assert_eq!(
        ctx.assert_same_as_cpython(&["latin.py"], &[]).stdout,
        "caf\u{e9}\n"
    );
}

#[test]
fn non_utf8_source_without_cookie_is_refused() {
    let ctx = Ctx::new();
    ctx.write("bad.py", b"print('caf\xe9')\n");
    let err = ctx.assert_refused(&["bad.py"], "app");
    assert_eq!(
        err,
        "error: syntax error in bad.py:1:1: Non-UTF-8 code starting with '\\xe9' in file bad.py on line 1, but no encoding declared; see https://peps.python.org/pep-0263/ for details\n"
    );
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
