# The frozen program's import machinery: every module and data file comes from the
# payload embedded in this executable. Runs once at start, before the entry module; it
# imports nothing beyond what the VM has already loaded, so start-up stays cheap.
#
# Every module's __file__ and every bundled data file lies under the virtual root, the
# executable's own path used as a directory; the file functions of posix/nt and _io are
# guarded as those modules are initialised, so that `open`, `os.stat`, `os.listdir`, … on
# those paths are served from the payload (runtime-stub/src/guard.rs, vfs.py).
import sys
import _codecs
import _freeze
from _frozen_importlib import ModuleSpec

_MODULE, _PACKAGE, _NAMESPACE = 0, 1, 2
_DIR = 0
ROOT = _freeze.root()
_SEP = "\\" if "nt" in sys.builtin_module_names else "/"


def _absolute(rel):
    """The path under the virtual root of a root-relative '/'-separated path."""
    if not rel:
        return ROOT
    return ROOT + _SEP + (rel.replace("/", _SEP) if _SEP != "/" else rel)


def _package_dir(origin):
    # "pkg/__init__.py" -> "pkg"; a package at the root of its search path -> "".
    return origin.rpartition("/")[0]


def _normalize(path):
    # Data paths are relative to a search root, "/"-separated: "pkg/data/x.txt".
    parts = []
    for part in str(path).replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/".join(parts)


class FrozenPath:
    """A file or directory of the program's bundled data (importlib.resources'
    Traversable protocol): read it, list it, join onto it. As a path (str, os.fspath) it
    names its place under the virtual root, which open() and os functions serve; it is
    not on disk, so importlib.resources.as_file() still makes a temporary copy for code
    that needs a real file."""

    def __init__(self, path=""):
        self._path = _normalize(path)

    @property
    def name(self):
        return self._path.rpartition("/")[2]

    def __repr__(self):
        return f"FrozenPath({self._path!r})"

    def __str__(self):
        return _absolute(self._path)

    __fspath__ = __str__

    def __eq__(self, other):
        return isinstance(other, FrozenPath) and other._path == self._path

    def __hash__(self):
        return hash(self._path)

    def joinpath(self, *descendants):
        path = self._path
        for part in descendants:
            path = f"{path}/{part}" if path else str(part)
        return FrozenPath(path)

    __truediv__ = joinpath

    def is_file(self):
        found = _freeze.node(self._path)
        return found is not None and found[0] != _DIR

    def is_dir(self):
        found = _freeze.node(self._path)
        return found is not None and found[0] == _DIR

    def exists(self):
        return self.is_file() or self.is_dir()

    def iterdir(self):
        entries = _freeze.list_dir(self._path)
        if entries is None:
            raise NotADirectoryError(20, "Not a directory", self._path)
        for name, _ in entries:
            yield self.joinpath(name)

    def read_bytes(self):
        data = _freeze.read(self._path)
        if data is None:
            raise FileNotFoundError(2, "No such file in the frozen program", str(self))
        return data

    def read_text(self, encoding=None, errors=None):
        return self.read_bytes().decode(encoding or "utf-8", errors or "strict")

    def open(self, mode="r", *args, **kwargs):
        import io

        if mode not in ("r", "rb", "rt"):
            raise ValueError(f"bundled data is read-only: open() mode {mode!r}")
        stream = io.BytesIO(self.read_bytes())
        if "b" in mode:
            return stream
        kwargs.setdefault("encoding", "utf-8")
        return io.TextIOWrapper(stream, *args, **kwargs)


_as_file_registered = False


def _register_as_file():
    """importlib.resources.as_file() on a bundled file makes a temporary copy of the same
    name, as for a package in a zip file: that is for code that needs a real file (a C library, another
    program). A bundled directory is given as its path under the virtual root, which
    persists and which Python code reads like any directory, as CPython gives a package
    directory on disk."""
    global _as_file_registered
    if _as_file_registered:
        return
    _as_file_registered = True
    import contextlib
    import pathlib
    from importlib.resources import _common

    @_common.as_file.register(FrozenPath)
    @contextlib.contextmanager
    def _(path):
        if path.is_dir():
            yield pathlib.Path(str(path))
        else:
            # Under its own name, as CPython gives the file itself (certifi.where()
            # ends in "cacert.pem"), in a private directory removed afterwards.
            import shutil
            import tempfile

            directory = tempfile.mkdtemp(prefix="freeze-")
            try:
                copy = pathlib.Path(directory, path.name)
                copy.write_bytes(path.read_bytes())
                yield copy
            finally:
                shutil.rmtree(directory, ignore_errors=True)


class _ResourceReader:
    def __init__(self, directory):
        self._dir = FrozenPath(directory)

    def files(self):
        _register_as_file()
        return self._dir

    # The older ResourceReader protocol, for code that still calls it.
    def open_resource(self, resource):
        return self._dir.joinpath(resource).open("rb")

    def resource_path(self, resource):
        raise FileNotFoundError(resource)

    def is_resource(self, name):
        return self._dir.joinpath(name).is_file()

    def contents(self):
        return (p.name for p in self._dir.iterdir()) if self._dir.is_dir() else iter(())


# CPython's default time-zone search path (configure's --with-tzpath) on every OS but
# Windows, where it is empty and zoneinfo falls back to the `tzdata` package.
_CPYTHON_TZPATH = "/usr/share/zoneinfo:/usr/lib/zoneinfo:/usr/share/lib/zoneinfo:/etc/zoneinfo"


def _default_tzpath():
    # RustPython's sysconfig records no TZPATH, so zoneinfo would search nowhere.
    # PYTHONTZPATH still wins: zoneinfo reads it before sysconfig, as in CPython.
    if sys.platform != "win32":
        import sysconfig

        sysconfig.get_config_vars().setdefault("TZPATH", _CPYTHON_TZPATH)


def _no_freeze_support(spawn):
    # The runtime runs multiprocessing's child processes before the program starts (see
    # reexec.py), so, as in an unfrozen CPython, freeze_support() has nothing to do; the
    # stdlib's frozen branch would take the program's own arguments for a child's.
    spawn.freeze_support = lambda: None
    # On Windows a frozen parent (sys.frozen) tells its spawn children nothing of its
    # __main__, counting on freeze_support() to have run the whole script in the child;
    # here the child re-creates __main__ from the payload (reexec.py) as an unfrozen
    # child re-runs the script, so the parent sends its main path as unfrozen CPython does.
    spawn.WINEXE = False


# Run just before a bundled module's code: settings that module reads at import time.
_BEFORE_EXEC = {"zoneinfo._tzpath": _default_tzpath}
# Run just after a bundled module's code, on the module.
_AFTER_EXEC = {"multiprocessing.spawn": _no_freeze_support}


# Built-in modules of the VM that CPython 3.11 does not have and that a frozen program
# must not find. `_wmi` (new in 3.12) asks WMI through COM for the Windows version, which
# aborts the process under wine (propsys.VariantToString is unimplemented there); without
# it `platform` asks sys.getwindowsversion() and `ver`, as CPython 3.11 does.
_ABSENT = frozenset({"_wmi"})


class FreezeImporter:
    """Finder and loader for the modules bundled into this executable."""

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        found = _freeze.lookup(fullname)
        if found is None:
            if fullname in _ABSENT:
                raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
            return None
        kind, origin = found
        if kind == _NAMESPACE:
            spec = ModuleSpec(fullname, cls, origin=None, is_package=True)
            spec.submodule_search_locations = [_absolute(origin)]
            return spec
        spec = ModuleSpec(
            fullname, cls, origin=_absolute(origin), is_package=kind == _PACKAGE
        )
        if kind == _PACKAGE:
            spec.submodule_search_locations = [_absolute(_package_dir(origin))]
        return spec

    @staticmethod
    def create_module(spec):
        module = type(sys)(spec.name)
        if spec.origin is not None:
            module.__file__ = spec.origin
        return module

    @staticmethod
    def exec_module(module):
        name = module.__spec__.name
        prepare = _BEFORE_EXEC.get(name)
        if prepare is not None:
            prepare()
        exec(_freeze.get_code(name), module.__dict__)
        adjust = _AFTER_EXEC.get(name)
        if adjust is not None:
            adjust(module)

    @classmethod
    def get_code(cls, fullname):
        return _freeze.get_code(fullname)

    @classmethod
    def get_source(cls, fullname):
        return _freeze.get_source(fullname)

    @classmethod
    def is_package(cls, fullname):
        found = _freeze.lookup(fullname)
        if found is None:
            raise ImportError(f"No module named {fullname!r}", name=fullname)
        return found[0] != _MODULE

    @staticmethod
    def get_data(path):
        """Bytes of a file, as CPython's file loaders read them: a path under the
        virtual root (`os.path.join(os.path.dirname(module.__file__), name)`) is served
        from the payload."""
        with open(path, "rb") as file:
            return file.read()

    @classmethod
    def get_resource_reader(cls, fullname):
        found = _freeze.lookup(fullname)
        if found is None or found[0] == _MODULE:
            return None
        kind, origin = found
        return _ResourceReader(origin if kind == _NAMESPACE else _package_dir(origin))

    @classmethod
    def find_distributions(cls, context=None):
        """importlib.metadata: the bundled `.dist-info` directories."""
        from importlib.metadata import Distribution

        class FrozenDistribution(Distribution):
            def __init__(self, directory):
                self._dir = FrozenPath(directory)

            def read_text(self, filename):
                data = _freeze.read(f"{self._dir._path}/{filename}")
                return None if data is None else data.decode("utf-8")

            def locate_file(self, path):
                return FrozenPath(path)

        def normalize(name):
            return name.lower().replace("-", "_").replace(".", "_")

        wanted = getattr(context, "name", None)
        for name, is_dir in _freeze.list_dir("") or ():
            if not (is_dir and name.endswith(".dist-info")):
                continue
            dist = FrozenDistribution(name)
            if wanted is None or normalize(dist.name or "") == normalize(wanted):
                yield dist


def _seed_linecache():
    # Tracebacks read source lines through linecache, which prefers a file on disk at
    # the same relative path; the payload's own source (or none) must win. Entries with
    # mtime None are never checked against the disk.
    import linecache

    for name, module in list(sys.modules.items()):
        spec = getattr(module, "__spec__", None)
        payload_name = spec.name if spec is not None else name
        if getattr(module, "__loader__", None) is not FreezeImporter:
            continue
        found = _freeze.lookup(payload_name)
        if found is None:
            continue
        origin = found[1]
        source = _freeze.get_source(payload_name) or ""
        lines = [line + "\n" for line in source.splitlines()]
        linecache.cache[origin] = (len(source), None, lines, origin)


_HIDDEN_FRAMES = (
    "<frozen importlib._bootstrap>",
    "<frozen importlib._bootstrap_external>",
    "<frozen importlib._bootstrap_freeze>",
    "<freeze vfs>",
)


def _without_import_machinery(tb):
    # As CPython does, a traceback does not show the frames of the import system itself.
    head = prev = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename not in _HIDDEN_FRAMES:
            if prev is None:
                head = tb
            else:
                prev.tb_next = tb
            prev = tb
        tb = tb.tb_next
    if prev is not None:
        prev.tb_next = None
    return head


def _clean_chain(exc, seen):
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        exc.__traceback__ = _without_import_machinery(exc.__traceback__)
        _clean_chain(exc.__context__, seen)
        exc = exc.__cause__


def _excepthook(exc_type, value, traceback, _hook=sys.excepthook):
    try:
        _seed_linecache()
        if isinstance(value, BaseException):
            traceback = _without_import_machinery(traceback)
            value.__traceback__ = traceback
            _clean_chain(value.__context__, {id(value)})
            _clean_chain(value.__cause__, {id(value)})
    except Exception:
        pass
    _hook(exc_type, value, traceback)


def _data_module():
    """`freeze_data`: files added with --add-data (and all bundled data), read-only."""
    module = type(sys)("freeze_data")
    module.__doc__ = "Files bundled into this frozen program (freeze --add-data)."

    def files():
        """The root of the bundled data, as an importlib.resources Traversable."""
        return FrozenPath("")

    def read_bytes(path):
        return FrozenPath(path).read_bytes()

    def read_text(path, encoding="utf-8", errors="strict"):
        return FrozenPath(path).read_text(encoding, errors)

    module.files, module.read_bytes, module.read_text = files, read_bytes, read_text
    module.FrozenPath = FrozenPath
    return module


def _search_codec(name):
    """codecs.lookup's search function until `encodings` is loaded.

    CPython imports `encodings` at start, which registers the search function that
    loads `encodings.<name>` for every codec not built in. The VM encodes UTF-8, Latin-1
    and ASCII natively, so the import waits for the first other codec asked for: then
    this function steps aside for the real one (the freezer always bundles `encodings`
    and every codec module in it)."""
    _codecs.unregister(_search_codec)
    try:
        import encodings
    except ImportError:
        return None
    return encodings.search_function(name)


_codecs.register(_search_codec)


def _path_hook(path):
    """sys.path_hooks: a finder for a directory under the virtual root, which lists the
    bundled modules there (pkgutil.iter_modules); ImportError for any other path."""
    return _freeze.vfs().FrozenPathFinder(path, FreezeImporter)


sys.meta_path.insert(0, FreezeImporter)
sys.path_hooks[:] = [_path_hook]
sys.path_importer_cache.clear()
# CPython-shaped, and harmless: the only entry is the virtual root (as `python app.py`
# puts the script's directory first); nothing from the environment or the working
# directory, and imports are answered by FreezeImporter before any path is looked at.
sys.path[:] = [ROOT]
# Programs written for PyInstaller find their data under sys._MEIPASS; here that is the
# virtual root, where --add-data files and package data lie.
sys._MEIPASS = ROOT
sys.modules["freeze_data"] = _data_module()
sys.excepthook = _excepthook


def prepare_main(entry):
    """Make `__main__` look as CPython leaves it for `python app.py` or `python -m mod`."""
    main = sys.modules["__main__"]
    namespace = main.__dict__
    if entry == "__main__":
        _, origin = _freeze.lookup(entry)
        namespace.update(
            __file__=_absolute(origin),
            __loader__=FreezeImporter,
            __spec__=None,
            __package__=None,
            __cached__=None,
        )
    else:
        package = entry.rpartition(".")[0]
        if package:
            __import__(package)
        spec = FreezeImporter.find_spec(entry)
        namespace.update(
            __file__=spec.origin,
            __loader__=FreezeImporter,
            __spec__=spec,
            __package__=package,
            __cached__=None,
        )
    return namespace
