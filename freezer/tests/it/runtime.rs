//! What a frozen program sees at run time: exit codes, tracebacks, sys attributes,
//! arguments, isolation from the environment, and refusal of a damaged payload.

use crate::common::{Ctx, Run, RunExt, SLEEPER, stub, traceback_summary};

/// Freeze a script, run both it and CPython, and compare stdout, stderr and status.
fn same_as_cpython(name: &str, source: &str, args: &[&str]) -> Run {
    Ctx::new()
        .compare_source(name, source)
        .assert_same(args, b"")
}

#[test]
fn exit_codes_match_cpython() {
    assert_eq!(same_as_cpython("end", "print('done')\n", &[]).code, Some(0));
    assert_eq!(
        same_as_cpython("exit3", "import sys\nsys.exit(3)\n", &[]).code,
        Some(3)
    );
    let run = same_as_cpython("exitmsg", "import sys\nsys.exit('bad input: 42')\n", &[]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (Some(1), "bad input: 42\n")
    );
    assert_eq!(
        same_as_cpython("exitnone", "raise SystemExit\n", &[]).code,
        Some(0)
    );
    // Output written without a newline is flushed at exit.
    let run = same_as_cpython(
        "flush",
        "import sys\nsys.stdout.write('no newline')\nsys.stderr.write('err')\n",
        &[],
    );
    assert_eq!(run.stdout, "no newline");
}

#[test]
fn uncaught_exception_traceback_names_relative_file_and_line() {
    let ctx = Ctx::with_files(&[("src/helper.py", "def fail(x):\n    return 1 / x\n")]);
    let (frozen, cpython) = ctx
        .compare_source(
            "crash",
            "import helper\n\ndef main():\n    helper.fail(0)\n\nmain()\n",
        )
        .both(&[], b"");
    assert_eq!(frozen.code, Some(1));
    let root = ctx.path("src");
    let ours = traceback_summary(&frozen.stderr, &root);
    assert_eq!(
        ours,
        traceback_summary(&cpython.stderr, &root),
        "stderr was:\n{}",
        frozen.stderr
    );
    assert!(
        ours.contains(&"  File \"helper.py\", line 2, in fail".to_owned()),
        "{ours:?}"
    );
    assert_eq!(ours.last().unwrap(), "ZeroDivisionError: division by zero");
}

#[cfg(unix)]
#[test]
fn keyboard_interrupt_dies_by_sigint_after_atexit() {
    let src = "import atexit\natexit.register(print, 'atexit ran')\nprint('working', flush=True)\nraise KeyboardInterrupt\n";
    let ctx = Ctx::new();
    let (frozen, cpython) = ctx.compare_source("interrupted", src).both(&[], b"");
    assert_eq!(frozen.signal, Some(2), "{frozen:?}");
    assert_eq!(
        (frozen.signal, &frozen.stdout),
        (cpython.signal, &cpython.stdout)
    );
    assert!(
        frozen.stderr.trim_end().ends_with("KeyboardInterrupt"),
        "{}",
        frozen.stderr
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_gives_keyboard_interrupt_and_status_130() {
    let ctx = Ctx::new();
    let exe = ctx.freeze_source("sleeper", SLEEPER);
    let mut child = ctx
        .command(&exe)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.as_mut().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line, "ready\n");
    unsafe_kill(child.id(), 2);
    let out = child.wait_with_output().unwrap();
    let run: Run = out.into();
    assert_eq!(run.signal, Some(2), "{run:?}");
    assert!(run.stderr.contains("KeyboardInterrupt"), "{}", run.stderr);
    // A shell reports death by SIGINT as 128 + 2.
    let status = ctx
        .command("sh")
        .arg("-c")
        .arg(format!(
            "{} & sleep 1; kill -INT $!; wait $!",
            exe.display()
        ))
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(130));
}

#[cfg(unix)]
fn unsafe_kill(pid: u32, sig: i32) {
    let status = std::process::Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn sys_attributes_and_arguments() {
    let ctx = Ctx::new();
    let exe = ctx.freeze_source("info",
        "import sys, os\nprint(sys.frozen)\nprint(sys.argv[1:])\nprint(sys.argv[0])\nprint(sys.executable == os.path.realpath(sys.argv[0]) or sys.executable)\nprint(__name__, __file__)\n",
    );
    let args = ["plain", "ünïcødé ✓", "--flag=x y", ""];
    let run = ctx.run(&exe, &args, b"");
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "True");
    assert_eq!(lines[1], "['plain', 'ünïcødé ✓', '--flag=x y', '']");
    assert_eq!(lines[2], exe.display().to_string());
    assert_eq!(lines[3], "True", "sys.executable names the binary");
    // The script lies at the virtual root: the executable's path used as a directory.
    assert_eq!(lines[4], format!("__main__ {}/info.py", exe.display()));
}

#[test]
fn isolated_from_environment_and_current_directory() {
    let ctx = Ctx::new();
    let src = "import json, sys\nprint(json.dumps({'a': 1}))\nprint(sys.path == [sys.executable])\nprint(sys.flags.isolated, sys.flags.no_site)\n";
    let exe = ctx.freeze_source("iso", src);
    let clean = ctx.run(&exe, &[], b"");
    assert_eq!(clean.code, Some(0), "{}", clean.stderr);
    assert_eq!(clean.stdout, "{\"a\": 1}\nTrue\n1 1\n");
    // A shadowing json.py in the working directory and on PYTHONPATH, a PYTHONHOME and a
    // PYTHONSTARTUP: none of them changes what the program imports or runs.
    let evil = "print('SHADOWED'); raise SystemExit(9)\n";
    ctx.write("json.py", evil);
    ctx.write("pp/json.py", evil);
    ctx.write("startup.py", evil);
    let steered = ctx
        .command(&exe)
        .env("PYTHONPATH", ctx.path("pp"))
        .env("PYTHONHOME", ctx.path("pp"))
        .env("PYTHONSTARTUP", ctx.path("startup.py"))
        .env("PYTHONSAFEPATH", "0")
        .env("PYTHONINSPECT", "1")
        .run();
    assert_eq!(steered, clean);
    assert!(!steered.stdout.contains("SHADOWED"));
}

#[test]
fn bare_stub_says_it_has_no_payload() {
    let run = Ctx::new().command(stub()).run();
    assert_eq!(run.code, Some(2));
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("no freeze payload"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"));
}

#[test]
fn damaged_payload_is_refused_with_one_line() {
    let ctx = Ctx::new();
    let exe = ctx.freeze_source("victim", "print('fine')\n");
    assert_eq!(ctx.run(&exe, &[], b"").stdout, "fine\n");
    let bytes = std::fs::read(&exe).unwrap();
    let at = bytes
        .windows(8)
        .rposition(|w| w == freeze_payload::MAGIC)
        .expect("payload magic in output");
    let cases: [(&str, usize, u8, &str); 3] = [
        (
            "body",
            at + freeze_payload::HEADER_LEN + 20,
            0x55,
            "damaged",
        ),
        ("format version", at + 8, 0x7f, "format version"),
        ("magic", at + 1, 0x01, "magic"),
    ];
    for (what, offset, xor, expect) in cases {
        let mut bad = bytes.clone();
        bad[offset] ^= xor;
        let path = ctx.path(&format!("bad-{}", what.replace(' ', "-")));
        std::fs::write(&path, &bad).unwrap();
        #[cfg(unix)]
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let run = ctx.run(&path, &[], b"");
        assert_eq!(run.code, Some(2), "{what}: {run:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{what}: {}", run.stderr);
        assert!(run.stderr.contains(expect), "{what}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
}

#[test]
fn traceback_shows_the_programs_own_source_lines_not_files_on_disk() {
    let ctx = Ctx::with_files(&[("src/helper.py", "def fail(x):\n    return 1 / x\n")]);
    let script = ctx.write(
        "src/crash.py",
        "import helper\n\ndef main():\n    helper.fail(0)\n\nmain()\n",
    );
    // A different helper.py where the program runs must not leak into the traceback.
    ctx.write("helper.py", "WRONG LINE 1\nWRONG LINE 2\n");
    let exe = ctx.freeze_ok([script.as_os_str()], "crash");
    let run = ctx.run(&exe, &[], b"");
    assert_eq!(run.code, Some(1));
    let expected = "\
Traceback (most recent call last):
  File \"crash.py\", line 6, in <module>
    main()
    ~~~~^^
  File \"crash.py\", line 4, in main
    helper.fail(0)
    ~~~~~~~~~~~^^^
  File \"helper.py\", line 2, in fail
    return 1 / x
           ~~^~~
ZeroDivisionError: division by zero
";
    assert_eq!(run.stderr, expected);

    let exe = ctx.freeze_ok([script.to_str().unwrap(), "--no-source"], "crash-nosrc");
    let run = ctx.run(&exe, &[], b"");
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.stderr,
        "Traceback (most recent call last):\n  File \"crash.py\", line 6, in <module>\n  File \"crash.py\", line 4, in main\n  File \"helper.py\", line 2, in fail\nZeroDivisionError: division by zero\n"
    );
    assert!(
        !std::fs::read(&exe)
            .unwrap()
            .windows(12)
            .any(|w| w == b"helper.fail(")
    );
}

#[cfg(target_os = "linux")]
#[test]
fn output_still_runs_after_strip() {
    let ctx = Ctx::new();
    let exe = ctx.freeze_source("stripped", "import json\nprint(json.dumps({'ok': True}))\n");
    for (flags, name) in [
        (&[][..], "s1"),
        (&["--strip-all"][..], "s2"),
        (&["--strip-debug"][..], "s3"),
    ] {
        let out = ctx.path(name);
        let status = std::process::Command::new("strip")
            .args(flags)
            .arg(&exe)
            .arg("-o")
            .arg(&out)
            .status()
            .expect("strip (binutils) is installed");
        assert!(status.success());
        let run = ctx.run(&out, &[], b"");
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (Some(0), "{\"ok\": true}\n"),
            "strip {flags:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn traceback_hides_the_import_machinery_as_cpython_does() {
    let ctx = Ctx::with_files(&[(
        "src/helper.py",
        "x = 1\nraise ValueError('boom at import')\n",
    )]);
    let (frozen, cpython) = ctx
        .compare_source("importer", "import helper\n")
        .both(&[], b"");
    let root = ctx.path("src");
    assert_eq!(
        traceback_summary(&frozen.stderr, &root),
        traceback_summary(&cpython.stderr, &root)
    );
    assert!(
        !frozen.stderr.contains("<frozen") && !frozen.stderr.contains("bootstrap"),
        "{}",
        frozen.stderr
    );
}

#[test]
fn warnings_from_an_import_name_the_importing_line_as_cpython_does() {
    // `stacklevel=2` at a module's top level points past the import system to the line
    // that imported it; DeprecationWarning is shown only when that line is in __main__.
    let ctx = Ctx::with_files(&[
        (
            "src/oldapi.py",
            "import warnings\nwarnings.warn('oldapi is deprecated', DeprecationWarning, stacklevel=2)\n",
        ),
        (
            "src/lib.py",
            "import warnings\nwarnings.warn('lib warns', UserWarning, stacklevel=2)\nimport oldapi\n",
        ),
    ]);
    let (frozen, cpython) = ctx
        .compare_source("warner", "import oldapi\nimport lib\nprint('done')\n")
        .both(&[], b"");
    // Code objects name files relative to their search root; CPython names the script
    // by the path it was given.
    let root = format!("{}/", ctx.path("src").display());
    assert_eq!(frozen.stdout, cpython.stdout);
    assert_eq!(frozen.stderr, cpython.stderr.replace(&root, ""));
    assert!(
        frozen
            .stderr
            .contains("warner.py:2: UserWarning: lib warns"),
        "{}",
        frozen.stderr
    );
}
