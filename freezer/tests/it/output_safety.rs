//! The output never destroys a user's file: it is never one of the build's inputs, never
//! a device, FIFO, socket or directory, and a damaged cache or a file that is not a
//! runtime stub can never produce an output that does not run.

use std::path::Path;
use std::time::Duration;

use crate::common::{Ctx, RunExt, run_bounded};

const APP: &[(&str, &str)] = &[
    (
        "app.py",
        "import helper, pkg\nprint(helper.X, pkg.read())\n",
    ),
    ("helper.py", "X = 1\n"),
    (
        "pkg/__init__.py",
        "import pkgutil\ndef read():\n    return pkgutil.get_data(__name__, 'data.txt').decode().strip()\n",
    ),
    ("pkg/data.txt", "data\n"),
    ("pyproject.toml", "[project]\nname = \"app\"\n"),
];

#[test]
fn an_output_that_is_a_file_the_build_reads_is_refused() {
    let ctx = Ctx::with_files(APP);
    std::fs::copy(crate::common::stub(), ctx.path("stub")).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(ctx.path("helper.py"), ctx.path("link-to-helper")).unwrap();
        std::fs::hard_link(ctx.path("pkg/data.txt"), ctx.path("hard-data")).unwrap();
    }
    let cases: &[(&str, &str)] = &[
        ("helper.py", "is module helper ("),
        ("pkg/__init__.py", "is module pkg ("),
        ("./pkg/../helper.py", "is module helper ("),
        ("pkg/data.txt", "is a data file ("),
        ("pyproject.toml", "is the project's settings file ("),
        ("stub", "is the runtime stub ("),
        #[cfg(unix)]
        ("link-to-helper", "is module helper ("),
        #[cfg(unix)]
        ("hard-data", "is a data file ("),
    ];
    for (output, says) in cases {
        let err = ctx.assert_refused_by(ctx.freeze().args(["app.py", "--stub", "stub"]), output);
        assert!(err.contains(says), "-o {output}: {err}");
        assert!(
            err.ends_with("which the build reads; choose another output path\n"),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    assert_eq!(
        std::fs::read_to_string(ctx.path("helper.py")).unwrap(),
        "X = 1\n"
    );
    // The same build to a fresh name works and runs.
    let exe = ctx.freeze_ok(["app.py"], "app");
    assert_eq!(ctx.run(&exe, &[], b"").stdout, "1 data\n");
    // Embedding into a stub never writes over that stub.
    let err = freezer::embed_file(&ctx.path("stub"), None, b"x", &ctx.path("stub"));
    assert!(
        err.unwrap_err()
            .to_string()
            .contains("is the runtime stub (")
    );
}

/// Every file under `dir`.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// What is at `path`: a regular file, a directory, or another kind by its mode bits.
#[cfg(unix)]
fn kind_of(path: &Path) -> String {
    use std::os::unix::fs::FileTypeExt;
    let t = std::fs::symlink_metadata(path).unwrap().file_type();
    match () {
        _ if t.is_char_device() => "char device",
        _ if t.is_fifo() => "fifo",
        _ if t.is_socket() => "socket",
        _ if t.is_dir() => "directory",
        _ if t.is_file() => "file",
        _ => "other",
    }
    .to_owned()
}

fn is_root(ctx: &Ctx) -> bool {
    ctx.command("id").arg("-u").run().stdout.trim() == "0"
}

#[cfg(unix)]
#[test]
fn an_output_that_is_not_a_regular_file_is_refused_before_any_work() {
    let ctx = Ctx::with_files(&[("app.py", "print('hi')\n")]);
    let mut specials = vec![
        ("fifo", "a FIFO (named pipe)", "fifo"),
        ("socket", "a socket", "socket"),
    ];
    assert!(ctx.command("mkfifo").arg(ctx.path("fifo")).run().code == Some(0));
    let _listener = std::os::unix::net::UnixListener::bind(ctx.path("socket")).unwrap();
    if is_root(&ctx) {
        // Nodes of /dev/null and /dev/full made here, so a regression harms no real device.
        for (name, minor) in [("null", "3"), ("full", "7")] {
            let made = ctx
                .command("mknod")
                .arg(ctx.path(name))
                .args(["c", "1", minor])
                .run();
            assert_eq!(made.code, Some(0), "{made:?}");
            specials.push((name, "a character device", "char device"));
        }
    } else {
        eprintln!("not root: device nodes not tested");
    }
    for (name, what, kind) in specials {
        // A stub that does not exist: the output is refused before the stub is looked for.
        let mut cmd = ctx.freeze();
        cmd.env("FREEZE_STUB", ctx.path("no-such-stub"))
            .args(["app.py", "-o", name]);
        let (run, stopped) = run_bounded(cmd, Duration::from_secs(60));
        assert!(!stopped, "-o {name} hung");
        assert_eq!(run.code, Some(1), "-o {name}: {run:?}");
        let path = ctx.path(name);
        assert_eq!(
            run.stderr,
            format!(
                "error: cannot write {name}: it is {what}, not a regular file; choose an output path that is a file or does not exist yet\n"
            )
        );
        assert_eq!(kind_of(&path), kind, "-o {name} was replaced");
    }
    let err = ctx.assert_refused(&["app.py"], ".");
    assert_eq!(err, "error: cannot write .: it is a directory\n");
    assert!(ctx.files_containing("freeze-tmp").is_empty());
}

#[test]
fn a_damaged_cache_never_reaches_an_output() {
    let ctx = Ctx::with_files(APP);
    let cache = ctx.path("cache");
    let build = |out: &str| {
        let run = ctx
            .freeze()
            .env("FREEZE_CACHE_DIR", &cache)
            .args(["app.py", "-o", out])
            .run();
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        let ran = ctx.run(&ctx.path(out), &[], b"");
        assert_eq!(
            (ran.stdout.as_str(), ran.code),
            ("1 data\n", Some(0)),
            "{}",
            ran.stderr
        );
    };
    build("first");
    let entries = files_under(&cache);
    assert!(entries.len() > 10, "{entries:?}");
    // Each kind of damage in turn: emptied, cut short, a flipped byte, another entry's bytes.
    let originals: Vec<Vec<u8>> = entries.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let damages: [(&str, fn(&[u8], &[u8]) -> Vec<u8>); 4] = [
        ("empty", |_, _| Vec::new()),
        ("truncated", |b, _| b[..b.len() / 2].to_vec()),
        ("flipped", |b, _| {
            let mut b = b.to_vec();
            let last = b.len() - 1;
            b[last] ^= 0x40;
            b
        }),
        ("swapped", |_, other| other.to_vec()),
    ];
    for (name, damage) in damages {
        for (i, path) in entries.iter().enumerate() {
            let other = &originals[(i + 1) % originals.len()];
            std::fs::write(path, damage(&originals[i], other)).unwrap();
        }
        build(name);
    }
}

#[test]
fn a_stub_that_is_not_a_runtime_stub_is_refused() {
    let ctx = Ctx::with_files(&[("app.py", "print('hi')\n")]);
    let freeze = crate::common::freeze_bin();
    for stub in [Path::new("/bin/true"), freeze.as_path()] {
        if !stub.exists() {
            continue;
        }
        let err = ctx.assert_refused_by(ctx.freeze().env("FREEZE_STUB", stub).arg("app.py"), "app");
        assert_eq!(
            err,
            format!(
                "error: runtime stub {} is unusable: it is an executable but not a freeze runtime stub; give the runtime-stub of a freeze build or release\n",
                stub.display()
            )
        );
    }
}
