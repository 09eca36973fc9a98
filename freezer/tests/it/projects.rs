//! Real projects as uv, Poetry, Hatch and setuptools lay them out and install them
//! (editable into the project's environment), frozen with no flags beyond what a user
//! types; every output compared with CPython running the same launcher from that
//! environment.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::common::{Ctx, RunExt, assert_contains, clean_command, run_bounded, venv};

/// A project manager from the tools venv, run in `dir` with a PATH that finds it and
/// caches kept under the tools venv.
fn tool(name: &str, dir: &Path) -> Command {
    let tools = venv("project-tools");
    let path = format!(
        "{}:{}",
        tools.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = clean_command(tools.join("bin").join(name));
    cmd.current_dir(dir)
        .env("PATH", path)
        .env("UV_CACHE_DIR", tools.join("uv-cache"))
        .env("POETRY_VIRTUALENVS_IN_PROJECT", "true")
        .env("POETRY_CACHE_DIR", tools.join("poetry-cache"))
        .env("HATCH_DATA_DIR", tools.join("hatch-data"))
        // The package index may sit behind a certificate authority of this machine's
        // own store (as pip is configured here): every tool trusts that store.
        .env("UV_SYSTEM_CERTS", "1");
    for key in [
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "REQUESTS_CA_BUNDLE",
        "PIP_CERT",
        "PIP_INDEX_URL",
    ] {
        if let Some(value) = std::env::var_os(key) {
            cmd.env(key, value);
        }
    }
    cmd
}

/// Run a tool step, bounded; it must succeed.
#[track_caller]
fn step(cmd: Command) {
    let shown = format!("{cmd:?}");
    let (run, stopped) = run_bounded(cmd, Duration::from_secs(600));
    assert!(!stopped && run.code == Some(0), "{shown}: {run:?}");
}

const CLI: &str = "import click\nimport importlib, pkgutil\nfrom . import plugins\n\n\
@click.command()\n@click.argument('item')\ndef main(item):\n    \
names = sorted(m.name for m in pkgutil.iter_modules(plugins.__path__))\n    \
loaded = [importlib.import_module(plugins.__name__ + '.' + n).NAME for n in names]\n    \
click.echo(f'added {item} with {loaded}')\n";

/// `pyproject.toml` for `name` built by `backend`, with a `todo`-style launcher.
fn pyproject(name: &str, backend: (&str, &str), extra: &str) -> String {
    format!(
        "[project]\nname = \"{name}\"\nversion = \"0.3.1\"\nrequires-python = \">=3.11\"\n\
         dependencies = [\"click\"]\n\n[project.scripts]\n{name} = \"{name}.cli:main\"\n\n\
         [build-system]\nrequires = [\"{}\"]\nbuild-backend = \"{}\"\n{extra}",
        backend.0, backend.1
    )
}

/// The package's sources under `base` (`src/NAME` or `NAME`), with a plugin package
/// nothing imports by name.
fn write_package(ctx: &Ctx, base: &str) {
    ctx.write(&format!("{base}/__init__.py"), "");
    ctx.write(&format!("{base}/cli.py"), CLI);
    ctx.write(&format!("{base}/plugins/__init__.py"), "");
    ctx.write(&format!("{base}/plugins/alpha.py"), "NAME = 'alpha'\n");
    ctx.write(&format!("{base}/plugins/beta.py"), "NAME = 'beta'\n");
}

/// Freeze in the project directory with `args`, then compare `dist/NAME milk` with the
/// environment's own launcher.
fn freeze_and_compare(ctx: &Ctx, name: &str, args: &[&str], launcher: PathBuf) {
    let run = ctx.freeze().args(args).run();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let frozen = ctx.run(&ctx.path(format!("dist/{name}")), &["milk"], b"");
    let cpython = ctx.command(launcher).arg("milk").run();
    assert_eq!(frozen, cpython);
    assert_eq!(frozen.stdout, "added milk with ['alpha', 'beta']\n");
}

#[test]
fn uv_package_layout_with_no_flags() {
    let ctx = Ctx::new();
    ctx.write(
        "pyproject.toml",
        pyproject("todo", ("uv_build>=0.9,<0.14", "uv_build"), ""),
    );
    write_package(&ctx, "src/todo");
    step({
        let mut cmd = tool("uv", ctx.path("").as_path());
        cmd.args(["sync", "-q"]);
        cmd
    });
    // Nothing activated: the project's .venv is found, its editable install followed.
    freeze_and_compare(&ctx, "todo", &[], ctx.path(".venv/bin/todo"));
    // A dependency missing from the environment fails the build, naming the import.
    ctx.write("src/todo/extra.py", "import yaml\n");
    ctx.write("src/todo/__init__.py", "from . import extra\n");
    let run = ctx.freeze().run();
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_contains(
        &run.stderr,
        "error: module yaml not found, and src/todo/extra.py:1 imports it as the program starts",
    );
    assert_contains(&run.stderr, "--allow-missing yaml");
    let run = ctx.freeze().args(["--allow-missing", "yaml"]).run();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}

#[test]
fn poetry_src_layout() {
    let ctx = Ctx::new();
    let packages = "\n[tool.poetry]\npackages = [{ include = \"pt\", from = \"src\" }]\n";
    ctx.write(
        "pyproject.toml",
        pyproject(
            "pt",
            ("poetry-core>=2.0", "poetry.core.masonry.api"),
            packages,
        ),
    );
    write_package(&ctx, "src/pt");
    step({
        let mut cmd = tool("poetry", ctx.path("").as_path());
        cmd.args(["install", "-q"]);
        cmd
    });
    freeze_and_compare(&ctx, "pt", &[], ctx.path(".venv/bin/pt"));
}

#[test]
fn hatch_environment_named_with_python() {
    let ctx = Ctx::new();
    ctx.write(
        "pyproject.toml",
        pyproject("ht", ("hatchling", "hatchling.build"), ""),
    );
    write_package(&ctx, "src/ht");
    step({
        let mut cmd = tool("hatch", ctx.path("").as_path());
        cmd.args(["env", "create"]);
        cmd
    });
    let mut find = tool("hatch", ctx.path("").as_path());
    find.args(["env", "find"]);
    let env = find.run().stdout.trim().to_owned();
    let python = format!("{env}/bin/python");
    freeze_and_compare(
        &ctx,
        "ht",
        &["--python", &python],
        PathBuf::from(&env).join("bin/ht"),
    );
}

#[test]
fn setuptools_flat_layout_editable_finder() {
    let ctx = Ctx::new();
    let find = "\n[tool.setuptools.packages.find]\ninclude = [\"st*\"]\n";
    ctx.write(
        "pyproject.toml",
        pyproject("st", ("setuptools>=64", "setuptools.build_meta"), find),
    );
    write_package(&ctx, "st");
    step({
        let mut cmd = tool("uv", ctx.path("").as_path());
        cmd.args(["venv", "-q", ".venv"]);
        cmd
    });
    step({
        let mut cmd = tool("uv", ctx.path("").as_path());
        cmd.env("VIRTUAL_ENV", ctx.path(".venv"))
            .args(["pip", "install", "-q", "-e", "."]);
        cmd
    });
    freeze_and_compare(&ctx, "st", &[], ctx.path(".venv/bin/st"));
}
