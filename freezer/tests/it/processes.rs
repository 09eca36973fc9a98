//! Child processes started through `sys.executable`: multiprocessing (spawn, forkserver,
//! fork, its resource tracker) and concurrent.futures' process pool. A frozen program is
//! its own `sys.executable`; it must run exactly the helper each child is meant to run,
//! exactly as many times as CPython does, and never start copies of the whole program.
//! Every run has a hard time limit that kills its whole process group.
#![cfg(unix)]

use std::time::Duration;

use crate::common::{Ctx, Run, run_bounded};

/// Long enough for a pool of RustPython workers on a loaded 2-core machine; a program
/// that re-runs itself never finishes.
const LIMIT: Duration = Duration::from_secs(120);

/// The top level of every program here records each execution of the main module (as
/// `__main__` in the parent, `__mp_main__` where a child re-imports it) in this file.
const MARKER: &str = "import os as _os\n\
with open('runs.txt', 'a') as _f:\n    _f.write(__name__ + '\\n')\n";

/// What one interpreter did with a program: its output and the sorted executions of the
/// main module.
#[derive(Debug, PartialEq)]
struct Outcome {
    run: Run,
    runs: Vec<String>,
}

/// Run `cmd` under the time limit, then read its executions of the main module.
fn outcome(ctx: &Ctx, cmd: std::process::Command) -> Outcome {
    let (run, stopped) = run_bounded(cmd, LIMIT);
    assert!(
        !stopped,
        "still running after {LIMIT:?} (killed with its process group): it hangs or \
         starts copies of itself\n{run:?}"
    );
    let marks = ctx.path("runs.txt");
    let mut runs: Vec<String> = std::fs::read_to_string(&marks)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect();
    runs.sort();
    let _ = std::fs::remove_file(marks);
    Outcome { run, runs }
}

/// A program frozen from `body` (after the marker).
struct Program {
    ctx: Ctx,
    script: std::path::PathBuf,
    exe: std::path::PathBuf,
}

impl Program {
    fn new(name: &str, body: &str) -> Self {
        let ctx = Ctx::new();
        let script = ctx.write(&format!("src/{name}.py"), format!("{MARKER}{body}"));
        let exe = ctx.freeze_ok([script.as_os_str()], name);
        Program { ctx, script, exe }
    }

    /// Run the frozen program and CPython on it, each under the time limit; returns
    /// (frozen, cpython).
    fn both(&self, args: &[&str]) -> (Outcome, Outcome) {
        let mut cmd = self.ctx.command(&self.exe);
        cmd.args(args);
        let frozen = outcome(&self.ctx, cmd);
        let mut cmd = self.ctx.python();
        cmd.arg(&self.script).args(args);
        let cpython = outcome(&self.ctx, cmd);
        (frozen, cpython)
    }
}

fn both(name: &str, body: &str, args: &[&str]) -> (Outcome, Outcome) {
    Program::new(name, body).both(args)
}

/// The same output, status and executions of the main module as CPython.
fn same_as_cpython(name: &str, body: &str) -> Outcome {
    let (frozen, cpython) = both(name, body, &[]);
    assert_eq!(frozen, cpython, "{name}: frozen differs from CPython");
    frozen
}

const WORKERS: &str = "\
def square(x):
    return x * x

def describe(q, n):
    q.put([n, __name__, sum(range(n))])
";

/// The workers, then a guarded main block made of `lines`, with `mp` imported.
fn main_program(lines: &[&str]) -> String {
    let mut source =
        format!("{WORKERS}if __name__ == '__main__':\n    import multiprocessing as mp\n");
    for line in lines {
        source += &format!("    {line}\n");
    }
    source
}

#[test]
fn rlock_starts_no_copy_of_the_program() {
    // A semaphore starts multiprocessing's resource tracker (`-c 'from
    // multiprocessing.resource_tracker import main;main(N)'`) under spawn and forkserver.
    let out = same_as_cpython(
        "rlock",
        "import multiprocessing\n\
         lock = multiprocessing.RLock()\n\
         with lock:\n    with lock:\n        print('locked twice')\n\
         print(multiprocessing.Lock().acquire(timeout=1))\n",
    );
    assert_eq!(out.runs, ["__main__"]);
    assert_eq!(out.run.stdout, "locked twice\nTrue\n");
}

#[test]
fn pool_with_spawn_gives_cpython_results() {
    let out = same_as_cpython(
        "spawnpool",
        &main_program(&[
            "ctx = mp.get_context('spawn')",
            "with ctx.Pool(2) as pool:",
            "    print(pool.map(square, range(10)))",
            "    print(sorted(pool.imap_unordered(square, [3, 1, 2])))",
            "    print(pool.apply(square, (12,)))",
            "    pool.close()",
            "    pool.join()",
        ]),
    );
    // Each spawned worker re-imports the main module as __mp_main__, as in CPython.
    assert_eq!(out.runs, ["__main__", "__mp_main__", "__mp_main__"]);
    assert!(out.run.stdout.starts_with("[0, 1, 4, 9"), "{:?}", out.run);
}

#[test]
fn pool_with_forkserver_gives_cpython_results() {
    let (frozen, cpython) = both(
        "forkpool",
        &main_program(&[
            "ctx = mp.get_context('forkserver')",
            "with ctx.Pool(2) as pool:",
            "    print(pool.map(square, range(6)))",
            "    pool.close()",
            "    pool.join()",
        ]),
        &[],
    );
    assert_eq!(frozen.run, cpython.run);
    // Python 3.14's fork server imports the main module once and its forks inherit it;
    // CPython 3.11's never passes it the main module, so each worker imports it.
    assert_eq!(frozen.runs, ["__main__", "__mp_main__"]);
    assert_eq!(cpython.runs, ["__main__", "__mp_main__", "__mp_main__"]);
}

#[test]
fn pool_with_fork_gives_cpython_results() {
    let out = same_as_cpython(
        "forkedpool",
        &main_program(&[
            "with mp.get_context('fork').Pool(2) as pool:",
            "    print(pool.map(square, range(6)))",
        ]),
    );
    assert_eq!(out.runs, ["__main__"]);
}

#[test]
fn pool_and_process_pool_with_the_default_start_method() {
    // The default start method differs (CPython 3.11: fork; the 3.14 library the runtime
    // uses: forkserver), so only results are compared, and the main module may run once
    // more, in the fork server, never more.
    let (frozen, cpython) = both(
        "defaultpool",
        &main_program(&[
            "from concurrent.futures import ProcessPoolExecutor",
            "with mp.Pool(2) as pool:",
            "    print(pool.map(square, range(8)))",
            "with ProcessPoolExecutor(max_workers=2) as ex:",
            "    print(list(ex.map(square, range(8))))",
        ]),
        &[],
    );
    assert_eq!(frozen.run, cpython.run);
    assert_eq!(cpython.runs, ["__main__"]);
    assert!(
        frozen.runs == ["__main__"] || frozen.runs == ["__main__", "__mp_main__"],
        "{:?}",
        frozen.runs
    );
}

#[test]
fn process_pool_executor_with_spawn_gives_cpython_results() {
    let (frozen, cpython) = both(
        "executor",
        &main_program(&[
            "from concurrent.futures import ProcessPoolExecutor",
            "with ProcessPoolExecutor(2, mp_context=mp.get_context('spawn')) as ex:",
            "    print(list(ex.map(square, range(10))))",
            "    print(ex.submit(square, 7).result())",
        ]),
        &[],
    );
    assert_eq!(frozen.run, cpython.run);
    // The executor starts spawn workers on demand (one or two here, as timing goes);
    // each re-imports the main module once.
    for runs in [&frozen.runs, &cpython.runs] {
        let workers = runs.iter().filter(|r| *r == "__mp_main__").count();
        assert!(
            runs[0] == "__main__" && runs.len() == workers + 1 && (1..=2).contains(&workers),
            "{runs:?}"
        );
    }
}

#[test]
fn process_and_queue_with_spawn() {
    let (frozen, cpython) = both(
        "mpqueue",
        &main_program(&[
            "mp.freeze_support()",
            "mp.set_start_method('spawn')",
            "q = mp.Queue()",
            "p = mp.Process(target=describe, args=(q, 5))",
            "p.start()",
            "print(q.get(timeout=60))",
            "p.join()",
            "print(p.exitcode)",
            "bad = mp.Process(target=square, args=('x',))",
            "bad.start(); bad.join()",
            "print(bad.exitcode)",
        ]),
        &[],
    );
    let (run, expected) = (&frozen.run, &cpython.run);
    assert_eq!((&run.stdout, run.code), (&expected.stdout, expected.code));
    assert_eq!(frozen.runs, cpython.runs);
    assert_eq!(frozen.runs, ["__main__", "__mp_main__", "__mp_main__"]);
    assert_eq!(run.stdout, "[5, '__mp_main__', 10]\n0\n1\n");
    // The failing child reports its exception as CPython's does (standard-library frames
    // are named differently, and their source lines are not bundled).
    fn ends(r: &Run) -> (Option<&str>, Option<&str>) {
        (r.stderr.lines().next(), r.stderr.lines().last())
    }
    assert_eq!(ends(run), ends(expected), "{}", run.stderr);
}

#[test]
fn the_programs_own_arguments_are_never_taken_for_a_child() {
    // Look-alikes of the helpers' command lines that are not exactly theirs belong to
    // the program, as they would under `python3 app.py ARGS`; freeze_support() leaves
    // them alone too.
    let program = Program::new(
        "args",
        "import multiprocessing, sys\nmultiprocessing.freeze_support()\nprint(sys.argv[1:])\n",
    );
    for args in [
        &["-c", "foo"][..],
        &["-c", "print('hello')"],
        &["-B", "-S", "-I", "-c", "import os; os.system('true')"],
        &["--multiprocessing-fork"],
        &["--multiprocessing-fork", "pipe_handle=x"],
        &["--multiprocessing-fork", "tracker_fd=3"],
        &["--multiprocessing-fork", "pipe_handle=3", "other=4"],
        &[
            "-c",
            "from multiprocessing.resource_tracker import main;main(3)",
            "extra",
        ],
        &[
            "-c",
            "from multiprocessing.resource_tracker import main;main(print('x'))",
        ],
        &[
            "-c",
            "from multiprocessing.forkserver import main; main(1, 2, open('f'))",
        ],
        &[
            "-c",
            "from multiprocessing.spawn import spawn_main; spawn_main(pipe_handle=3)",
        ],
        &["-X", "-c", "x"],
    ] {
        let (frozen, cpython) = program.both(args);
        assert_eq!(frozen, cpython, "arguments {args:?}");
        assert_eq!(frozen.runs, ["__main__"]);
    }
}

#[test]
fn spawn_children_of_a_module_entry_import_it_by_name() {
    // `freeze -m pkg.work`: the parent's __main__ has a spec, so children re-create it
    // with runpy.run_module from the payload, as `python3 -m pkg.work` does.
    let ctx = Ctx::with_files(&[("pkg/__init__.py", "")]);
    ctx.write(
        "pkg/work.py",
        format!(
            "{MARKER}{}",
            main_program(&[
                "with mp.get_context('spawn').Pool(2) as pool:",
                "    print(pool.map(square, range(5)))",
                "    pool.close()",
                "    pool.join()",
            ])
        ),
    );
    let exe = ctx.freeze_ok(["-m", "pkg.work"], "work");
    let frozen = outcome(&ctx, ctx.command(&exe));
    let mut cmd = ctx.python();
    cmd.args(["-m", "pkg.work"]);
    let cpython = outcome(&ctx, cmd);
    assert_eq!(frozen, cpython);
    assert_eq!(frozen.runs, ["__main__", "__mp_main__", "__mp_main__"]);
}

/// The parent's part of [`the_program_run_as_a_python_by_itself_runs_that_command`].
const RUNS_A_PYTHON: &str = r#"import subprocess, sys, helpermod
def show(*command, **kw):
    r = subprocess.run([sys.executable, *command], capture_output=True, text=True, timeout=60, **kw)
    print(command[0], r.returncode, repr(r.stdout))
    # The message after the interpreter's name (CPython's is its own path).
    print('  err:', [line.split(': ', 1)[-1] for line in r.stderr.strip().splitlines()[-1:]])
show('-c', 'print(1)')
show('-c', 'import sys, helpermod; print(sys.argv, __name__, helpermod.twice(21))', 'a', 'b')
show('-B', '-c', 'import sys; sys.exit(5)')
show('-m', 'helpermod', 'x', 'y')
show('tool.py', 'z')
show('-I', 'tool.py')
show('-', input='print("from stdin")')
show('-c', 'raise ValueError("boom")')
show('-m', 'no_such_module_here')
show('missing_script.py')
"#;

const HELPER: &str = "import sys\n\
def twice(n):\n    return n * 2\n\
if __name__ == '__main__':\n    print('helpermod main', sys.argv[1:], __name__)\n";

const TOOL: &str = "import sys\nprint('tool', sys.argv, __name__)\n";

#[test]
fn the_program_run_as_a_python_by_itself_runs_that_command() {
    // `subprocess.run([sys.executable, "-c", ...])`: in CPython a Python; in a frozen
    // program, started by the same program, the binary acts as one (bundled modules
    // importable), and the main module still runs exactly once.
    let ctx = Ctx::new();
    ctx.write("src/helpermod.py", HELPER);
    ctx.write("tool.py", TOOL);
    let script = ctx.write("src/runner.py", format!("{MARKER}{RUNS_A_PYTHON}"));
    let exe = ctx.freeze_ok([script.as_os_str()], "runner");
    let frozen = outcome(&ctx, ctx.command(&exe));
    let mut cmd = ctx.python();
    cmd.env("PYTHONPATH", ctx.path("src")).arg(&script);
    let cpython = outcome(&ctx, cmd);
    assert_eq!(
        (frozen.run.stdout.as_str(), &frozen.runs),
        (cpython.run.stdout.as_str(), &cpython.runs),
        "frozen differs from CPython:\n{}",
        frozen.run.stderr
    );
    assert_eq!(frozen.runs, ["__main__"]);
}

#[test]
fn the_program_started_by_itself_never_runs_itself_again() {
    // Every way a program can ask for "a Python" when it has none: never the program
    // again (which would ask again, without end); what cannot be run is status 2.
    let program = Program::new(
        "asker",
        "import subprocess, sys\n\
         if sys.argv[1:] == ['child-arg']:\n\
         \x20   print('relaunched')\n\
         \x20   raise SystemExit\n\
         for command in (['-i'], [], ['-u'], ['-X'], ['--help-env'], ['-c', 'import sys; print(sys.argv)', '-c']):\n\
         \x20   r = subprocess.run([sys.executable, *command], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)\n\
         \x20   print(command, r.returncode, r.stdout.strip(), r.stderr.strip().split(':')[-1:])\n\
         r = subprocess.run([sys.executable, '-V'], capture_output=True, text=True, timeout=60)\n\
         print(r.returncode, r.stdout.startswith('Python 3.'))\n\
         r = subprocess.run([sys.executable, 'child-arg'], capture_output=True, text=True, timeout=60)\n\
         print('relaunched', r.returncode, r.stdout.count('relaunched'))\n",
    );
    let (frozen, _) = program.both(&[]);
    let lines: Vec<&str> = frozen.run.stdout.lines().collect();
    let interactive = "2  [' no command, module or script (an interactive interpreter)']";
    assert_eq!(
        lines,
        [
            "['-i'] 2  [' option -i']",
            &format!("[] {interactive}"),
            &format!("['-u'] {interactive}"),
            "['-X'] 2  [' option -X without its argument']",
            "['--help-env'] 2  [' option --help-env']",
            "['-c', 'import sys; print(sys.argv)', '-c'] 0 ['-c', '-c'] ['']",
            "0 True",
            // An ordinary argument is still the program's own: it relaunches itself once.
            "relaunched 0 1",
        ],
        "{}",
        frozen.run.stderr
    );
    // The relaunched copy ran the main module; nothing else did.
    assert_eq!(frozen.runs, ["__main__", "__main__"]);
}
