# Child processes that Python's own process machinery starts by running sys.executable.
#
# multiprocessing (spawn and forkserver start methods, the resource tracker) and
# concurrent.futures.ProcessPoolExecutor start helpers as `sys.executable FLAGS -c CODE`
# or, because sys.frozen is true, `sys.executable --multiprocessing-fork k=v ...`. In a
# frozen program sys.executable is the program itself: without this file it would run the
# whole program again with those arguments (and each copy would start more copies).
#
# Only the exact argument shapes the standard library writes are recognised; any other
# command line, even one with `-c`, is the program's own. Runs only when argv[1] starts
# with "-", so ordinary start-up never loads it.
#
# A program that runs `sys.executable` itself (`subprocess.run([sys.executable, "-c",
# code])`, `-m module`, `script.py`) wants a Python. When the parent is the same program
# (the runtime's FREEZE_PARENT_PROGRAM variable holds this payload's identity), such a
# command line is run as CPython would run it, with the bundled modules importable;
# interpreter options it cannot honour (no command, `-i`, ...) end with status 2. It is
# never the program again, so a program cannot start copies of itself without end.
import sys

# Interpreter flags as subprocess._args_from_interpreter_flags() writes them: a repeated
# letter flag (-O, -OO, -B, -S, -v, -b, -q, -d), the isolation flags, -W<opt>, -X <opt>.
_REPEATABLE = "OdBSvbq"
_SINGLE = ("-I", "-E", "-s", "-P")

# (module, function) pairs the standard library runs with `-c`.
_COMMANDS = {
    ("multiprocessing.resource_tracker", "main"),
    ("multiprocessing.forkserver", "main"),
    ("multiprocessing.spawn", "spawn_main"),
}

# Keyword arguments of the frozen form `--multiprocessing-fork k=v ...` (spawn.get_command_line).
_SPAWN_KEYS = {"pipe_handle", "parent_pid", "tracker_fd"}

_ONLY_AST = 0x400  # ast.PyCF_ONLY_AST, without importing ast.py


def _flags_end(args):
    """Index of the first argument after the leading interpreter flags."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in _SINGLE:
            i += 1
        elif len(arg) >= 2 and arg[0] == "-" and arg[1] in _REPEATABLE and arg[1:] == arg[1] * (len(arg) - 1):
            i += 1
        elif arg.startswith("-W") and len(arg) > 2:
            i += 1
        elif arg == "-X" and i + 1 < len(args):
            i += 2
        else:
            break
    return i


def _is_literal(node):
    kind = type(node).__name__
    if kind == "Constant":
        return True
    if kind in ("List", "Tuple", "Set"):
        return all(_is_literal(e) for e in node.elts)
    if kind == "Dict":
        return all(k is not None and _is_literal(k) for k in node.keys) and all(
            _is_literal(v) for v in node.values
        )
    if kind == "UnaryOp":
        return type(node.op).__name__ == "USub" and type(node.operand).__name__ == "Constant"
    return False


def _is_sys_argv_tail(node):
    # sys.argv[1:]
    if type(node).__name__ != "Subscript":
        return False
    value, index = node.value, node.slice
    return (
        type(value).__name__ == "Attribute"
        and value.attr == "argv"
        and type(value.value).__name__ == "Name"
        and value.value.id == "sys"
        and type(index).__name__ == "Slice"
        and index.upper is None
        and index.step is None
        and type(index.lower).__name__ == "Constant"
        and index.lower.value == 1
    )


def _known_command(code):
    """The (module, function) that `code` calls, if it is exactly one of the standard
    library's helper commands: [import sys;] from M import F; F(literals...)."""
    try:
        tree = compile(code, "<string>", "exec", _ONLY_AST)
    except (SyntaxError, ValueError):
        return None
    body = list(tree.body)
    imports_sys = False
    if body and type(body[0]).__name__ == "Import":
        names = body.pop(0).names
        if [(a.name, a.asname) for a in names] != [("sys", None)]:
            return None
        imports_sys = True
    if len(body) != 2 or type(body[0]).__name__ != "ImportFrom" or type(body[1]).__name__ != "Expr":
        return None
    imp, call = body[0], body[1].value
    if imp.level != 0 or len(imp.names) != 1 or imp.names[0].asname is not None:
        return None
    target = (imp.module, imp.names[0].name)
    if target not in _COMMANDS:
        return None
    if type(call).__name__ != "Call" or type(call.func).__name__ != "Name" or call.func.id != target[1]:
        return None
    if not all(_is_literal(a) for a in call.args):
        return None
    for keyword in call.keywords:
        value = keyword.value
        if not (_is_literal(value) or (imports_sys and keyword.arg is not None and _is_sys_argv_tail(value))):
            return None
    return target


def _spawn_kwargs(args):
    """The keyword arguments of `--multiprocessing-fork k=v ...`, or None."""
    kwargs = {}
    for arg in args:
        name, sep, value = arg.partition("=")
        if not sep or name not in _SPAWN_KEYS or name in kwargs:
            return None
        if value == "None":
            kwargs[name] = None
        elif value.isdigit():
            kwargs[name] = int(value)
        else:
            return None
    return kwargs if "pipe_handle" in kwargs else None


def _serve_main_from_payload(entry, get_code):
    """Children re-create the parent's __main__ as `__mp_main__`: multiprocessing runs the
    file at the parent's `__main__.__file__` (runpy.run_path). A frozen program's main
    module is the bundled entry, never a file on disk: run that instead."""
    import multiprocessing.spawn as spawn

    def fixup_main_from_path(main_path):
        current = sys.modules["__main__"]
        if getattr(current, "__file__", None) == main_path:
            return
        spawn.old_main_modules.append(current)
        # As runpy.run_path: a temporary module while the code runs, then a fresh one
        # holding a copy of its globals.
        running = type(sys)("__mp_main__")
        running.__dict__.update(
            __file__=main_path, __cached__=None, __loader__=None, __package__="", __spec__=None
        )
        saved = sys.modules.get("__mp_main__")
        sys.modules["__mp_main__"] = running
        try:
            exec(get_code(entry), running.__dict__)
        finally:
            if saved is None:
                sys.modules.pop("__mp_main__", None)
            else:
                sys.modules["__mp_main__"] = saved
        module = type(sys)("__mp_main__")
        module.__dict__.update(running.__dict__)
        sys.modules["__main__"] = sys.modules["__mp_main__"] = module

    spawn._fixup_main_from_path = fixup_main_from_path


def run_child(argv, entry, get_code, started_by_itself=False):
    """Run `argv` if it is a helper process of the standard library's process machinery,
    or an interpreter command line when the program started itself, and return True;
    return False, having done nothing, for any other command line."""
    if _run_helper(argv, entry, get_code):
        return True
    return started_by_itself and _run_as_interpreter(argv[1:])


def _run_helper(argv, entry, get_code):
    args = argv[1:]
    if args and args[0] == "--multiprocessing-fork":
        kwargs = _spawn_kwargs(args[1:])
        if kwargs is None:
            return False
        if entry == "__main__":
            _serve_main_from_payload(entry, get_code)
        from multiprocessing.spawn import spawn_main

        spawn_main(**kwargs)
        return True

    start = _flags_end(args)
    if start + 1 >= len(args) or args[start] != "-c":
        return False
    code, rest = args[start + 1], args[start + 2 :]
    target = _known_command(code)
    if target is None:
        return False
    if target[0] == "multiprocessing.spawn" and rest != ["--multiprocessing-fork"]:
        return False
    if target[0] == "multiprocessing.resource_tracker" and rest:
        return False
    # As `python -c CODE ARGS`: argv[0] is "-c", and the code runs in a bare __main__.
    sys.argv[:] = ["-c", *rest]
    if entry == "__main__" and target[0] != "multiprocessing.resource_tracker":
        _serve_main_from_payload(entry, get_code)
    exec(compile(code, "<string>", "exec"), sys.modules["__main__"].__dict__)
    return True


# CPython's options that take no value and change nothing a frozen child can honour
# differently (-u: the runtime's streams are line-buffered or unbuffered already).
_NO_VALUE = "bBdEIOPqRsSuv"


def _interpreter_command(args):
    """CPython's reading of a command line: ("c", code, rest), ("m", module, rest),
    ("script", path, rest), ("version", None, []), ("refuse", why, []), or None when the
    first argument is no option and no Python file (the program's own arguments)."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "-":
            return ("script", "-", args[i + 1 :])
        if arg == "--":
            i += 1
            break
        if not arg.startswith("-"):
            break
        if arg in ("-V", "--version"):
            return ("version", None, [])
        if arg.startswith("--"):
            return ("refuse", "option " + arg, [])
        for j, letter in enumerate(arg[1:], 1):
            if letter in _NO_VALUE:
                continue
            if letter in "cmWX":
                value = arg[j + 1 :]
                if not value:
                    i += 1
                    if i >= len(args):
                        return ("refuse", "option -" + letter + " without its argument", [])
                    value = args[i]
                if letter in "cm":
                    return (letter, value, args[i + 1 :])
                break
            return ("refuse", "option -" + letter, [])
        i += 1
    if i >= len(args):
        return ("refuse", "no command, module or script (an interactive interpreter)", [])
    path = args[i]
    if i == 0 and not path.endswith((".py", ".pyw")):
        return None
    return ("script", path, args[i + 1 :])


def _fail(message, status):
    sys.stderr.write("%s: %s\n" % (sys.executable, message))
    sys.stderr.flush()
    raise SystemExit(status)


def _run_as_interpreter(args):
    command = _interpreter_command(args)
    if command is None:
        return False
    kind, value, rest = command
    main = sys.modules["__main__"].__dict__
    if kind == "version":
        print("Python " + sys.version.split()[0])
    elif kind == "refuse":
        _fail(
            "a frozen program started by itself runs `-c CODE`, `-m MODULE` or a script "
            "as Python would, and cannot run this command line: " + value,
            2,
        )
    elif kind == "c":
        sys.argv[:] = ["-c", *rest]
        exec(compile(value, "<string>", "exec"), main)
    elif kind == "m":
        _run_module(value, rest, main)
    else:
        _run_script(value, rest, main)
    return True


def _run_script(path, rest, main):
    if path == "-":
        source, name = sys.stdin.buffer.read(), "<stdin>"
    else:
        import os

        name = path
        try:
            with open(path, "rb") as f:
                source = f.read()
        except OSError as e:
            _fail("can't open file %r: [Errno %d] %s" % (os.path.abspath(path), e.errno, e.strerror), 2)
        sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
        main["__file__"] = path
    sys.argv[:] = [path, *rest]
    exec(compile(source, name, "exec"), main)


def _run_module(name, rest, main):
    # As runpy._run_module_as_main, with the import system alone (runpy need not be bundled).
    bootstrap = sys.modules["_frozen_importlib"]
    spec = _find_spec(bootstrap, name)
    if spec is not None and spec.submodule_search_locations is not None:
        spec = _find_spec(bootstrap, name + ".__main__")
        if spec is None:
            _fail("No module named %s.__main__; '%s' is a package and cannot be directly executed" % (name, name), 1)
    if spec is None or spec.loader is None:
        _fail("No module named " + name, 1)
    code = spec.loader.get_code(spec.name)
    main.update(
        __file__=spec.origin,
        __cached__=None,
        __loader__=spec.loader,
        __package__=spec.parent,
        __spec__=spec,
    )
    sys.argv[:] = [spec.origin or name, *rest]
    exec(code, main)


def _find_spec(bootstrap, name):
    parent = name.rpartition(".")[0]
    path = None
    if parent:
        try:
            path = __import__(parent, fromlist=["__path__"]).__path__
        except (ImportError, AttributeError):
            return None
    return bootstrap._find_spec(name, path)
