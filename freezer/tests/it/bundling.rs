//! What gets bundled beyond the imports a program names: every codec, whole
//! distributions (modules found by computed names, package data), the installed plugins
//! of a bundled host, the tzdata of zoneinfo, and compiled extensions behind a flag set
//! by a guarded import. Each frozen program is compared with CPython.

use std::path::Path;

use crate::common::{Ctx, RunExt, assert_contains, json_entry, traceback_summary};

/// The venv with `freezer/tests/venvs/bundling.txt` installed, made once and kept between
/// runs.
fn venv() -> &'static Path {
    crate::common::venv("bundling")
}

/// The `key` of each entry of the JSON array `list`.
fn names<'r>(list: &'r serde_json::Value, key: &str) -> Vec<&'r str> {
    let entries = list.as_array().unwrap();
    entries.iter().map(|e| e[key].as_str().unwrap()).collect()
}

/// The whole-distribution entry of a report for `name`, if any.
fn whole<'r>(report: &'r serde_json::Value, name: &str) -> Option<&'r str> {
    report["whole_distributions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["distribution"] == name)
        .map(|w| w["because"].as_str().unwrap())
}

/// Codecs whose frozen results differ from CPython 3.11's, with the reason. The test
/// asserts that they still differ, so it fails (and this list shrinks) when one starts
/// to agree.
const KNOWN_DIFFERENT_CODECS: &[(&str, &str)] = &[
    (
        "idna",
        "RustPython ships Python 3.14's encodings.idna, which raises UnicodeEncodeError where 3.11 raises UnicodeError",
    ),
    (
        "punycode",
        "RustPython ships Python 3.14's encodings.punycode, which raises UnicodeDecodeError where 3.11 raises UnicodeError",
    ),
];

#[test]
fn every_codec_encodes_and_decodes_as_in_cpython() {
    let ctx = Ctx::new();
    // Every codec CPython 3.11 knows by name: the targets of encodings.aliases and the
    // codec modules of its encodings package.
    let names = ctx
        .python()
        .args([
            "-c",
            "import encodings, encodings.aliases, pkgutil\n\
             names = set(encodings.aliases.aliases.values())\n\
             names |= {m.name for m in pkgutil.iter_modules(encodings.__path__)} - {'aliases'}\n\
             print(sorted(names))",
        ])
        .run();
    let names = names.stdout;
    let program = format!(
        r#"import codecs
NAMES = {names}
TEXTS = ["hello", "\xe9\u20ac", "\u65e5\u672c\u8a9e", "\u041f\u0440\u0438\u0432\u0435\u0442", "a\udcff"]
DATA = [b"hello", b"\xe9\x80\xff", bytes(range(0x80, 0x90)), b"+AOkgrA-", b"aGVsbG8=\n", b"\x1b$B\x46\x7c\x1b(B"]

def show(f, x):
    try:
        return repr(f(x))
    except Exception as e:
        return type(e).__name__

for name in NAMES:
    try:
        codecs.lookup(name)
    except LookupError:
        print(name, "LookupError")
        continue
    print(name, "encode", *[show(lambda t: codecs.encode(t, name), t) for t in TEXTS + DATA[:1]])
    print(name, "decode", *[show(lambda d: codecs.decode(d, name), d) for d in DATA])
    print(name, "round", *[show(lambda t: codecs.decode(codecs.encode(t, name), name), t) for t in TEXTS])
print("é".encode("cp1252"), "é".encode("koi8-r", "replace"), "é€".encode("utf-16"))
"#
    );
    let app = ctx.write("codecs_app.py", program);
    let exe = ctx.freeze_ok(["codecs_app.py"], "app");
    let (frozen, cpython) = ctx.compare(&exe, [&app]).both(&[], b"");
    assert_eq!(
        (frozen.code, frozen.stderr.as_str()),
        (cpython.code, cpython.stderr.as_str())
    );
    let (frozen, cpython): (Vec<&str>, Vec<&str>) = (
        frozen.stdout.lines().collect(),
        cpython.stdout.lines().collect(),
    );
    assert_eq!(frozen.len(), cpython.len());
    assert!(frozen.len() > 300, "{} lines", frozen.len());
    let known = |line: &str| {
        let codec = line.split(' ').next().unwrap_or_default();
        KNOWN_DIFFERENT_CODECS
            .iter()
            .any(|(name, _)| *name == codec)
    };
    for (f, c) in frozen.iter().zip(&cpython) {
        if !known(c) {
            assert_eq!(f, c);
        }
    }
    for (codec, why) in KNOWN_DIFFERENT_CODECS {
        let differs = frozen
            .iter()
            .zip(&cpython)
            .any(|(f, c)| c.split(' ').next() == Some(codec) && f != c);
        assert!(
            differs,
            "{codec} now agrees with CPython ({why}): drop it from the list"
        );
    }
}

#[test]
fn standard_library_modules_loaded_by_name_come_along() {
    // Each of these loads a module no import statement names: _strptime (from the
    // native time and datetime), logging.handlers (a class named in a config dict),
    // xml.dom.minidom (the DOM registry), a dbm back end, _compat_pickle (from the native
    // pickle), xml.sax.expatreader, xml.etree.ElementPath, a codec.
    let ctx = Ctx::with_files(&[(
        "families.py",
        r#"import datetime, dbm, logging.config, os, pickle, tempfile, time, xml.dom, xml.sax
import xml.etree.ElementTree as ET
print(time.strptime("2024-02-29", "%Y-%m-%d")[:3])
print(datetime.datetime.strptime("2024-02-29 13:45", "%Y-%m-%d %H:%M"))
logging.config.dictConfig({"version": 1, "root": {"handlers": ["h"]},
    "handlers": {"h": {"class": "logging.handlers.MemoryHandler", "capacity": 10}}})
print(type(logging.getLogger().handlers[0]).__name__)
print(xml.dom.getDOMImplementation().createDocument(None, "root", None).documentElement.tagName)
with tempfile.TemporaryDirectory() as d:
    with dbm.open(os.path.join(d, "db"), "c") as db:
        db[b"k"] = b"v"
    with dbm.open(os.path.join(d, "db"), "r") as db:
        print(db[b"k"])
print(pickle.loads(pickle.dumps({"a": [1, 2]}, protocol=2)))
class Handler(xml.sax.ContentHandler):
    def startElement(self, name, attrs):
        print("start", name)
xml.sax.parseString(b"<a><b/></a>", Handler())
print([e.tag for e in ET.fromstring("<a><b/><c><b/></c></a>").findall(".//b")])
print("x".encode("utf-16-le"), b"\xe9".decode("cp1252"))
"#,
    )]);
    let frozen = ctx.assert_same_as_cpython(&["families.py"], &[]);
    assert!(
        frozen.stdout.ends_with("b'x\\x00' é\n"),
        "{}",
        frozen.stdout
    );
}

#[test]
fn the_runtime_brings_what_formatting_a_traceback_needs_and_not_the_helpers_lazy_imports() {
    // Exceptions of every shape, formatted by the runtime (uncaught) and by the program
    // through sys.excepthook: the program itself imports nothing but sys.
    let ctx = Ctx::with_files(&[
        (
            "raises.py",
            r#"import sys
import deep

class Thing:
    value = 1

def shapes():
    yield lambda: 1 / 0
    yield lambda: prnt("x")
    yield lambda: Thing().valeu
    yield lambda: compile("1 +\n", "<src>", "exec")
    yield lambda: {"a": {"b": 1}}["a"]["c"]
    yield lambda: "é" + 1
    yield deep.wrapped

for make in shapes():
    try:
        make()
    except Exception as e:
        sys.excepthook(type(e), e, e.__traceback__)
deep.fail()
"#,
        ),
        (
            "deep.py",
            "def wrapped():\n    try:\n        {}['k']\n    except KeyError as e:\n        raise RuntimeError('wrapped') from e\n\ndef fail():\n    raise ValueError('last')\n",
        ),
    ]);
    let exe = ctx.freeze_ok(["raises.py", "--report", "r.json"], "raises");
    let compare = ctx.compare(&exe, ["raises.py"]);
    let (frozen, cpython) = compare.both(&[], b"");
    assert_eq!(frozen.code, cpython.code);
    assert_eq!(
        traceback_summary(&frozen.stderr, ctx.dir.path()),
        traceback_summary(&cpython.stderr, ctx.dir.path()),
        "frozen:\n{}\ncpython:\n{}",
        frozen.stderr,
        cpython.stderr
    );
    for part in [
        "Did you mean: 'print'?",
        "Did you mean: 'value'?",
        "SyntaxError",
    ] {
        assert_contains(&frozen.stderr, part);
    }
    // The lazy imports of traceback itself come (ast for carets, difflib for
    // suggestions); those of the helpers it imports do not (heapq's doctest under
    // `if __name__ == "__main__":`, inspect's argparse in a function, os's subprocess).
    let report = ctx.read_json("r.json");
    let bundled = names(&report["modules"], "name");
    for wanted in [
        "traceback",
        "linecache",
        "ast",
        "difflib",
        "encodings.cp1252",
        "locale",
    ] {
        assert!(
            bundled.contains(&wanted),
            "{wanted} not bundled: {bundled:?}"
        );
    }
    for lazy in [
        "doctest",
        "unittest",
        "argparse",
        "subprocess",
        "pydoc",
        "asyncio",
    ] {
        assert!(!bundled.contains(&lazy), "{lazy} bundled: {bundled:?}");
    }
}

#[test]
fn imports_under_if_main_are_followed_in_the_entry_only() {
    let ctx = Ctx::with_files(&[
        (
            "main.py",
            "import helper\nif __name__ == '__main__':\n    import json\n    print(json.dumps(helper.f()))\n",
        ),
        (
            "helper.py",
            "def f():\n    return [1]\n\nif __name__ == '__main__':\n    import no_such_module_here\n    import this\n",
        ),
    ]);
    let freeze = ctx
        .freeze()
        .args(["main.py", "--report", "r.json", "-o", "app"])
        .run();
    assert_eq!(freeze.code, Some(0), "{}", freeze.stderr);
    // helper's self-test imports never run in the program: no warning, not bundled.
    assert!(
        !freeze.stderr.contains("no_such_module_here"),
        "{}",
        freeze.stderr
    );
    let report = ctx.read_json("r.json");
    let bundled = names(&report["modules"], "name");
    assert!(bundled.contains(&"json"), "{bundled:?}");
    assert!(!bundled.contains(&"this"), "{bundled:?}");
    let frozen = ctx
        .compare(&ctx.path("app"), ["main.py"])
        .assert_same(&[], b"");
    assert_eq!(frozen.stdout, "[1]\n");
}

#[test]
fn a_module_the_runtime_reaches_first_is_walked_whole_when_the_program_imports_it() {
    // `os` is reached from linecache before the walk gets down to level5, whose function
    // imports it: os.popen's own lazy import of subprocess must come.
    let mut files = vec![(
        "main.py".to_owned(),
        "import level1\nlevel1.go()\n".to_owned(),
    )];
    for i in 1..5 {
        files.push((
            format!("level{i}.py"),
            format!(
                "import level{}\ndef go():\n    level{}.go()\n",
                i + 1,
                i + 1
            ),
        ));
    }
    files.push((
        "level5.py".to_owned(),
        "def go():\n    import os\n    print(os.popen('echo deep').read().strip())\n".to_owned(),
    ));
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let ctx = Ctx::with_files(&files);
    let frozen = ctx.assert_same_as_cpython(&["main.py"], &[]);
    assert_eq!(frozen.stdout, "deep\n");
}

/// A `--path` directory holding an installed distribution with a RECORD, and one with
/// only top_level.txt.
fn write_distributions(ctx: &Ctx) {
    let files: &[(&str, &str)] = &[
        (
            "plugdist/__init__.py",
            "import importlib\n\ndef load(name):\n    return importlib.import_module('plugdist.' + name)\n",
        ),
        ("plugdist/plugins/__init__.py", ""),
        (
            "plugdist/plugins/alpha.py",
            "import json\nNAME = json.dumps({'alpha': 1})\n",
        ),
        (
            "plugdist/plugins/beta.py",
            "import textwrap\nNAME = textwrap.shorten('beta ' * 10, 12)\n",
        ),
        ("plugdist/legacy.py", "print 'a Python 2 file'\n"),
        (
            "plugdist/optional_dep.py",
            "import not_installed_anywhere\n",
        ),
        ("plugdist/fast.py", "from ._native import f\n"),
        (
            "plugdist/_native.cpython-311-x86_64-linux-gnu.so",
            "\x7fELF not really",
        ),
        ("plugdist/heavy/__init__.py", "NAME = 'heavy'\n"),
        ("plugdist/data/table.txt", "row 1\nrow 2\n"),
        ("nordist/__init__.py", ""),
        ("nordist/extra.py", "NAME = 'extra'\n"),
    ];
    let mut record = String::new();
    for (path, text) in files {
        ctx.write(&format!("site/{path}"), text);
        if path.starts_with("plugdist") {
            record.push_str(&format!("{path},sha256=x,{}\n", text.len()));
        }
    }
    // A Python 2 era file in Latin-1 without a coding cookie: unreadable as Python 3.
    ctx.write("site/plugdist/latin.py", b"# caf\xe9\nX = 1\n");
    record.push_str("plugdist/latin.py,sha256=x,15\n");
    record.push_str("plugdist-1.0.dist-info/RECORD,,\n../../bin/plugdist-tool,sha256=x,1\n");
    ctx.write("site/plugdist-1.0.dist-info/RECORD", record);
    ctx.write_files(&[
        (
            "site/plugdist-1.0.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: plugdist\nVersion: 1.0\n",
        ),
        (
            "site/nordist-2.0.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: nordist\nVersion: 2.0\n",
        ),
        ("site/nordist-2.0.dist-info/top_level.txt", "nordist\n"),
    ]);
}

#[test]
fn a_reached_distribution_is_bundled_whole() {
    let ctx = Ctx::new();
    write_distributions(&ctx);
    let app = ctx.write(
        "app.py",
        "import importlib, pkgutil, sys\n\
         import plugdist\n\
         import nordist\n\
         for name in sys.argv[1:]:\n\
         \x20   print(name, plugdist.load(name).NAME)\n\
         print(importlib.import_module('nordist.' + 'extra').NAME)\n\
         print(pkgutil.get_data('plugdist', 'data/table.txt').decode().split())\n\
         from importlib.metadata import version\n\
         print(version('plugdist'), version('nordist'))\n",
    );
    let freeze = ctx
        .freeze()
        .args(["app.py", "--path", "site", "--exclude", "plugdist.heavy"])
        .args(["--report", "r.json", "-v", "-o", "app"])
        .run();
    assert_eq!(freeze.code, Some(0), "{}", freeze.stderr);
    // Why each distribution is whole, in -v and in the report.
    let why = "module plugdist was imported by __main__ at app.py:2";
    assert!(
        freeze
            .stderr
            .contains(&format!("distribution plugdist: whole, because {why}")),
        "{}",
        freeze.stderr
    );
    let r = ctx.read_json("r.json");
    assert_eq!(whole(&r, "plugdist"), Some(why));
    assert_eq!(
        whole(&r, "nordist"),
        Some("module nordist was imported by __main__ at app.py:3")
    );
    // The Python 2 file is left out with a warning; the missing import and the compiled
    // extension of modules nobody imports are reported without stopping the build.
    assert!(
        freeze
            .stderr
            .contains("warning: left out plugdist.legacy, which no import of the program reaches and which does not compile"),
        "{}",
        freeze.stderr
    );
    assert!(
        !freeze
            .stderr
            .contains("warning: module 'not_installed_anywhere'")
    );
    let skipped = names(&r["skipped_modules"], "module");
    assert_eq!(skipped, ["plugdist.latin", "plugdist.legacy"]);
    assert!(
        names(&r["optional_missing"], "module").contains(&"not_installed_anywhere"),
        "{}",
        r["optional_missing"]
    );
    assert_eq!(r["skipped_extensions"][0]["module"], "plugdist._native");
    let modules = names(&r["modules"], "name");
    for name in [
        "plugdist.plugins.alpha",
        "plugdist.plugins.beta",
        "nordist.extra",
        "json",
    ] {
        assert!(modules.contains(&name), "{name} not in {modules:?}");
    }
    for name in ["plugdist.heavy", "plugdist.legacy", "plugdist.latin"] {
        assert!(!modules.contains(&name), "{name} in {modules:?}");
    }
    let beta = json_entry(&r["modules"], "name", "plugdist.plugins.beta");
    assert_eq!(beta["optional"], true);
    assert_eq!(
        beta["because"],
        format!("distribution plugdist is bundled whole: {why}")
    );
    let data = r["data"].as_array().unwrap();
    assert!(
        data.iter()
            .any(|d| d["path"] == "plugdist/data/table.txt" && d["distribution"] == "plugdist")
    );

    let exe = ctx.path("app");
    let same = ctx
        .compare(&exe, [&app])
        .python_env("PYTHONPATH", ctx.path("site"));
    for args in [&["plugins.alpha", "plugins.beta"][..], &[]] {
        same.assert_same(args, b"");
    }
    // What was left out fails as a module that is not there.
    let frozen = ctx.run(&exe, &["heavy"], b"");
    assert!(
        frozen
            .stderr
            .ends_with("ModuleNotFoundError: No module named 'plugdist.heavy'\n"),
        "{}",
        frozen.stderr
    );
    // freeze inspect lists what the rule brought.
    let inspect = ctx.freeze().args(["inspect", "app"]).run();
    assert_eq!(inspect.code, Some(0), "{}", inspect.stderr);
    assert_contains(&inspect.stdout, "plugdist.plugins.beta");
}

#[test]
fn modules_named_at_run_time_in_a_real_distribution() {
    // unidecode imports its per-block tables as `unidecode.x%03x` and answers '' for a
    // block it cannot import: without the whole distribution the output is wrong, quietly.
    let ctx = Ctx::in_venv(venv());
    ctx.write(
        "translit.py",
        "import sys\nfrom unidecode import unidecode\nprint(unidecode(sys.argv[1]))\n",
    );
    ctx.assert_same_as_cpython(&["translit.py"], &["Ærøskøbing 北京 Привет ☺ ﬁ Ελληνικά"]);
}

#[test]
fn installed_plugins_of_a_bundled_host_come_along() {
    let ctx = Ctx::in_venv(venv());
    ctx.write_files(&[
        (
            "checked.py",
            "import os\n\ndef BadName():\n    l = 1\n    return l\n",
        ),
        (
            "plugins.py",
            "import flake8.main.cli\n\
         from importlib.metadata import entry_points\n\
         print(sorted((e.name, e.value) for e in entry_points(group='flake8.extension')))\n",
        ),
    ]);
    // pep8-naming's N802 comes from a plugin distribution flake8 finds by entry point.
    let exe = ctx.freeze_ok(["-m", "flake8", "--report", "r.json"], "app");
    ctx.compare(&exe, ["-m", "flake8"])
        .assert_same(&["-j1", "--select", "N,F,E", "checked.py"], b"");
    let r = ctx.read_json("r.json");
    let why = whole(&r, "pep8-naming").expect("pep8-naming bundled whole");
    assert!(
        why.starts_with(
            "it registers entry points in group 'flake8.extension', which module flake8."
        ),
        "{why}"
    );
    assert!(whole(&r, "pip").is_none() && whole(&r, "setuptools").is_none());
    ctx.assert_same_as_cpython(&["plugins.py"], &[]);

    // --no-plugins (and its [tool.freeze] key) leaves them out.
    let bare = ctx.freeze_ok(["-m", "flake8", "--no-plugins"], "bare");
    let bare = ctx.run(&bare, &["-j1", "--select", "N,F,E", "checked.py"], b"");
    assert!(
        bare.stdout.contains("F401 'os' imported but unused"),
        "{bare:?}"
    );
    assert!(!bare.stdout.contains("N802"), "{bare:?}");
    ctx.write("pyproject.toml", "[tool.freeze]\nno-plugins = true\n");
    let listed = ctx.freeze_ok(["plugins.py"], "bare-list");
    let listed = ctx.run(&listed, &[], b"");
    assert!(!listed.stdout.contains("pep8ext_naming"), "{listed:?}");
    assert!(listed.stdout.contains("'F'"), "{listed:?}");
}

#[test]
fn zoneinfo_brings_tzdata_when_the_venv_has_it() {
    let ctx = Ctx::in_venv(venv());
    // No OS time-zone database on either side: both must use the tzdata package.
    std::fs::create_dir(ctx.path("no-tz")).unwrap();
    ctx.write(
        "tz.py",
        "import datetime, zoneinfo\n\
         for key in ['America/New_York', 'Europe/Paris', 'Asia/Kolkata']:\n\
         \x20   tz = zoneinfo.ZoneInfo(key)\n\
         \x20   for ts in [0, 1_700_000_000, 1_720_000_000]:\n\
         \x20       d = datetime.datetime.fromtimestamp(ts, tz)\n\
         \x20       print(key, d.isoformat(), d.tzname(), d.utcoffset(), d.dst())\n\
         try:\n\
         \x20   zoneinfo.ZoneInfo('Nowhere/Special')\n\
         except zoneinfo.ZoneInfoNotFoundError as e:\n\
         \x20   print(type(e).__name__)\n",
    );
    let exe = ctx.freeze_ok(["tz.py", "--report", "r.json"], "app");
    ctx.compare(&exe, ["tz.py"])
        .env("PYTHONTZPATH", ctx.path("no-tz"))
        .assert_same(&[], b"");
    let r = ctx.read_json("r.json");
    assert_eq!(
        whole(&r, "tzdata"),
        Some(
            "module zoneinfo is bundled and loads time zones from it by name through importlib.resources"
        )
    );
}

#[test]
fn extensions_behind_a_flag_set_by_a_guarded_import_fall_back() {
    let ctx = Ctx::new();
    let so = "_speedups.cpython-311-x86_64-linux-gnu.so";
    // The import behind the flag names the extension itself, in both spellings.
    ctx.write(
        "lib/textw/__init__.py",
        "try:\n    from . import _speedups\n    HAS_C = True\nexcept ImportError:\n    HAS_C = False\n\
         if HAS_C:\n    from ._speedups import width\nelse:\n    def width(s):\n        return len(s)\n",
    );
    ctx.write(&format!("lib/textw/{so}"), "\x7fELF not really");
    ctx.write(
        "lib/textv/__init__.py",
        "HAS_C = False\ntry:\n    import textv._speedups as _speedups\nexcept ImportError:\n    pass\nelse:\n    HAS_C = True\n\
         if HAS_C:\n    from ._speedups import ljust\nelse:\n    def ljust(s, n):\n        return s.ljust(n)\n",
    );
    ctx.write(&format!("lib/textv/{so}"), "\x7fELF not really");
    let app = ctx.write(
        "app.py",
        "import textw, textv\nprint(textw.HAS_C, textw.width('abc'), repr(textv.ljust('ab', 4)))\n",
    );
    let exe = ctx.freeze_ok(["app.py", "--path", "lib", "--report", "r.json"], "app");
    let frozen = ctx
        .compare(&exe, [&app])
        .python_env("PYTHONPATH", ctx.path("lib"))
        .assert_same(&[], b"");
    assert_eq!(frozen.stdout, "False 3 'ab  '\n");
    let r = ctx.read_json("r.json");
    let skipped = names(&r["skipped_extensions"], "module");
    assert!(
        skipped.contains(&"textw._speedups") && skipped.contains(&"textv._speedups"),
        "{skipped:?}"
    );
    assert!(
        skipped.iter().all(|m| m.ends_with("._speedups")),
        "{skipped:?}"
    );

    // Unguarded, the error names the extension (not `pkg._speedups.width`), and the
    // --exclude it suggests works.
    ctx.write("lib/hardw/__init__.py", "from ._speedups import width\n");
    ctx.write(&format!("lib/hardw/{so}"), "\x7fELF not really");
    ctx.write("hard.py", "import hardw\n");
    let err = ctx.assert_refused(&["hard.py", "--path", "lib"], "hard");
    let hint = err
        .rsplit_once("leave the extension out with ")
        .map(|(_, h)| h.trim().to_owned())
        .unwrap_or_default();
    assert!(
        err.starts_with("error: module hardw._speedups is a compiled extension")
            && hint == "--exclude hardw._speedups",
        "{err}"
    );
    ctx.freeze_ok(
        ["hard.py", "--path", "lib", "--exclude", "hardw._speedups"],
        "hard",
    );
}

#[test]
fn a_table_printer_over_a_text_width_package_with_a_c_extension() {
    // wcwidth 0.9.4 imports its C extension under a guard, then again behind the flag
    // the guarded import set; prettytable measures cells with it.
    let ctx = Ctx::in_venv(venv());
    ctx.write(
        "table.py",
        "from prettytable import PrettyTable\n\
         import wcwidth\n\
         t = PrettyTable(['city', 'width'])\n\
         for city in ['北京', 'Zürich', 'ｶﾀｶﾅ']:\n\
         \x20   t.add_row([city, wcwidth.wcswidth(city)])\n\
         print(t)\n",
    );
    ctx.assert_same_as_cpython(&["table.py"], &[]);
}
