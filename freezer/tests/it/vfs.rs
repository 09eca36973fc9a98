//! The read-only virtual file system: files beside the code, reached through `__file__`,
//! are served from the payload by the ordinary file functions, and nothing else changes.

use std::path::PathBuf;

use crate::common::{Ctx, RunExt, traceback_summary};

/// A GNU gettext catalogue (`.mo`, little-endian) holding `pairs`, as msgfmt writes it.
fn mo_file(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut entries: Vec<(&str, &str)> = vec![("", "Content-Type: text/plain; charset=UTF-8\n")];
    entries.extend_from_slice(pairs);
    entries.sort();
    let n = entries.len() as u32;
    let ids_table = 28;
    let strs_table = ids_table + 8 * n;
    let mut text_at = strs_table + 8 * n;
    let (mut ids, mut strs, mut text) = (Vec::new(), Vec::new(), Vec::new());
    for column in [0, 1] {
        for entry in &entries {
            let s = if column == 0 { entry.0 } else { entry.1 };
            let table = if column == 0 { &mut ids } else { &mut strs };
            table.extend_from_slice(&(s.len() as u32).to_le_bytes());
            table.extend_from_slice(&text_at.to_le_bytes());
            text.extend_from_slice(s.as_bytes());
            text.push(0);
            text_at += s.len() as u32 + 1;
        }
    }
    let mut out = Vec::new();
    for word in [0x9504_12de_u32, 0, n, ids_table, strs_table, 0, 0] {
        out.extend_from_slice(&word.to_le_bytes());
    }
    out.extend(ids);
    out.extend(strs);
    out.extend(text);
    out
}

/// A program with a package holding data files (text, CRLF text, Latin-1 text, binary,
/// a nested data directory, a compiled gettext catalogue), a subpackage, a top-level
/// module, and `--add-data` files placed where CPython finds them beside the script;
/// `script` is the program, `src/app.py`. Returns the context and the script's path.
fn tree_with(script: &str) -> (Ctx, PathBuf) {
    let ctx = Ctx::new();
    ctx.write_files(&[
        ("src/pkg/__init__.py", ""),
        ("src/pkg/sub/__init__.py", ""),
        ("src/pkg/sub/leaf.py", ""),
        ("src/pkg/tool.py", ""),
        (
            "src/pkg/data/text.txt",
            "first line\nsecond é line\nthird\n",
        ),
        ("src/pkg/data/crlf.txt", "one\r\ntwo\r\n"),
    ]);
    ctx.write("src/pkg/data/latin1.txt", b"caf\xe9\n");
    ctx.write("src/pkg/data/blob.bin", [0u8, 1, 2, 254, 255]);
    ctx.write_files(&[
        ("src/pkg/data/nested/deep.txt", "deep\n"),
        ("src/pkg/data/nested/deeper/deepest.json", "{}\n"),
    ]);
    ctx.write(
        "src/pkg/locale/de/LC_MESSAGES/app.mo",
        mo_file(&[("Hello", "Hallo"), ("Bye", "Tschüss")]),
    );
    ctx.write_files(&[
        ("src/helper.py", ""),
        ("src/notes.txt", "a note\n"),
        ("src/static/config.ini", "[main]\nanswer = 42\n"),
    ]);
    let script = ctx.write("src/app.py", script);
    (ctx, script)
}

const READER: &str = r#"
import errno, glob, gettext, io, os, pathlib, pkgutil, stat, sys
import importlib.resources
import helper, pkg, pkg.sub, pkg.sub.leaf, pkg.tool

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.dirname(pkg.__file__)
DATA = os.path.join(PKG, "data")


def rel(path):
    return os.path.relpath(os.fsdecode(path), HERE)


def show(label, call):
    try:
        print(label, call())
    except OSError as e:
        print(label, type(e).__name__, errno.errorcode[e.errno], rel(e.filename))


print("files", rel(__file__), rel(pkg.__file__), [rel(p) for p in pkg.__path__], rel(pkg.sub.leaf.__file__))
print("spec", rel(pkg.__spec__.origin), [rel(p) for p in pkg.__spec__.submodule_search_locations])
print("sys.path[0]", sys.path[0] == HERE, rel(sys.path[0]), os.path.isfile(sys.executable))
print("meipass", rel(getattr(sys, "_MEIPASS", HERE)))

# open, in each read mode
with open(os.path.join(DATA, "text.txt"), encoding="utf-8") as f:
    print(f.mode, rel(f.name), f.readable(), f.writable(), f.seekable(), f.closed)
    print(repr(f.readline()), f.tell())
    print([line for line in f])
    f.seek(0)
    print(repr(f.read(5)), repr(f.read()))
print(f.closed)
with open(os.path.join(DATA, "crlf.txt"), newline="") as f:
    print(repr(f.read()))
with open(os.path.join(DATA, "crlf.txt"), encoding="utf-8") as f:
    print(repr(f.read()), repr(f.newlines))
with open(os.path.join(DATA, "latin1.txt"), encoding="latin-1") as f:
    print(repr(f.read()))
with open(os.path.join(DATA, "latin1.txt"), encoding="utf-8", errors="replace") as f:
    print(repr(f.read()))
with open(os.path.join(DATA, "blob.bin"), "rb") as f:
    print(f.mode, f.read(2), f.tell(), f.seek(-2, io.SEEK_END), f.read(), f.read(), f.writable())
with open(os.path.join(DATA, "blob.bin"), "rb", buffering=0) as f:
    print(f.read(1), f.read())
with io.open(os.fsencode(os.path.join(DATA, "blob.bin")), "rb") as f:
    print(type(f.name).__name__, rel(f.name), f.readlines())
with open(pathlib.Path(DATA) / "text.txt", "rt", encoding="utf-8") as f:
    print(f.readlines())
print(repr(open(os.path.join(PKG, "data", "nested", "..", "text.txt"), encoding="utf-8").read(5)))
show("missing", lambda: open(os.path.join(DATA, "nope.txt")))
show("directory", lambda: open(DATA))
show("below a file", lambda: open(os.path.join(DATA, "text.txt", "x")))
show("stat missing", lambda: os.stat(os.path.join(DATA, "nope")))
show("listdir file", lambda: os.listdir(os.path.join(DATA, "text.txt")))
show("listdir missing", lambda: os.listdir(os.path.join(DATA, "nope")))
show("scandir missing", lambda: os.scandir(os.path.join(DATA, "nope")))

# stat and os.path
for name in ["text.txt", "blob.bin", "nested", "nested/deeper/deepest.json"]:
    path = os.path.join(DATA, name)
    st = os.stat(path)
    size = st.st_size if stat.S_ISREG(st.st_mode) else "-"
    print(name, stat.S_ISDIR(st.st_mode), stat.S_ISREG(st.st_mode), size, os.lstat(path).st_size == st.st_size)
print(os.path.exists(DATA), os.path.isdir(DATA), os.path.isfile(DATA), os.path.exists(os.path.join(DATA, "nope")))
print(os.path.getsize(os.path.join(DATA, "blob.bin")), isinstance(os.path.getmtime(DATA), float))
print(os.path.islink(DATA), os.path.lexists(DATA), os.path.samefile(DATA, os.path.join(DATA, "nested", "..")))
print(os.access(os.path.join(DATA, "text.txt"), os.R_OK), os.access(os.path.join(DATA, "nope"), os.F_OK), os.access(os.path.join(DATA, "nested"), os.X_OK))

# listings
print(sorted(os.listdir(DATA)))
print(sorted(os.listdir(os.fsencode(os.path.join(DATA, "nested")))))
print(sorted(os.listdir(PKG)))
with os.scandir(DATA) as entries:
    for e in sorted(entries, key=lambda e: e.name):
        print(" ", e.name, rel(e.path), e.is_dir(), e.is_file(), e.is_symlink(), e.stat().st_size if e.is_file() else "-", os.fspath(e) == e.path)
print(sorted((rel(root), sorted(dirs), sorted(files)) for root, dirs, files in os.walk(DATA)))
print(sorted((rel(root), sorted(files)) for root, dirs, files in os.walk(PKG, topdown=False)))
print(sorted(rel(p) for p in glob.glob(os.path.join(DATA, "*.txt"))))
print(sorted(rel(p) for p in glob.iglob(os.path.join(PKG, "**", "*.json"), recursive=True)))
print(sorted(rel(p) for p in glob.glob(os.path.join(DATA, "n*", "*"))))
print(sorted(glob.glob("*.bin", root_dir=DATA)), glob.glob(os.path.join(DATA, "nope*")))

# pathlib
P = pathlib.Path(DATA)
print((P / "text.txt").read_text(encoding="utf-8").splitlines(), (P / "blob.bin").read_bytes())
with (P / "text.txt").open(encoding="utf-8") as f:
    print(f.readline().strip())
print(sorted(c.name for c in P.iterdir()))
print(sorted(str(c.relative_to(P)) for c in P.glob("*.txt")))
print(sorted(str(c.relative_to(P)) for c in P.rglob("*")))
print(P.exists(), P.is_dir(), (P / "text.txt").is_file(), (P / "nope").exists(), (P / "blob.bin").stat().st_size)
print(pathlib.Path(__file__).parent == pathlib.Path(HERE), (pathlib.Path(HERE) / "notes.txt").read_text())

# gettext
locale = os.path.join(PKG, "locale")
t = gettext.translation("app", localedir=locale, languages=["de"])
print(t.gettext("Hello"), t.gettext("Bye"), t.gettext("Unknown"))
print(rel(gettext.find("app", locale, ["fr", "de"])), gettext.find("app", locale, ["fr"]))

# data beside the script, and the module listings
print(open(os.path.join(HERE, "notes.txt")).read().strip(), open(os.path.join(HERE, "static", "config.ini")).read().split())
print([(m.name, m.ispkg) for m in pkgutil.iter_modules(pkg.__path__)])
print([(m.name, m.ispkg) for m in pkgutil.iter_modules(pkg.sub.__path__, "pkg.sub.")])
print([m.name for m in pkgutil.walk_packages(pkg.__path__, "pkg.")])
print(sorted(m.name for m in pkgutil.iter_modules() if m.name in ("app", "helper", "pkg")))
print(sorted(p.name for p in importlib.resources.files("pkg").iterdir()))
print(pkgutil.get_data("pkg", "data/blob.bin"), pkg.__spec__.loader.get_data(os.path.join(DATA, "nested", "deep.txt")))

# the real file system is untouched: relative paths, and '..' out of the program's tree
with open("real.txt", "w") as f:
    f.write("real\n")
print(open("real.txt").read().strip(), "real.txt" in os.listdir("."), os.path.isfile("real.txt"))
os.rename("real.txt", "real2.txt")
os.remove("real2.txt")
print(os.path.exists("real2.txt"), open(os.path.join(HERE, "..", "outside.txt")).read().strip())
"#;

#[test]
fn file_operations_on_bundled_files_match_cpython() {
    let (ctx, script) = tree_with(READER);
    ctx.write("outside.txt", "beside the program\n");
    let exe = ctx.freeze_ok(
        [
            "src/app.py",
            "--add-data",
            "src/notes.txt:.",
            "--add-data",
            "src/static:static",
        ],
        "app",
    );
    let (frozen, cpython) = ctx.compare(&exe, [&script]).both(&[], b"");
    assert_eq!(cpython.code, Some(0), "{}", cpython.stderr);
    assert_eq!(frozen, cpython);

    // Moved elsewhere with its sources gone, the binary reads the same bytes: nothing
    // was ever read from the source tree.
    let moved = ctx.path("moved");
    std::fs::create_dir(&moved).unwrap();
    std::fs::copy(&exe, moved.join("app")).unwrap();
    std::fs::write(moved.join("outside.txt"), "beside the program\n").unwrap();
    std::fs::remove_dir_all(ctx.path("src")).unwrap();
    assert_eq!(
        ctx.command(moved.join("app")).current_dir(&moved).run(),
        frozen
    );
}

#[test]
fn writes_under_the_root_fail_as_on_a_read_only_mount() {
    // CPython writes into a real package directory (and root may write anywhere), so
    // the frozen program is held to what a read-only mount answers: the errno the
    // kernel gives on such a mount, and the files unchanged.
    let (ctx, script) = tree_with(
        r#"
import errno, os, pathlib, sys
import pkg
DATA = os.path.join(os.path.dirname(pkg.__file__), "data")


def attempt(label, call):
    try:
        call()
        print(label, "done")
    except OSError as e:
        print(label, type(e).__name__, errno.errorcode[e.errno], e.strerror)


open("real.txt", "w").close()
attempt("open w", lambda: open(os.path.join(DATA, "new.txt"), "w"))
attempt("open a", lambda: open(os.path.join(DATA, "text.txt"), "a"))
attempt("open r+", lambda: open(os.path.join(DATA, "text.txt"), "r+"))
attempt("open wb", lambda: open(os.path.join(DATA, "text.txt"), "wb"))
attempt("open x existing", lambda: open(os.path.join(DATA, "text.txt"), "x"))
attempt("open w no dir", lambda: open(os.path.join(DATA, "nodir", "new.txt"), "w"))
attempt("open w dir", lambda: open(DATA, "w"))
attempt("write_text", lambda: pathlib.Path(DATA, "new.txt").write_text("x"))
attempt("touch", lambda: pathlib.Path(DATA, "text.txt").touch())
attempt("mkdir new", lambda: os.mkdir(os.path.join(DATA, "newdir")))
attempt("mkdir existing", lambda: os.mkdir(os.path.join(DATA, "nested")))
attempt("makedirs exist_ok", lambda: os.makedirs(os.path.join(DATA, "nested"), exist_ok=True))
attempt("makedirs new", lambda: os.makedirs(os.path.join(DATA, "a", "b")))
attempt("remove", lambda: os.remove(os.path.join(DATA, "text.txt")))
attempt("remove missing", lambda: os.remove(os.path.join(DATA, "nope")))
attempt("rmdir", lambda: os.rmdir(os.path.join(DATA, "nested")))
attempt("rename", lambda: os.rename(os.path.join(DATA, "text.txt"), os.path.join(DATA, "t.txt")))
attempt("rename into", lambda: os.replace("real.txt", os.path.join(DATA, "t.txt")))
attempt("chmod", lambda: os.chmod(os.path.join(DATA, "text.txt"), 0o644))
attempt("symlink", lambda: os.symlink("real.txt", os.path.join(DATA, "link")))
attempt("os.open write", lambda: os.open(os.path.join(DATA, "text.txt"), os.O_WRONLY))
print(os.access(os.path.join(DATA, "text.txt"), os.W_OK), os.access(DATA, os.W_OK))
print(open(os.path.join(DATA, "text.txt"), encoding="utf-8").readline().strip(), sorted(os.listdir(DATA)))
print(os.path.exists("real.txt"))
"#,
    );
    let exe = ctx.freeze_ok([script.as_os_str()], "app");
    let run = ctx.run(&exe, &[], b"");
    assert_eq!(
        (run.stdout.as_str(), run.stderr.as_str(), run.code),
        (
            "open w OSError EROFS Read-only file system\n\
             open a OSError EROFS Read-only file system\n\
             open r+ OSError EROFS Read-only file system\n\
             open wb OSError EROFS Read-only file system\n\
             open x existing FileExistsError EEXIST File exists\n\
             open w no dir FileNotFoundError ENOENT No such file or directory\n\
             open w dir IsADirectoryError EISDIR Is a directory\n\
             write_text OSError EROFS Read-only file system\n\
             touch OSError EROFS Read-only file system\n\
             mkdir new OSError EROFS Read-only file system\n\
             mkdir existing FileExistsError EEXIST File exists\n\
             makedirs exist_ok done\n\
             makedirs new OSError EROFS Read-only file system\n\
             remove OSError EROFS Read-only file system\n\
             remove missing FileNotFoundError ENOENT No such file or directory\n\
             rmdir OSError EROFS Read-only file system\n\
             rename OSError EROFS Read-only file system\n\
             rename into OSError EROFS Read-only file system\n\
             chmod OSError EROFS Read-only file system\n\
             symlink OSError EROFS Read-only file system\n\
             os.open write OSError EROFS Read-only file system\n\
             False False\n\
             first line ['blob.bin', 'crlf.txt', 'latin1.txt', 'nested', 'text.txt']\n\
             True\n",
            "",
            Some(0)
        )
    );
}

#[test]
fn an_uncaught_error_on_a_bundled_path_reads_as_in_cpython() {
    let (ctx, script) = tree_with(
        "import os, pkg\n\ndef load(name):\n    return open(os.path.join(os.path.dirname(pkg.__file__), name)).read()\n\nload('data/missing.txt')\n",
    );
    let exe = ctx.freeze_ok([script.as_os_str()], "app");
    let (frozen, cpython) = ctx.compare(&exe, [&script]).both(&[], b"");
    // The message names the file under each one's own tree; the frames are the same.
    let stderr = frozen.stderr.replace(
        &exe.display().to_string(),
        &ctx.path("src").display().to_string(),
    );
    let root = ctx.path("src");
    assert_eq!(
        traceback_summary(&stderr, &root),
        traceback_summary(&cpython.stderr, &root),
        "{}",
        frozen.stderr
    );
    assert_eq!(frozen.code, Some(1));
    assert!(!frozen.stderr.contains("<freeze"), "{}", frozen.stderr);
}

#[test]
fn pyinstaller_style_data_lookup_runs_unchanged() {
    let ctx = Ctx::with_files(&[
        ("src/assets/config.ini", "[main]\nanswer = 42\n"),
        ("src/assets/img/logo.svg", "<svg/>"),
    ]);
    let script = ctx.write(
        "src/app.py",
        "import os, sys\n\
         def resource_path(name):\n\
         \x20   base = getattr(sys, '_MEIPASS', os.path.dirname(os.path.abspath(__file__)))\n\
         \x20   return os.path.join(base, name)\n\
         print(open(resource_path('assets/config.ini')).read(), end='')\n\
         print(sorted(os.listdir(resource_path('assets'))), os.path.isdir(resource_path('assets/img')))\n",
    );
    let exe = ctx.freeze_ok(["src/app.py", "--add-data", "src/assets:assets"], "app");
    assert_eq!(
        ctx.compare(&exe, [&script]).assert_same(&[], b"").stdout,
        "[main]\nanswer = 42\n['config.ini', 'img'] True\n"
    );
}

/// Plugins found by listing their directory (`os.listdir` or `pkgutil`) and imported by
/// computed names, as plugin hosts do; `--include` bundles the plugin package.
#[test]
fn plugins_listed_from_their_directory_are_found() {
    let ctx = Ctx::with_files(&[
        ("src/host/__init__.py", ""),
        ("src/host/plugins/__init__.py", ""),
        ("src/host/plugins/alpha.py", "NAME = 'alpha'\n"),
        ("src/host/plugins/beta.py", "NAME = 'beta'\n"),
        ("src/host/plugins/gamma/__init__.py", "NAME = 'gamma'\n"),
        ("src/host/plugins/readme.txt", "not a plugin\n"),
    ]);
    let script = ctx.write(
        "src/app.py",
        "import importlib, os, pkgutil\n\
         import host.plugins as plugins\n\
         here = os.path.dirname(plugins.__file__)\n\
         names = sorted(n[:-3] for n in os.listdir(here) if n.endswith('.py') and n != '__init__.py')\n\
         print([importlib.import_module('host.plugins.' + n).NAME for n in names])\n\
         print([(m.name, m.ispkg) for m in pkgutil.iter_modules(plugins.__path__, plugins.__name__ + '.')])\n\
         print(importlib.import_module('host.plugins.gamma').NAME)\n",
    );
    let exe = ctx.freeze_ok(["src/app.py", "--include", "host.plugins"], "app");
    let frozen = ctx.compare(&exe, [&script]).assert_same(&[], b"");
    assert_eq!(
        frozen.stdout,
        "['alpha', 'beta']\n[('host.plugins.alpha', False), ('host.plugins.beta', False), ('host.plugins.gamma', True)]\ngamma\n"
    );
}

#[test]
fn mo_file_helper_writes_what_python_reads() {
    // The catalogue the tests build is read by CPython's own gettext.
    let ctx = Ctx::new();
    let mo = ctx.write("x.mo", mo_file(&[("a", "b")]));
    let script = ctx.write(
        "read.py",
        "import gettext, sys\nwith open(sys.argv[1], 'rb') as f:\n    print(gettext.GNUTranslations(f).gettext('a'))\n",
    );
    let run = ctx.python().arg(&script).arg(&mo).run();
    assert_eq!(
        (run.stdout.as_str(), run.code),
        ("b\n", Some(0)),
        "{}",
        run.stderr
    );
}
