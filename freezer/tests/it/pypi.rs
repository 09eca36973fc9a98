//! Real packages from PyPI, installed into a virtual environment: frozen, their output
//! must be identical to CPython running the same program with the same arguments.

use std::path::Path;

use crate::common::{Ctx, assert_contains};

/// The venv with `freezer/tests/venvs/pypi.txt` installed, made once and kept between
/// runs.
fn venv() -> &'static Path {
    crate::common::venv("pypi")
}

/// A context with the venv active.
fn ctx() -> Ctx {
    Ctx::in_venv(venv())
}

/// Freeze `freeze_args` (to `app`) and compare each case's run with the venv's CPython
/// running `python_args` and the same arguments.
fn same_as_cpython(ctx: &Ctx, freeze_args: &[&str], python_args: &[&str], cases: &[&[&str]]) {
    let exe = ctx.freeze_ok(freeze_args, "app");
    let same = ctx.compare(&exe, python_args);
    for args in cases {
        same.assert_same(args, b"");
    }
}

#[test]
fn pyflakes_checks_a_file_with_warnings() {
    let ctx = ctx();
    ctx.write_files(&[
        ("checked.py", "import os\nimport sys\n\ndef f(x):\n    return undefined_name + x\n\nprint(f'{sys.argv}')\n"),
        ("clean.py", "print('nothing to see')\n"),
    ]);
    same_as_cpython(
        &ctx,
        &["-m", "pyflakes"],
        &["-m", "pyflakes"],
        &[&["checked.py"], &["clean.py"]],
    );
    let run = ctx.run(&ctx.path("app"), &["checked.py"], b"");
    assert_eq!(run.code, Some(1));
    assert_contains(&run.stdout, "'os' imported but unused");
}

#[test]
fn pygments_highlights_to_html_and_terminal256() {
    let ctx = ctx();
    ctx.write(
        "sample.py",
        "import re\n\nclass Greeter:\n    \"\"\"Doc.\"\"\"\n    def hi(self, name: str) -> str:\n        return f'hi {name!r}' * 2  # comment\n",
    );
    same_as_cpython(
        &ctx,
        &["-m", "pygments"],
        &["-m", "pygments"],
        &[
            &["-f", "html", "sample.py"],
            &["-f", "terminal256", "-l", "python", "sample.py"],
            &["-L", "styles"],
        ],
    );
}

#[test]
fn pyfiglet_renders_with_a_non_default_font() {
    let ctx = ctx();
    same_as_cpython(
        &ctx,
        &["--entry", "pyfiglet:main"],
        &["-m", "pyfiglet"],
        &[
            &["-f", "slant", "Frozen!"],
            &["-f", "banner3", "ok"],
            &["Hi"],
        ],
    );
}

#[test]
fn tabulate_prints_a_grid_table() {
    let ctx = ctx();
    ctx.write(
        "table.py",
        "from tabulate import tabulate\n\
         rows = [['apple', 3, 1.5], ['kiwi', 12, 0.25], ['fig', 7, 10.125]]\n\
         print(tabulate(rows, headers=['fruit', 'count', 'price'], tablefmt='grid', floatfmt='.2f'))\n",
    );
    same_as_cpython(&ctx, &["table.py"], &["table.py"], &[&[]]);
}

/// Libraries that find their data beside their own modules: parso opens its grammar
/// files through `os.path.dirname(__file__)`, pycountry opens its JSON databases and
/// gettext catalogues under a path made from `importlib.resources.files()`, humanize
/// reads its catalogues from the directory `importlib.resources.as_file()` gives.
#[test]
fn libraries_reading_data_beside_their_modules() {
    let ctx = ctx();
    ctx.write(
        "data.py",
        "import datetime, gettext, humanize, parso, pycountry\n\
         module = parso.load_grammar(version='3.11').parse('def f(x):\\n    return x + 1\\n')\n\
         print([n.type for n in module.children], module.children[0].name.value)\n\
         print(pycountry.countries.get(alpha_2='DE').name, pycountry.languages.get(alpha_3='fra').name)\n\
         de = gettext.translation('iso3166-1', pycountry.LOCALES_DIR, languages=['de'])\n\
         print(de.gettext('Germany'), de.gettext('France'))\n\
         print(humanize.intcomma(1234567), humanize.naturalsize(10**9))\n\
         humanize.i18n.activate('fr_FR')\n\
         print(humanize.naturaldelta(datetime.timedelta(hours=3)))\n",
    );
    same_as_cpython(&ctx, &["data.py"], &["data.py"], &[&[]]);
    let run = ctx.run(&ctx.path("app"), &[], b"");
    assert_eq!(
        run.stdout,
        "['funcdef', 'endmarker'] f\nGermany French\nDeutschland Frankreich\n1,234,567 1.0 GB\n3 heures\n"
    );
}
