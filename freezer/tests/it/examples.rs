//! Every program in examples/: freeze it, run the output, compare with CPython running the
//! same source with the same arguments and input.

use crate::common::{Ctx, python, repo_root};

/// Freeze `examples/<dir>/<script>` and compare each invocation with CPython.
fn check_example(dir: &str, script: &str, cases: &[(&[&str], &str)]) {
    let ctx = Ctx::new();
    let example_dir = repo_root().join("examples").join(dir);
    let entry = example_dir.join(script);
    let exe = ctx.freeze_ok([entry.as_os_str()], "app");
    for (args, stdin) in cases {
        let frozen = ctx.run(&exe, args, stdin.as_bytes());
        // CPython runs in the same directory, so relative input paths mean the same.
        let cpython = python(&entry, args, stdin.as_bytes(), ctx.dir.path());
        assert_eq!(
            frozen, cpython,
            "{dir}/{script} {args:?} differs from CPython"
        );
    }
}

#[test]
fn hello() {
    let ctx = Ctx::new();
    let exe = ctx.freeze_ok([repo_root().join("examples/hello/hello.py")], "hello");
    let run = ctx.run(&exe, &[], b"");
    assert_eq!(run.stdout, "hello world\n1267650600228229401496703205376\n");
    assert_eq!(run.stderr, "");
    assert_eq!(run.code, Some(0));
    check_example("hello", "hello.py", &[(&[], "")]);
}

#[test]
fn multimodule_package_and_relative_imports() {
    check_example("multimodule", "main.py", &[(&[], "")]);
}

#[test]
fn wordstats_cli() {
    let ctx = Ctx::new();
    ctx.write("a.txt", "The cat and the hat.\nThe end.\n");
    ctx.write("b.txt", "Ünïcödé wörds, wörds: ça va\n");
    let example_dir = repo_root().join("examples/wordstats");
    let entry = example_dir.join("wordstats.py");
    let exe = ctx.freeze_ok([entry.as_os_str()], "wordstats");
    let cases: &[(&[&str], &str)] = &[
        (&[], "one two two three three three\n"),
        (&["a.txt", "b.txt"], ""),
        (&["--json", "--top", "2", "a.txt", "b.txt"], ""),
        (&["a.txt", "missing.txt"], ""),
        (&["--max-words", "3", "a.txt"], ""),
        (&["--top", "many"], ""),
        (&["--help"], ""),
    ];
    let mut codes = Vec::new();
    for (args, stdin) in cases {
        let frozen = ctx.run(&exe, args, stdin.as_bytes());
        let cpython = python(&entry, args, stdin.as_bytes(), ctx.dir.path());
        assert_eq!(frozen, cpython, "wordstats {args:?} differs from CPython");
        codes.push(frozen.code.unwrap());
    }
    // The program sets its exit status from its input: all four kinds are exercised.
    assert_eq!(codes, [0, 0, 0, 1, 3, 2, 0]);
}
