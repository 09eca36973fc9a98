//! A corpus of real programs built on PyPI packages, each a folder
//! `freezer/tests/corpus/<case>/main.py` driving one package the way its users do. The
//! pinned `corpus/requirements.txt` is installed in a venv; each case is frozen with that
//! venv active, and its output must be identical to the venv's CPython running the same
//! file: stdout, stderr and exit status. With x86_64-pc-windows-gnu in
//! `FREEZE_CROSS_TARGETS` (as in CI), every case is also frozen for Windows and run under
//! wine (`corpus::windows::<case>`), against the same CPython run here.
//!
//! The cases cover what real programs rely on: codecs, data read beside the code through
//! `__file__`, modules named at run time, entry-point plugins, time zones, gettext
//! catalogs, sqlite3, multiprocessing locks, XML, tokenize.

use std::path::{Path, PathBuf};

use crate::common::cross::{WINDOWS_GNU, enabled, with_build_env};
use crate::common::wine::wine;
use crate::common::{Ctx, Run, RunExt, repo_root, run_bounded};

/// Longer than any case takes (the slowest, inflect, ran 69 s with the rest of the suite
/// and other builds sharing two cores, and went past 120 s once); a frozen program that
/// starts copies of itself is stopped here with its whole process group.
const LIMIT: std::time::Duration = std::time::Duration::from_secs(300);

/// Cases that still differ from CPython, each with its cause. The test insists they
/// still differ, so a fix shows up as a failure asking to move the case out of here.
const KNOWN_DIFFERENT: &[(&str, &str)] = &[(
    "dateutil_tz",
    "runtime: a warning names the script as main.py, where CPython names its absolute path",
)];

fn corpus_dir() -> PathBuf {
    repo_root().join("freezer/tests/corpus")
}

fn venv() -> &'static Path {
    crate::common::venv_from("corpus-venv", &corpus_dir().join("requirements.txt"))
}

/// Where a case's frozen program runs: here, or frozen for Windows and run under wine.
#[derive(Clone, Copy, PartialEq)]
enum Os {
    Here,
    Windows,
}

/// Freeze the case with the venv active and run it; run the venv's CPython on the same
/// file in the same directory.
fn frozen_and_cpython(case: &str, os: Os) -> (Run, Run) {
    let ctx = Ctx::in_venv(venv());
    // The case's folder is copied to the working directory, and both sides are given
    // `main.py` there, as a user runs `python main.py`. Other files in it are fixtures the
    // program reads from its working directory (not bundled).
    for entry in std::fs::read_dir(corpus_dir().join(case)).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        std::fs::copy(&path, ctx.path(&name)).unwrap();
    }
    let script = "main.py";
    let (built, command) = match os {
        Os::Here => (
            ctx.freeze().args([script, "-o", "app", "-q"]).run(),
            ctx.command(ctx.path("app")),
        ),
        Os::Windows => {
            let mut cmd = ctx.freeze_without_stub();
            cmd.args([script, "-o", "app.exe", "-q", "--target", WINDOWS_GNU]);
            let wine = wine().expect("wine and mingw-w64 (CI installs both)");
            let mut run = wine.command(&ctx.path("app.exe"));
            run.current_dir(ctx.dir.path());
            (with_build_env(&mut cmd).run(), run)
        }
    };
    // A build that fails is a difference like any other (CPython runs the file).
    let frozen = if built.code == Some(0) {
        let (frozen, stopped) = run_bounded(command, LIMIT);
        assert!(
            !stopped,
            "{case}: the frozen program ran longer than {LIMIT:?} (stopped):\n{}",
            frozen.stderr
        );
        // Windows' text-mode streams end lines with \r\n, in CPython as in the frozen
        // program; CPython here writes \n. Nothing else is normalised.
        Run {
            stdout: frozen.stdout.replace("\r\n", "\n"),
            stderr: frozen.stderr.replace("\r\n", "\n"),
            ..frozen
        }
    } else {
        built
    };
    let mut cmd = ctx.python();
    cmd.arg(script);
    let (cpython, stopped) = run_bounded(cmd, LIMIT);
    assert!(!stopped, "{case}: CPython ran longer than {LIMIT:?}");
    (frozen, cpython)
}

fn check(case: &str, os: Os) {
    if os == Os::Windows && !enabled(WINDOWS_GNU) {
        return;
    }
    let (frozen, cpython) = frozen_and_cpython(case, os);
    assert_eq!(
        cpython.code,
        Some(0),
        "{case} fails under CPython:\n{}",
        cpython.stderr
    );
    match KNOWN_DIFFERENT.iter().find(|(name, _)| *name == case) {
        None => assert_eq!(
            frozen, cpython,
            "{case}: the frozen program differs from CPython"
        ),
        Some((_, cause)) => assert_ne!(
            frozen, cpython,
            "{case} now runs as under CPython: remove it from KNOWN_DIFFERENT ({cause})"
        ),
    }
}

macro_rules! corpus {
    ($($case:ident),* $(,)?) => {
        $(#[test] fn $case() { check(stringify!($case), Os::Here); })*
        const CASES: &[&str] = &[$(stringify!($case)),*];

        /// Every case frozen for Windows on this machine and run under wine, against
        /// CPython here: what a program prints does not depend on the OS in these cases.
        mod windows {
            use super::{Os, check};
            $(#[test] fn $case() { check(stringify!($case), Os::Windows); })*
        }
    };
}

corpus!(
    arrow_dates,
    autopep8_fix,
    babel_dates,
    bs4_html,
    certifi_where,
    chardet_detect,
    cowsay_says,
    dateutil_tz,
    docutils_rst,
    emoji_text,
    faker_locales,
    feedparser_rss,
    flake8_plugins,
    html5lib_parse,
    humanize_i18n,
    idna_codec,
    inflect_words,
    isort_code,
    lark_grammar,
    mako_template,
    markdown_it_render,
    natsort_misc,
    num2words_langs,
    openpyxl_roundtrip,
    parso_parse,
    peewee_sqlite,
    phonenumbers_parse,
    prettytable_wcwidth,
    pycountry_lookup,
    pycparser_parse,
    pylint_lint,
    pytz_zones,
    requests_https,
    rich_table,
    slugify_text,
    sqlalchemy_orm,
    sqlparse_format,
    tomlkit_roundtrip,
    tqdm_process_map,
    tqdm_progress,
    unidecode_text,
    xmltodict_parse,
    yapf_format,
    zoneinfo_tzdata
);

#[test]
fn every_case_folder_is_a_test() {
    let mut folders: Vec<String> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    assert_eq!(folders, CASES, "corpus folders and tests differ");
    for (case, _) in KNOWN_DIFFERENT {
        assert!(CASES.contains(case), "KNOWN_DIFFERENT names no case {case}");
    }
}
