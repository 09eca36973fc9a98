//! Same inputs, same bytes: from other working directories, other absolute project paths,
//! other HOME and TMPDIR; and no build-machine path inside the output.

use crate::common::{Ctx, RunExt, repo_root};

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn rebuilds_are_byte_identical() {
    let ctx = Ctx::new();
    let example = repo_root().join("examples/multimodule");
    let (a, b) = (
        ctx.path("first/project"),
        ctx.path("second/elsewhere/project"),
    );
    copy_tree(&example, &a);
    copy_tree(&example, &b);
    for d in ["home1", "home2", "tmp1", "tmp2", "cwd"] {
        std::fs::create_dir_all(ctx.path(d)).unwrap();
    }
    // Once from inside the project, with a relative entry path.
    let run = ctx
        .freeze()
        .current_dir(&a)
        .env("HOME", ctx.path("home1"))
        .env("TMPDIR", ctx.path("tmp1"))
        .args(["main.py", "-o"])
        .arg(ctx.path("out1"))
        .run();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    // Once from elsewhere, with an absolute entry path to a copy at another place.
    let run = ctx
        .freeze()
        .current_dir(ctx.path("cwd"))
        .env("HOME", ctx.path("home2"))
        .env("TMPDIR", ctx.path("tmp2"))
        .arg(b.join("main.py"))
        .arg("-o")
        .arg(ctx.path("out2"))
        .run();
    assert_eq!(run.code, Some(0), "{}", run.stderr);

    let one = std::fs::read(ctx.path("out1")).unwrap();
    let two = std::fs::read(ctx.path("out2")).unwrap();
    assert!(one == two, "two builds of the same program differ");
    for path in [&a, &b, &ctx.dir.path().to_path_buf(), &repo_root()] {
        let needle = path.display().to_string();
        assert!(
            !one.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "output contains the build path {needle}"
        );
    }
    // And it still runs.
    assert!(
        ctx.run(&ctx.path("out1"), &[], b"")
            .stdout
            .starts_with("Hello, frozen world!")
    );
}
