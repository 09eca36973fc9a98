//! Reliability: atomic output under SIGKILL, isolation from each environment variable,
//! and run-time behaviour as CPython's (pipes, stdin, atexit, threads, signals,
//! subprocesses).

use std::time::Duration;

use crate::common::{Ctx, RunExt, SLEEPER, assert_contains};

#[cfg(target_os = "linux")]
#[test]
fn a_build_killed_mid_write_never_leaves_a_partial_output() {
    let ctx = Ctx::with_files(&[("app.py", "print('new')\n")]);
    // 64 MB of data makes the write long enough to be interrupted.
    let big: Vec<u8> = (0..64u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    ctx.write("big.bin", &big);
    ctx.write("old.py", "print('old')\n");
    let old = ctx.freeze_ok(["old.py"], "app");
    let old_bytes = std::fs::read(&old).unwrap();
    let mut outcomes = std::collections::BTreeSet::new();
    for delay_ms in [5u64, 40, 80, 120, 160, 240, 320, 480] {
        let mut child = ctx
            .freeze()
            .env("FREEZE_CACHE_DIR", ctx.path("cache"))
            .args(["app.py", "--add-data", "big.bin:.", "-o", "app"])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        let now = std::fs::read(ctx.path("app")).unwrap();
        // Either the old output, untouched, or the complete new one: never a mix.
        if now == old_bytes {
            outcomes.insert("old");
        } else {
            assert!(
                status.success(),
                "output changed although the build was killed"
            );
            let run = ctx.run(&ctx.path("app"), &[], b"");
            assert_eq!(run.stdout, "new\n", "a replaced output must be whole");
            outcomes.insert("new");
            std::fs::write(ctx.path("app"), &old_bytes).unwrap();
        }
    }
    assert!(
        outcomes.contains("old"),
        "no kill landed mid-build: {outcomes:?}"
    );
    // The next build removes what killed builds left behind, then succeeds.
    ctx.freeze_ok(["app.py"], "app");
    assert!(
        ctx.files_containing("freeze-tmp").is_empty(),
        "{:?}",
        ctx.files_containing("freeze-tmp")
    );
}

/// Each variable alone, then the shadowing files: none may change what runs.
#[test]
fn each_environment_variable_is_ignored() {
    let ctx = Ctx::new();
    let exe = ctx.freeze_source("probe",
        "import sys, json, warnings\nwarnings.warn('w')\nprint(json.dumps([1]), sys.path == [sys.executable], sys.flags.inspect, sys.flags.safe_path)\n",
    );
    let baseline = ctx.run(&exe, &[], b"");
    assert_eq!(baseline.code, Some(0), "{}", baseline.stderr);
    let evil = "print('SHADOWED'); raise SystemExit(9)\n";
    ctx.write("shadow/json.py", evil);
    ctx.write("startup.py", evil);
    let shadow = ctx.path("shadow");
    let shadow = shadow.to_str().unwrap();
    let startup = ctx.path("startup.py");
    let cases: &[(&str, &str)] = &[
        ("PYTHONPATH", shadow),
        ("PYTHONHOME", shadow),
        ("PYTHONSTARTUP", startup.to_str().unwrap()),
        ("PYTHONSAFEPATH", "0"),
        ("PYTHONINSPECT", "1"),
        ("PYTHONWARNINGS", "error"),
        ("PYTHONNOUSERSITE", "0"),
        ("PYTHONUSERBASE", shadow),
        ("PYTHONPLATLIBDIR", shadow),
        ("PYTHONVERBOSE", "1"),
        ("PYTHONDEBUG", "1"),
        ("PYTHONOPTIMIZE", "2"),
    ];
    for (var, value) in cases {
        assert_eq!(
            ctx.command(&exe).env(var, value).run(),
            baseline,
            "{var}={value} changed the program"
        );
    }
    // A json.py in the working directory, and beside the binary.
    ctx.write("json.py", evil);
    assert_eq!(
        ctx.command(&exe).run(),
        baseline,
        "json.py in the working directory"
    );
    std::fs::remove_file(ctx.path("json.py")).unwrap();
    ctx.write("bin/json.py", evil);
    std::fs::copy(&exe, ctx.path("bin/probe")).unwrap();
    assert_eq!(
        ctx.command(ctx.path("bin/probe"))
            .current_dir(ctx.path("bin"))
            .run(),
        baseline,
        "json.py beside the binary"
    );
}

#[cfg(unix)]
#[test]
fn closed_pipe_exits_quietly() {
    let ctx = Ctx::new();
    let exe = ctx.freeze_source("lines", "for i in range(200000):\n    print('line', i)\n");
    let out = ctx
        .command("sh")
        .arg("-c")
        .arg(format!("'{}' | head -n 1", exe.display()))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().next(),
        Some("line 0")
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "a closed pipe must not print a traceback"
    );
}

#[test]
fn large_stdin_and_binary_data() {
    let ctx = Ctx::new();
    let program = ctx.compare_source(
        "stdin",
        "import sys, hashlib\ndata = sys.stdin.buffer.read()\nprint(len(data), hashlib.sha256(data).hexdigest())\n",
    );
    let input: Vec<u8> = (0..20_000_000u32).map(|i| (i % 251) as u8).collect();
    program.assert_same(&[], &input);
}

#[test]
fn exception_in_atexit_handler_is_reported_and_ignored() {
    let ctx = Ctx::new();
    let (run, cpython) = ctx.compare_source("atexit_fail", "import atexit\ndef bad():\n    raise ValueError('in atexit')\natexit.register(bad)\natexit.register(print, 'second handler ran')\nprint('main done')\n").both(&[], b"");
    assert_eq!((&run.stdout, run.code), (&cpython.stdout, cpython.code));
    assert_contains(&run.stderr, "Exception ignored in atexit callback");
    assert!(
        run.stderr.trim_end().ends_with("ValueError: in atexit"),
        "{}",
        run.stderr
    );
}

#[test]
fn non_daemon_threads_are_joined_at_exit() {
    let ctx = Ctx::new();
    let src = "import threading, time\n\
               def worker(n):\n\
               \x20   time.sleep(0.2 + n / 10)\n\
               \x20   print('worker', n, 'done', flush=True)\n\
               for n in range(3):\n\
               \x20   threading.Thread(target=worker, args=(n,)).start()\n\
               print('main returns', flush=True)\n";
    ctx.write("src/threads.py", src);
    let frozen = ctx.assert_same_as_cpython(&["src/threads.py"], &[]);
    assert_eq!(frozen.stdout.lines().count(), 4);
}

#[cfg(unix)]
#[test]
fn sigterm_status_matches_cpython() {
    let ctx = Ctx::new();
    let exe = ctx.freeze_source("sleeper", SLEEPER);
    let script = ctx.path("src/sleeper.py");
    let py = format!("python3 '{}'", script.display());
    for (cmd, who) in [(format!("'{}'", exe.display()), "frozen"), (py, "cpython")] {
        let out = ctx
            .command("bash")
            .arg("-c")
            .arg(format!(
                "{cmd} & pid=$!; sleep 1; kill -TERM $pid; wait $pid; echo $?"
            ))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(text.lines().last(), Some("143"), "{who}: {text}");
    }
}

#[test]
fn subprocesses_and_relaunching_itself() {
    let ctx = Ctx::new();
    let src = "import subprocess, sys\n\
               if sys.argv[1:] == ['child']:\n\
               \x20   print('child frozen:', getattr(sys, 'frozen', False))\n\
               \x20   sys.exit(7)\n\
               r = subprocess.run([sys.executable, 'child'], capture_output=True, text=True)\n\
               print('parent saw', r.returncode, r.stdout.strip())\n\
               r = subprocess.run(['sh', '-c', 'echo from sh; exit 3'], capture_output=True, text=True)\n\
               print(r.returncode, r.stdout.strip())\n";
    let exe = ctx.freeze_source("relaunch", src);
    let run = ctx.run(&exe, &[], b"");
    assert_eq!(
        run.stdout, "parent saw 7 child frozen: True\n3 from sh\n",
        "{}",
        run.stderr
    );
}

/// `bash -c SCRIPT` with `freeze` as `$FREEZE` and this build's stub, in the temp dir.
#[cfg(unix)]
fn freeze_in_bash(ctx: &Ctx, script: &str) -> crate::common::Run {
    let mut cmd = ctx.command("bash");
    cmd.env("FREEZE", crate::common::freeze_bin())
        .env("FREEZE_STUB", crate::common::stub())
        .env("FREEZE_CACHE_DIR", ctx.path("cache"))
        .args(["-c", script]);
    let (run, stopped) = crate::common::run_bounded(cmd, Duration::from_secs(300));
    assert!(!stopped, "{script}: {run:?}");
    run
}

#[cfg(unix)]
#[test]
fn a_full_or_closed_stderr_or_stdout_never_panics() {
    let ctx = Ctx::with_files(&[("app.py", "import json\nprint(json.dumps([1]))\n")]);
    // A full stderr loses the messages, not the build.
    let run = freeze_in_bash(
        &ctx,
        r#""$FREEZE" -v app.py -o full 2>/dev/full; echo "status $?""#,
    );
    assert_eq!(run.stdout, "status 0\n", "{run:?}");
    assert_eq!(ctx.run(&ctx.path("full"), &[], b"").stdout, "[1]\n");
    // An error to a full stderr is still status 1.
    let run = freeze_in_bash(
        &ctx,
        r#""$FREEZE" missing.py -o x 2>/dev/full; echo "status $?""#,
    );
    assert_eq!(run.stdout, "status 1\n", "{run:?}");
    // A reader that goes away after one line: quiet, and the build completes.
    let run = freeze_in_bash(
        &ctx,
        r#""$FREEZE" -v app.py -o piped 2>&1 | head -1 >/dev/null; echo "status ${PIPESTATUS[0]}""#,
    );
    assert_eq!(run.stdout, "status 0\n", "{run:?}");
    assert_eq!(ctx.run(&ctx.path("piped"), &[], b"").stdout, "[1]\n");
    for command in [
        "--list-targets",
        "inspect piped",
        "inspect --json piped",
        "completions bash",
    ] {
        let run = freeze_in_bash(
            &ctx,
            &format!(
                r#""$FREEZE" {command} | head -c 1 >/dev/null; echo "status ${{PIPESTATUS[0]}}""#
            ),
        );
        assert_eq!(run.stdout, "status 0\n", "{command}: {run:?}");
        assert!(
            !run.stderr.contains("panicked"),
            "{command}: {}",
            run.stderr
        );
        let run = freeze_in_bash(
            &ctx,
            &format!(r#""$FREEZE" {command} >/dev/full; echo "status $?""#),
        );
        assert_eq!(run.stdout, "status 1\n", "{command} >/dev/full: {run:?}");
        assert_eq!(
            run.stderr,
            "error: cannot write to standard output: No space left on device (os error 28)\n",
            "{command}"
        );
    }
}
