# The read-only virtual file system a frozen program sees. Every bundled module's source
# file and every bundled data file lies under the executable's own path used as a
# directory (`/opt/tool/app/pkg/data.txt`, zipimport's precedent). Reads are served from
# the payload; nothing is extracted to disk; writes fail with EROFS, as on a read-only
# mount. At start the stub puts a `_freeze.PathGuard` in place of each native file
# function of posix/nt and _io (runtime-stub/src/guard.rs): a call on a path under the
# root comes to the function of the same role here, with the native function first; every
# other call goes to the native function untouched. This module is loaded on the first
# such call, so a program that never touches the root never runs it.
import sys
import _freeze
import _io
import errno

try:
    import posix as _native
except ImportError:
    import nt as _native

_WINDOWS = _native.__name__ == "nt"
ROOT = _freeze.root()
SEP = "\\" if _WINDOWS else "/"
_FS_ENCODING = sys.getfilesystemencoding()
_FS_ERRORS = sys.getfilesystemencodeerrors()

_S_IFDIR = 0o040000
_S_IFREG = 0o100000
_DIR, _FILE, _UNREADABLE = 0, 1, 2
_WRITE_FLAGS = (
    _native.O_WRONLY | _native.O_RDWR | _native.O_CREAT | _native.O_TRUNC | _native.O_APPEND
)


def _text(path):
    """`path` as str (bytes decoded as the file system does), and whether it was bytes."""
    path = _native.fspath(path)
    if isinstance(path, bytes):
        return path.decode(_FS_ENCODING, _FS_ERRORS), True
    return path, False


def _resolve(path):
    """`(relative, None)` for a path under the root — relative is '/'-separated, '' for
    the root — or `(None, real)` when '..' climbs out of it: the path the real file system
    should see then, normalised, of the same type as `path`."""
    text, was_bytes = _text(path)
    rest = text[len(ROOT) :]
    if _WINDOWS:
        rest = rest.replace("\\", "/")
    parts = []
    up = 0
    for part in rest.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            else:
                up += 1
        else:
            parts.append(part)
    if not up:
        return "/".join(parts), None
    head = ROOT.rsplit(SEP, up)[0] or SEP
    real = SEP.join([head.rstrip(SEP)] + parts) if parts else head
    return None, real.encode(_FS_ENCODING, _FS_ERRORS) if was_bytes else real


def relative(path):
    """The root-relative '/'-separated path of `path` when it lies under the root, else
    None. For the import machinery and the data APIs."""
    if not _freeze.under_root(path):
        return None
    rel, _ = _resolve(path)
    return rel


def _error(code, path):
    return OSError(code, _native.strerror(code), _native.fspath(path))


def _missing(rel, path):
    """FileNotFoundError, or NotADirectoryError when a parent on the way is a file."""
    parts = rel.split("/")
    for i in range(1, len(parts)):
        found = _freeze.node("/".join(parts[:i]))
        if found is None:
            break
        if found[0] != _DIR:
            return _error(errno.ENOTDIR, path)
    return _error(errno.ENOENT, path)


def _node(rel, path):
    found = _freeze.node(rel)
    if found is None:
        raise _missing(rel, path)
    if found[0] != _DIR and _text(path)[0].endswith(("/", SEP)):
        raise _error(errno.ENOTDIR, path)
    return found


_exe_stat = None


def _stat_result(found):
    # Times and owner are the executable's (the files are as old as the build that made
    # it); the device is 0, a file system of its own, so no real file shares an inode.
    global _exe_stat
    if _exe_stat is None:
        _exe_stat = _native.stat(ROOT)  # the root itself is the executable file
    kind, size, serial = found
    exe = _exe_stat
    if kind == _DIR:
        mode, nlink = _S_IFDIR | 0o555, 2
    else:
        mode, nlink = _S_IFREG | (0o444 if kind == _FILE else 0), 1
    times = {
        "st_atime": exe.st_atime,
        "st_mtime": exe.st_mtime,
        "st_ctime": exe.st_ctime,
        "st_atime_ns": exe.st_atime_ns,
        "st_mtime_ns": exe.st_mtime_ns,
        "st_ctime_ns": exe.st_ctime_ns,
    }
    fields = (mode, serial, 0, nlink, exe.st_uid, exe.st_gid, size)
    fields += (int(exe.st_atime), int(exe.st_mtime), int(exe.st_ctime))
    return _native.stat_result(fields, times)


# ---------------------------------------------------------------------------------------
# Reading: open, stat, access, listdir, scandir


class _Reader(_io.BytesIO):
    """A bundled file opened for reading in binary mode."""

    def __init__(self, data, name):
        super().__init__(data)
        self.name = name
        self.mode = "rb"

    def __repr__(self):
        return f"<_io.BufferedReader name={self.name!r}>"

    def writable(self):
        return False

    def write(self, data):
        raise _io.UnsupportedOperation("write")

    def writelines(self, lines):
        raise _io.UnsupportedOperation("write")

    def truncate(self, size=None):
        raise _io.UnsupportedOperation("truncate")

    def peek(self, size=0):
        return self.getbuffer()[self.tell() :].tobytes()

    def read1(self, size=-1):
        return self.read(size)


def _check_mode(mode, encoding, errors, newline, buffering):
    """CPython's `open()` argument checks; returns (writing, binary)."""
    if not isinstance(mode, str):
        raise TypeError(f"open() argument 'mode' must be str, not {type(mode).__name__}")
    modes = set(mode)
    if modes - set("axrwb+t") or len(mode) > len(modes):
        raise ValueError(f"invalid mode: '{mode}'")
    text, binary = "t" in modes, "b" in modes
    kinds = sum(c in modes for c in "xrwa")
    if text and binary:
        raise ValueError("can't have text and binary mode at once")
    if kinds > 1:
        raise ValueError("must have exactly one of create/read/write/append mode")
    if kinds == 0:
        raise ValueError(
            "Must have exactly one of create/read/write/append mode and at most one plus"
        )
    if binary:
        for value, what in ((encoding, "an encoding"), (errors, "an errors"), (newline, "a newline")):
            if value is not None:
                raise ValueError(f"binary mode doesn't take {what} argument")
    elif buffering == 0:
        raise ValueError("can't have unbuffered text I/O")
    return bool(modes & set("xwa+")), binary


def open(
    native,
    file,
    mode="r",
    buffering=-1,
    encoding=None,
    errors=None,
    newline=None,
    closefd=True,
    opener=None,
):
    rel, real = _resolve(file)
    if rel is None:
        return native(real, mode, buffering, encoding, errors, newline, closefd, opener)
    writing, binary = _check_mode(mode, encoding, errors, newline, buffering)
    found = _freeze.node(rel)
    if found is not None and found[0] == _DIR:
        raise _error(errno.EISDIR, file)
    if writing:
        if found is None:
            _parent_dir(rel, file)
        elif "x" in mode:
            raise _error(errno.EEXIST, file)
        raise _error(errno.EROFS, file)
    kind, _, _ = _node(rel, file)
    if kind == _UNREADABLE:
        raise _error(errno.EACCES, file)
    reader = _Reader(_freeze.read(rel), _native.fspath(file))
    if binary:
        return reader
    stream = _io.TextIOWrapper(reader, encoding, errors, newline)
    stream.mode = mode
    return stream


def open_code(native, path):
    rel, real = _resolve(path)
    if rel is None:
        return native(real)
    return open(None, path, "rb")


def stat(native, path, *, dir_fd=None, follow_symlinks=True):
    rel, real = _resolve(path)
    if rel is None:
        return native(real, dir_fd=dir_fd, follow_symlinks=follow_symlinks)
    return _stat_result(_node(rel, path))


def lstat(native, path, *, dir_fd=None):
    rel, real = _resolve(path)
    if rel is None:
        return native(real, dir_fd=dir_fd)
    return _stat_result(_node(rel, path))


def access(native, path, mode, *, dir_fd=None, effective_ids=False, follow_symlinks=True):
    rel, real = _resolve(path)
    if rel is None:
        return native(
            real, mode, dir_fd=dir_fd, effective_ids=effective_ids, follow_symlinks=follow_symlinks
        )
    found = _freeze.node(rel)
    if found is None:
        return False
    if mode & _native.W_OK:
        return False
    if mode & _native.X_OK and found[0] != _DIR:
        return False
    if mode & _native.R_OK and found[0] == _UNREADABLE:
        return False
    return True


def _entries(rel, path):
    entries = _freeze.list_dir(rel)
    if entries is None:
        _node(rel, path)
        raise _error(errno.ENOTDIR, path)
    return entries


def listdir(native, path="."):
    rel, real = _resolve(path)
    if rel is None:
        return native(real)
    names = [name for name, _ in _entries(rel, path)]
    if isinstance(_native.fspath(path), bytes):
        return [name.encode(_FS_ENCODING, _FS_ERRORS) for name in names]
    return names


class DirEntry:
    """An entry of a bundled directory, as `os.scandir` yields it."""

    __slots__ = ("name", "path", "_rel", "_is_dir")

    def __init__(self, name, path, rel, is_dir):
        self.name = name
        self.path = path
        self._rel = rel
        self._is_dir = is_dir

    def is_dir(self, *, follow_symlinks=True):
        return self._is_dir

    def is_file(self, *, follow_symlinks=True):
        return not self._is_dir

    def is_symlink(self):
        return False

    def is_junction(self):
        return False

    def stat(self, *, follow_symlinks=True):
        return _stat_result(_node(self._rel, self.path))

    def inode(self):
        return _freeze.node(self._rel)[2]

    def __fspath__(self):
        return self.path

    def __repr__(self):
        return f"<DirEntry {self.name!r}>"


class _ScandirIterator:
    def __init__(self, entries):
        self._entries = iter(entries)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._entries)

    def close(self):
        self._entries = iter(())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def scandir(native, path="."):
    rel, real = _resolve(path)
    if rel is None:
        return native(real)
    entries = _entries(rel, path)
    base = _native.fspath(path)
    if isinstance(base, bytes):
        sep = SEP.encode()
        prefix = base if base.endswith((b"/", sep)) else base + sep
        made = [
            DirEntry(
                name.encode(_FS_ENCODING, _FS_ERRORS),
                prefix + name.encode(_FS_ENCODING, _FS_ERRORS),
                f"{rel}/{name}" if rel else name,
                is_dir,
            )
            for name, is_dir in entries
        ]
    else:
        prefix = base if base.endswith(("/", SEP)) else base + SEP
        made = [
            DirEntry(name, prefix + name, f"{rel}/{name}" if rel else name, is_dir)
            for name, is_dir in entries
        ]
    return _ScandirIterator(made)


def readlink(native, path, *, dir_fd=None):
    rel, real = _resolve(path)
    if rel is None:
        return native(real, dir_fd=dir_fd)
    _node(rel, path)
    raise _error(errno.EINVAL, path)


def os_open(native, path, flags, mode=0o777, *, dir_fd=None):
    rel, real = _resolve(path)
    if rel is None:
        return native(real, flags, mode, dir_fd=dir_fd)
    found = _freeze.node(rel)
    if flags & _WRITE_FLAGS:
        if found is not None and found[0] == _DIR:
            raise _error(errno.EISDIR, path)
        if found is None:
            _parent_dir(rel, path)
        elif flags & _native.O_CREAT and flags & _native.O_EXCL:
            raise _error(errno.EEXIST, path)
        raise _error(errno.EROFS, path)
    _node(rel, path)
    # A descriptor needs a real file; bundled files have none (see docs/limits.md).
    raise _error(errno.EOPNOTSUPP, path)


# ---------------------------------------------------------------------------------------
# Writing: refused as on a read-only mount, after the checks the kernel makes first.


def _parent_dir(rel, path):
    """Raise as the kernel would when the parent of a path to be created is missing."""
    parent = rel.rpartition("/")[0]
    found = _freeze.node(parent)
    if found is None:
        raise _missing(parent + "/x" if parent else "x", path)
    if found[0] != _DIR:
        raise _error(errno.ENOTDIR, path)


def _refuse(native, params, check, args, kwargs):
    """A call that changes the file system: for each path parameter under the root,
    `check(rel, path, position)` raises the error the kernel would give; a path that
    '..' leads out of the root is passed on normalised."""
    args = list(args)
    for pos, name in params:
        in_args = pos < len(args)
        path = args[pos] if in_args else kwargs.get(name)
        if path is None or not _freeze.under_root(path):
            continue
        rel, real = _resolve(path)
        if rel is None:
            if in_args:
                args[pos] = real
            else:
                kwargs[name] = real
            continue
        check(rel, path, pos)
    return native(*args, **kwargs)


def _refuse_change(rel, path, pos):
    """Removing or changing a file: it must exist (the source of a rename), or its
    directory must (the destination)."""
    if pos == 0:
        _node(rel, path)
    else:
        _parent_dir(rel, path)
    raise _error(errno.EROFS, path)


def _refuse_create(rel, path, pos):
    """Making a new file or directory (mkdir, the target of link and symlink)."""
    if _freeze.node(rel) is not None:
        raise _error(errno.EEXIST, path)
    _parent_dir(rel, path)
    raise _error(errno.EROFS, path)


_PATH = ((0, "path"),)


def change(native, *args, **kwargs):
    """remove, unlink, rmdir, chmod, chown, utime, truncate, …"""
    return _refuse(native, _PATH, _refuse_change, args, kwargs)


def rename(native, *args, **kwargs):
    """rename, replace"""
    return _refuse(native, ((0, "src"), (1, "dst")), _refuse_change, args, kwargs)


def create(native, *args, **kwargs):
    """mkdir, mkfifo, mknod"""
    return _refuse(native, _PATH, _refuse_create, args, kwargs)


def link(native, *args, **kwargs):
    """link, symlink: dst is made; symlink only stores src as text."""
    return _refuse(native, ((1, "dst"),), _refuse_create, args, kwargs)


# ---------------------------------------------------------------------------------------
# Windows: ntpath's isdir/isfile/exists are native functions of their own.


def _path_test(test):
    def check(native, path):
        rel, real = _resolve(path)
        if rel is None:
            return native(real)
        found = _freeze.node(rel)
        return found is not None and test(found[0])

    return check


path_isdir = _path_test(lambda kind: kind == _DIR)
path_isfile = _path_test(lambda kind: kind != _DIR)
path_exists = _path_test(lambda kind: True)
path_isfalse = _path_test(lambda kind: False)


# ---------------------------------------------------------------------------------------
# Listing bundled modules


_PACKAGE, _NAMESPACE = 1, 2


class FrozenPathFinder:
    """The path-entry finder for directories under the virtual root (`sys.path_hooks`):
    what `pkgutil.iter_modules(pkg.__path__)`, `pkgutil.iter_modules()` and
    `pkgutil.walk_packages` list, as CPython's FileFinder lists a directory."""

    def __init__(self, path, importer):
        rel = relative(path)
        found = None if rel is None else _freeze.node(rel)
        if found is None or found[0] != _DIR:
            raise ImportError("not a bundled directory", path=path)
        self.path = path
        self._rel = rel
        self._importer = importer

    def __repr__(self):
        return f"FrozenPathFinder({self.path!r})"

    def _origin_dir(self, fullname):
        found = _freeze.lookup(fullname)
        if found is None or found[0] == _NAMESPACE:
            return None
        kind, origin = found
        directory = origin.rpartition("/")[0]
        return directory.rpartition("/")[0] if kind == _PACKAGE else directory

    def find_spec(self, fullname, target=None):
        if self._origin_dir(fullname) != self._rel:
            return None
        return self._importer.find_spec(fullname)

    def invalidate_caches(self):
        pass

    def iter_modules(self, prefix=""):
        """`(prefix + name, ispkg)` of each module and regular package directly in
        this directory, sorted by file name (namespace packages are not listed, as in
        CPython)."""
        base = f"{self._rel}/" if self._rel else ""
        yielded = set()
        for name, is_dir in _freeze.list_dir(self._rel) or ():
            if is_dir:
                init = _freeze.node(f"{base}{name}/__init__.py")
                if "." in name or init is None or init[0] == _DIR:
                    continue
                modname, ispkg = name, True
            elif name.endswith(".py") and name != "__init__.py":
                modname, ispkg = name[:-3], False
            else:
                continue
            if "." not in modname and modname not in yielded:
                yielded.add(modname)
                yield prefix + modname, ispkg
