//! The runtime stub: the executable every frozen program starts as.
//!
//! At start it finds the payload `freeze` embedded in its own image, checks it, boots an
//! isolated RustPython interpreter whose only import source is that payload, and runs the
//! entry module as `__main__` with CPython's exit semantics.

use std::process::ExitCode;
use std::sync::OnceLock;

mod guard;
mod locate;
#[cfg(all(windows, target_env = "gnu"))]
mod mingw_tz;
mod tls;
mod tree;

use freeze_payload::Payload;
use rustpython_vm::{AsObject, Interpreter, PyResult, Settings, VirtualMachine, scope::Scope};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The validated payload, borrowed from the image the loader mapped.
static PAYLOAD: OnceLock<Payload<'static>> = OnceLock::new();

fn payload() -> &'static Payload<'static> {
    PAYLOAD
        .get()
        .expect("payload is set before the interpreter starts")
}

/// The mark by which `freeze` tells a runtime stub from any other executable.
#[used]
static STUB_MARK: [u8; 32] = freeze_payload::stub_mark();

/// Exit status for a binary that cannot run its payload (as CPython's usage errors).
const EXIT_BAD_PAYLOAD: u8 = 2;

/// The import machinery the frozen program sees, compiled when the stub is built.
fn bootstrap_code() -> rustpython_vm::frozen::FrozenCodeObject<&'static [u8]> {
    // The name marks its frames as the import system's ("importlib" and "_bootstrap"), as
    // CPython's own: `warnings.warn(..., stacklevel=2)` in an imported module skips them and
    // names the importing line, and tracebacks leave them out.
    rustpython_vm::py_compile!(
        file = "bootstrap.py",
        module_name = "<frozen importlib._bootstrap_freeze>"
    )
}
/// The compiler macro does not tell cargo about the file; this does, so an edit rebuilds.
const _BOOTSTRAP_SOURCE: &str = include_str!("bootstrap.py");

/// The recogniser of the standard library's helper processes (see reexec.py).
fn reexec_code() -> rustpython_vm::frozen::FrozenCodeObject<&'static [u8]> {
    rustpython_vm::py_compile!(file = "reexec.py", module_name = "<freeze reexec>")
}
const _REEXEC_SOURCE: &str = include_str!("reexec.py");

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".to_owned());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("fatal error: the freeze runtime failed{at}: {msg}");
        std::process::exit(70);
    }));

    #[cfg(all(windows, target_env = "gnu"))]
    mingw_tz::init();

    let exe_name = std::env::args_os()
        .next()
        .map(|a| a.to_string_lossy().into_owned())
        .unwrap_or_else(|| "runtime-stub".to_owned());
    let bytes = match locate::find_payload() {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            eprintln!(
                "error: {exe_name}: no freeze payload in this executable (a bare runtime stub runs nothing; build a program with `freeze app.py -o app`)"
            );
            return ExitCode::from(EXIT_BAD_PAYLOAD);
        }
        Err(err) => {
            eprintln!("error: {exe_name}: {err}");
            return ExitCode::from(EXIT_BAD_PAYLOAD);
        }
    };
    let payload = match Payload::parse(bytes) {
        Ok(payload) => payload,
        Err(err) => {
            eprintln!("error: {exe_name}: {err}");
            return ExitCode::from(EXIT_BAD_PAYLOAD);
        }
    };
    let entry = payload.manifest.entry.clone();
    let optimize = payload.manifest.optimize;
    let started_by_itself = mark_children(&payload, bytes.len());
    let _ = PAYLOAD.set(payload);

    tls::install_provider();
    let interp = build_interpreter(optimize);
    let result = interp.enter(|vm| run_main(vm, &entry, started_by_itself));
    let (keyboard_interrupt, broken_pipe) = interp.enter(|vm| {
        (
            vm.ctx.exceptions.keyboard_interrupt,
            vm.ctx.exceptions.broken_pipe_error,
        )
    });
    match result {
        Err(exc) if exc.fast_isinstance(broken_pipe) => {
            // `app | head -1`: the reader went away. Exit quietly, as command-line tools
            // do, instead of a traceback about a pipe nobody reads; stdout goes to
            // /dev/null so the final flush cannot complain either.
            silence_stdout();
            interp.finalize(None);
            ExitCode::from(1)
        }
        Err(exc) if exc.fast_isinstance(keyboard_interrupt) => {
            // As CPython: traceback, then atexit and the rest of finalisation, then die
            // by SIGINT so the parent sees the signal (status 130 in a shell).
            interp.enter(|vm| vm.print_exception(&exc));
            let code = interp.finalize(None);
            rustpython_vm::host_env::os::exit_code(interrupted(code))
        }
        result => {
            let code = interp.finalize(result.err());
            rustpython_vm::host_env::os::exit_code(code)
        }
    }
}

/// The environment variable through which a frozen program tells its children which
/// program started them (see reexec.py and docs/runtime.md).
const PARENT_VARIABLE: &str = "FREEZE_PARENT_PROGRAM";

/// Whether this process was started by a copy of the same program (the variable holds
/// this payload's identity); then mark this process's environment so its own children
/// can tell. Runs before any other thread exists.
fn mark_children(payload: &Payload, len: usize) -> bool {
    let identity = format!("{:08x}-{len}", payload.checksum);
    let by_itself = std::env::var_os(PARENT_VARIABLE).is_some_and(|v| v == *identity);
    // SAFETY: single-threaded: no other thread reads the environment yet.
    unsafe { std::env::set_var(PARENT_VARIABLE, &identity) };
    by_itself
}

/// Point stdout at the null device (`/dev/null`, Windows' `NUL`), so that a last flush to a
/// pipe nobody reads cannot fail.
fn silence_stdout() {
    #[cfg(any(unix, windows))]
    {
        let null = if cfg!(windows) { c"NUL" } else { c"/dev/null" };
        // SAFETY: plain descriptor calls on a path literal; failure leaves stdout as it was.
        unsafe {
            let fd = libc::open(null.as_ptr(), libc::O_WRONLY);
            if fd >= 0 {
                libc::dup2(fd, 1);
                libc::close(fd);
            }
        }
    }
}

/// The exit status after an uncaught `KeyboardInterrupt`, as CPython: on Unix the
/// process dies by SIGINT (what is returned is used only if that fails: 130, as a shell
/// reports it).
#[cfg(unix)]
fn interrupted(code: u32) -> u32 {
    use rustpython_vm::host_env::signal;
    if signal::set_sigint_default_onstack().is_ok() {
        let _ = signal::send_sigint_to_self();
    }
    code.max(130)
}

/// The exit status after an uncaught `KeyboardInterrupt`, as CPython on Windows:
/// STATUS_CONTROL_C_EXIT.
#[cfg(windows)]
fn interrupted(_code: u32) -> u32 {
    0xC000_013A
}

#[cfg(not(any(unix, windows)))]
fn interrupted(code: u32) -> u32 {
    code.max(130)
}

fn build_interpreter(optimize: u8) -> Interpreter {
    let mut settings = Settings::default();
    settings.isolated = true;
    settings.ignore_environment = true;
    settings.import_site = false;
    settings.user_site_directory = false;
    settings.safe_path = true;
    settings.write_bytecode = false;
    settings.utf8_mode = 1;
    settings.optimize = optimize;
    settings.allow_external_library = false;
    settings.path_list = Vec::new();
    settings.argv = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    if settings.argv.is_empty() {
        settings.argv.push(String::new());
    }

    let executable = std::env::current_exe()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    guard::set_root(executable.clone());

    let builder = Interpreter::builder(settings);
    let mut defs = rustpython_stdlib::stdlib_module_defs(&builder.ctx);
    defs.push(freeze_runtime::module_def(&builder.ctx));
    defs.extend(guard::guarded_module_defs(&builder.ctx));
    builder
        .add_native_modules(&defs)
        .init_hook(move |vm| {
            // Nothing of the build machine or the environment leaks into the import path:
            // getpath derives a prefix and stdlib directory; clear both.
            let state = rustpython_vm::common::rc::PyRc::get_mut(&mut vm.state)
                .expect("interpreter state is not yet shared during init hooks");
            let paths = &mut state.config.paths;
            paths.module_search_paths.clear();
            paths.stdlib_dir = None;
            paths.executable = executable.clone();
            paths.base_executable = executable;
        })
        .build()
}

/// Install the payload importer, prepare `__main__`, and run the entry's code in it.
fn run_main(vm: &VirtualMachine, entry: &str, started_by_itself: bool) -> PyResult<()> {
    let sys = vm.sys_module.clone();
    sys.set_attr("frozen", vm.ctx.true_value.clone(), vm)?;

    let code = rustpython_vm::builtins::PyCode::new_ref_from_frozen(vm, bootstrap_code());
    let boot_scope = vm.new_scope_with_builtins();
    vm.run_code_obj(code, boot_scope.clone())?;
    // Creates `__main__` and registers it in sys.modules; prepare_main fills it in.
    vm.new_scope_with_main()?;
    if run_helper_process(vm, entry, started_by_itself)? {
        return Ok(());
    }
    let prepare = boot_scope.globals.get_item("prepare_main", vm)?;
    let globals = prepare.call((entry.to_owned(),), vm)?;
    let globals = globals
        .downcast::<rustpython_vm::builtins::PyDict>()
        .map_err(|_| vm.new_runtime_error("prepare_main returned no dict"))?;

    let code = freeze_runtime::code_of(vm, entry)?;
    vm.run_code_obj(code, Scope::with_builtins(None, globals, vm))?;
    Ok(())
}

/// Whether this process is a helper that the standard library's process machinery started
/// by running `sys.executable` (multiprocessing's spawn and forkserver children, its
/// resource tracker), or, when the program started itself, an interpreter command line
/// (`-c`, `-m`, a script): if so it has been run, and the program's entry must not be.
fn run_helper_process(vm: &VirtualMachine, entry: &str, started_by_itself: bool) -> PyResult<bool> {
    // Every helper's command line starts with an option; anything else is the program's
    // own (unless it started itself), and costs nothing more than this check.
    let argv: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    if !started_by_itself && !argv.get(1).is_some_and(|arg| arg.starts_with('-')) {
        return Ok(false);
    }
    let code = rustpython_vm::builtins::PyCode::new_ref_from_frozen(vm, reexec_code());
    let scope = vm.new_scope_with_builtins();
    vm.run_code_obj(code, scope.clone())?;
    let run_child = scope.globals.get_item("run_child", vm)?;
    let get_code = vm.import("_freeze", 0)?.get_attr("get_code", vm)?;
    let sys_argv = vm.sys_module.get_attr("argv", vm)?;
    let handled = run_child.call(
        (sys_argv, entry.to_owned(), get_code, started_by_itself),
        vm,
    )?;
    handled.is_true(vm)
}

#[rustpython_vm::pymodule(name = "_freeze", with(guard::guard, tree::tree_functions))]
mod freeze_runtime {
    use super::payload;
    use rustpython_vm::{
        PyRef, PyResult, VirtualMachine,
        builtins::{PyCode, PyUtf8StrRef},
        frozen::FrozenCodeObject,
    };

    /// `(kind, origin)` of a bundled module (kind 0 module, 1 package, 2 namespace
    /// package), or None. The origin is relative to the virtual root.
    #[pyfunction]
    fn lookup(name: PyUtf8StrRef) -> Option<(u8, String)> {
        let module = payload().module(name.as_str())?;
        Some((u8::from(module.kind), module.origin.clone()))
    }

    /// The virtual root every bundled file lies under: the executable's own path.
    #[pyfunction]
    fn root() -> &'static str {
        super::guard::root()
    }

    /// The kept source of a bundled module, or None.
    #[pyfunction]
    fn get_source(name: PyUtf8StrRef) -> Option<&'static str> {
        let payload = payload();
        payload.source(payload.module(name.as_str())?)
    }

    /// The code object of a bundled module.
    #[pyfunction]
    fn get_code(name: PyUtf8StrRef, vm: &VirtualMachine) -> PyResult<PyRef<PyCode>> {
        code_of(vm, name.as_str())
    }

    pub(super) fn code_of(vm: &VirtualMachine, name: &str) -> PyResult<PyRef<PyCode>> {
        let payload = payload();
        let module = payload.module(name).ok_or_else(|| {
            vm.new_import_error(
                format!("No module named '{name}' in the frozen program"),
                vm.ctx.new_str(name),
            )
        })?;
        let bytes = payload.code(module);
        // The VM-aware constant bag: frozenset constants need the VM to be built.
        Ok(PyCode::new_ref_from_frozen(vm, FrozenCodeObject { bytes }))
    }
}
