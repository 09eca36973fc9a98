# The frozen program's import machinery: every module comes from the payload embedded in
# this executable. Runs once at start, before the entry module.
import sys
import _freeze
from _frozen_importlib import ModuleSpec


def _package_dir(origin):
    # "pkg/__init__.py" -> "pkg"; a package at the root of its search path -> "".
    return origin.rpartition("/")[0]


class FreezeImporter:
    """Finder and loader for the modules bundled into this executable."""

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        found = _freeze.lookup(fullname)
        if found is None:
            return None
        is_package, origin = found
        spec = ModuleSpec(fullname, cls, origin=origin, is_package=is_package)
        if is_package:
            spec.submodule_search_locations = [_package_dir(origin)]
        return spec

    @staticmethod
    def create_module(spec):
        module = type(sys)(spec.name)
        module.__file__ = spec.origin
        return module

    @staticmethod
    def exec_module(module):
        exec(_freeze.get_code(module.__spec__.name), module.__dict__)

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
        return found[0]


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


def _excepthook(exc_type, value, traceback, _hook=sys.excepthook):
    try:
        _seed_linecache()
    except Exception:
        pass
    _hook(exc_type, value, traceback)


sys.meta_path.insert(0, FreezeImporter)
sys.excepthook = _excepthook
sys.path_hooks.clear()
sys.path_importer_cache.clear()


def prepare_main(entry):
    """Make `__main__` look as CPython leaves it for `python app.py` or `python -m mod`."""
    main = sys.modules["__main__"]
    namespace = main.__dict__
    if entry == "__main__":
        _, origin = _freeze.lookup(entry)
        namespace.update(
            __file__=origin,
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
