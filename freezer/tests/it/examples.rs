//! Every program in examples/: freeze it, run the output, compare with CPython running the
//! same source with the same arguments and input.

use crate::common::{Ctx, Run, repo_root};

/// Freeze `examples/<dir>/<script>` and compare each invocation with CPython; returns
/// the runs.
fn check_example(ctx: &Ctx, dir: &str, script: &str, cases: &[(&[&str], &str)]) -> Vec<Run> {
    let example_dir = repo_root().join("examples").join(dir);
    let entry = example_dir.join(script);
    let exe = ctx.freeze_ok([entry.as_os_str()], "app");
    let same = ctx.compare(&exe, [&entry]);
    // CPython runs in the same directory, so relative input paths mean the same.
    cases
        .iter()
        .map(|(args, stdin)| same.assert_same(args, stdin.as_bytes()))
        .collect()
}

#[test]
fn hello() {
    let ctx = Ctx::new();
    let exe = ctx.freeze_ok([repo_root().join("examples/hello/hello.py")], "hello");
    let run = ctx.run(&exe, &[], b"");
    assert_eq!(run.stdout, "hello world\n1267650600228229401496703205376\n");
    assert_eq!(run.stderr, "");
    assert_eq!(run.code, Some(0));
    check_example(&Ctx::new(), "hello", "hello.py", &[(&[], "")]);
}

#[test]
fn multimodule_package_and_relative_imports() {
    check_example(&Ctx::new(), "multimodule", "main.py", &[(&[], "")]);
}

#[test]
fn wordstats_cli() {
    let ctx = Ctx::with_files(&[
        ("a.txt", "The cat and the hat.\nThe end.\n"),
        ("b.txt", "Ünïcödé wörds, wörds: ça va\n"),
    ]);
    let cases: &[(&[&str], &str)] = &[
        (&[], "one two two three three three\n"),
        (&["a.txt", "b.txt"], ""),
        (&["--json", "--top", "2", "a.txt", "b.txt"], ""),
        (&["a.txt", "missing.txt"], ""),
        (&["--max-words", "3", "a.txt"], ""),
        (&["--top", "many"], ""),
        (&["--help"], ""),
    ];
    let codes: Vec<i32> = check_example(&ctx, "wordstats", "wordstats.py", cases)
        .iter()
        .map(|run| run.code.unwrap())
        .collect();
    // The program sets its exit status from its input: all four kinds are exercised.
    assert_eq!(codes, [0, 0, 0, 1, 3, 2, 0]);
}
