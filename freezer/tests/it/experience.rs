//! What a user reads: help, inspect, optimisation levels, and nothing of colour or
//! progress in a pipe. Snapshots (insta) live in tests/snapshots/; after a deliberate
//! change, `INSTA_UPDATE=always ./test -p freezer --test it experience::` rewrites them
//! (or `cargo insta review`).

use crate::common::{Ctx, Run, RunExt, json_entry, mask_sizes, repo_root, snapshots, stub};

/// `freeze ARGS`, with nothing else of the environment.
fn freeze_cmd(args: &[&str]) -> Run {
    Ctx::new().freeze().args(args).run()
}

#[test]
fn help_is_snapshotted() {
    let out = freeze_cmd(&["-h"]);
    assert_eq!(out.code, Some(0));
    snapshots().bind(|| insta::assert_snapshot!("help", out.stdout));
    let long = freeze_cmd(&["--help"]).stdout;
    snapshots().bind(|| insta::assert_snapshot!("help-long", long));
    // Every flag's long help carries an example.
    let flags = long
        .split("\nOptions:\n")
        .nth(1)
        .unwrap()
        .split("\nExamples:")
        .next()
        .unwrap();
    for entry in flags
        .split("\n\n")
        .filter(|e| !e.contains("Print help") && !e.contains("Print version"))
    {
        assert!(entry.contains("Example: "), "no example in:\n{entry}");
    }
    let out = freeze_cmd(&["inspect", "--help"]);
    snapshots().bind(|| insta::assert_snapshot!("inspect-help", out.stdout));
}

#[test]
fn version_names_rustpython_and_python() {
    assert_eq!(
        freeze_cmd(&["--version"]).stdout,
        format!(
            "freeze {} (RustPython 0.6.0, Python 3.14)\n",
            env!("CARGO_PKG_VERSION")
        )
    );
}

/// `modules: N (…)` with the count and the sizes masked.
fn mask_count(line: &str) -> String {
    let masked = mask_sizes(line);
    let (count, rest) = masked.split_once(" (").unwrap();
    let label = count.trim_end_matches(|c: char| c.is_ascii_digit());
    format!("{label}[COUNT] ({rest}")
}

#[test]
fn inspect_text_and_json() {
    let ctx = Ctx::with_files(&[
        ("pkg/__init__.py", "from . import util\n"),
        ("pkg/util.py", "def f():\n    return 1\n"),
        ("pkg/table.csv", "a,b\n1,2\n"),
        ("app.py", "import pkg\nprint(pkg.util.f())\n"),
    ]);
    let exe = ctx.freeze_ok(["app.py", "-O"], "app");
    let out = ctx.freeze().arg("inspect").arg(&exe).run();
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    // The program's own lines (the standard library's modules depend on RustPython's),
    // with the temp dir and the sizes, which depend on the stub, masked; the columns'
    // width follows the longest module name, so runs of spaces are one.
    let mut own = String::new();
    for line in ctx.mask_paths(&out.stdout).lines() {
        let line = match line.split(':').next().unwrap_or("") {
            "file" | "payload" => mask_sizes(line),
            "modules" => mask_count(line),
            _ if !line.starts_with("  ") => line.to_owned(),
            _ if ["pkg ", "pkg.", "__main__ "]
                .iter()
                .any(|p| line.trim_start().starts_with(p)) =>
            {
                format!(
                    "  {}",
                    line.split_whitespace().collect::<Vec<_>>().join(" ")
                )
            }
            _ => continue,
        };
        own.push_str(&line);
        own.push('\n');
    }
    snapshots().bind(|| insta::assert_snapshot!("inspect", own));

    let out = ctx.freeze().args(["inspect", "--json"]).arg(&exe).run();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["executable"], "ELF x86-64");
    assert_eq!(json["entry"], "__main__");
    assert_eq!(json["optimize"], 1);
    assert_eq!(
        json["payload_format_version"],
        freeze_payload::FORMAT_VERSION
    );
    let modules = json["modules"].as_array().unwrap();
    let util = modules.iter().find(|m| m["name"] == "pkg.util").unwrap();
    assert_eq!(util["kind"], "module");
    assert_eq!(util["origin"], "pkg/util.py");
    assert_eq!(util["source_bytes"], 22);
    assert_eq!(
        json["data"],
        serde_json::json!([{"path": "pkg/table.csv", "bytes": 8}])
    );
    // Not a frozen program: one line.
    let out = ctx.freeze().arg("inspect").arg(stub()).run();
    assert_eq!(out.code, Some(1));
    let err = out.stderr;
    assert!(
        err.ends_with("ELF x86-64 without a freeze payload\n") && err.lines().count() == 1,
        "{err}"
    );
}

#[test]
fn optimisation_levels_drop_asserts_and_docstrings() {
    let ctx = Ctx::new();
    let src = "def f():\n    \"\"\"The docstring.\"\"\"\nprint(repr(f.__doc__), __debug__)\nassert False, 'kept'\n";
    ctx.write("app.py", src);
    let run = ctx.run(&ctx.freeze_ok(["app.py"], "o0"), &[], b"");
    assert_eq!(
        (run.stdout.as_str(), run.code),
        ("'The docstring.' True\n", Some(1))
    );
    assert!(run.stderr.contains("AssertionError: kept"));
    let run = ctx.run(&ctx.freeze_ok(["app.py", "-O"], "o1"), &[], b"");
    assert_eq!(
        (run.stdout.as_str(), run.code),
        ("'The docstring.' False\n", Some(0))
    );
    let run = ctx.run(&ctx.freeze_ok(["app.py", "-OO"], "o2"), &[], b"");
    assert_eq!((run.stdout.as_str(), run.code), ("None False\n", Some(0)));
}

#[test]
fn no_colour_or_progress_reaches_a_pipe() {
    let ctx = Ctx::with_files(&[(
        "app.py",
        "import argparse, json\ndef f():\n    import nope\n",
    )]);
    // Even a cold build long enough for progress, with a terminal-looking TERM.
    let out = ctx
        .freeze()
        .env("FREEZE_CACHE_DIR", ctx.path("cold-cache"))
        .env("TERM", "xterm-256color")
        .args(["app.py", "-o", "app"])
        .run();
    assert_eq!(out.code, Some(0));
    let err = out.stderr;
    assert!(!err.contains('\x1b') && !err.contains('\r'), "{err:?}");
    assert!(
        err.contains("warning: 1 module not found, imported inside functions or under a condition"),
        "{err}"
    );
    // -q keeps only errors.
    let out = ctx.freeze().args(["-q", "app.py", "-o", "app"]).run();
    assert!(
        out.code == Some(0) && out.stderr.is_empty(),
        "{}",
        out.stderr
    );
    // -v explains why each module is in.
    let err = ctx
        .freeze()
        .args(["-v", "app.py", "-o", "app"])
        .run()
        .stderr;
    assert!(err.contains("freeze: argparse (argparse.py) from <stdlib>/argparse.py: imported by __main__ at app.py:1"), "{err}");
}

#[test]
fn completions_are_generated() {
    let out = freeze_cmd(&["completions", "bash"]);
    assert_eq!(out.code, Some(0));
    let script = out.stdout;
    assert!(
        script.contains("--add-data") && script.contains("inspect"),
        "{script}"
    );
}

#[test]
fn inspect_reads_outputs_for_other_targets() {
    let ctx = Ctx::with_files(&[("app.py", "print('for a mac')\n")]);
    let fixture = repo_root().join("tests/fixtures/macho/hello-arm64");
    let app = ctx.freeze_ok(
        [
            "app.py",
            "--target",
            "aarch64-apple-darwin",
            "--stub",
            fixture.to_str().unwrap(),
        ],
        "app-mac",
    );
    let out = ctx.freeze().args(["inspect", "--json"]).arg(app).run();
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["executable"], "Mach-O arm64");
    assert_eq!(json["entry"], "__main__");
    let main = json_entry(&json["modules"], "name", "__main__");
    assert_eq!(main["origin"], "app.py");
}
