//! Real runtime stubs for other targets running real programs. Each target's stub comes
//! from this checkout the way a user's `freeze --target TRIPLE` gets it (built on demand
//! by `cross/stub`, cached); the examples and a standard-library mix are frozen with
//! `--target` and run here — x86_64-pc-windows-gnu under wine, aarch64 Linux (gnu and
//! musl) under qemu-user, x86-64 musl natively — and compared with CPython on this machine: stdout, stderr
//! and exit status.
//!
//! Which targets run: `FREEZE_CROSS_TARGETS` (triples separated by spaces, or `all`);
//! `.ci/run` always names x86_64-pc-windows-gnu. A target not named is skipped with a
//! message, since building its stub cold takes ten minutes or more.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::cross::{WINDOWS_GNU, enabled, freeze_for};
use crate::common::elf::{C_LIBRARY, dynamic_needs};
use crate::common::tools::{missing_tool, under_ci, which};
use crate::common::{Ctx, Run, clean_command, repo_root, run_with_stdin};

const AARCH64_GNU: &str = "aarch64-unknown-linux-gnu";
const MUSL: &str = "x86_64-unknown-linux-musl";
const AARCH64_MUSL: &str = "aarch64-unknown-linux-musl";
const LINUX_GNU: &str = "x86_64-unknown-linux-gnu";
const MAC_ARM64: &str = "aarch64-apple-darwin";
const MAC_X86_64: &str = "x86_64-apple-darwin";

/// How an output runs on this machine.
enum Runner {
    Native,
    Wine(&'static crate::common::wine::Wine),
    /// qemu-user, and the target root holding the C library for a dynamic executable.
    Qemu(PathBuf, Option<&'static str>),
}

impl Runner {
    fn for_target(triple: &str) -> Option<Runner> {
        match triple {
            WINDOWS_GNU => crate::common::wine::wine().map(Runner::Wine),
            AARCH64_GNU | AARCH64_MUSL => match which(&["qemu-aarch64-static", "qemu-aarch64"]) {
                // The musl output is static: it needs no target root.
                Some(qemu) => Some(Runner::Qemu(
                    qemu,
                    (triple == AARCH64_GNU).then_some("/usr/aarch64-linux-gnu"),
                )),
                None => {
                    missing_tool("qemu-aarch64-static (Debian: qemu-user-static)");
                    None
                }
            },
            _ => Some(Runner::Native),
        }
    }

    fn run(&self, exe: &Path, args: &[&str], stdin: &[u8], cwd: &Path) -> Run {
        let run = match self {
            Runner::Wine(wine) => wine.run(exe, args, stdin, cwd),
            Runner::Qemu(qemu, root) => run_with_stdin(
                clean_command(qemu)
                    .args(root.iter().flat_map(|r| ["-L", r]))
                    .arg(exe)
                    .args(args)
                    .current_dir(cwd),
                stdin,
            ),
            Runner::Native => run_with_stdin(clean_command(exe).args(args).current_dir(cwd), stdin),
        };
        // Windows' text-mode standard streams end lines with \r\n, in CPython as in the
        // frozen program; CPython here writes \n. Nothing else is normalised.
        Run {
            stdout: run.stdout.replace("\r\n", "\n"),
            stderr: run.stderr.replace("\r\n", "\n"),
            ..run
        }
    }
}

fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures/crossrun").join(name)
}

/// Freeze the examples, the standard-library mix and the spawn/platform program for
/// `triple`, run each output here and compare it with CPython.
fn programs_match_cpython(triple: &str) {
    if !enabled(triple) {
        return;
    }
    let Some(runner) = Runner::for_target(triple) else {
        return;
    };
    let ctx = Ctx::new();
    let exe = if triple.contains("windows") {
        ".exe"
    } else {
        ""
    };
    ctx.write_files(&[
        ("a.txt", "The cat and the hat.\nThe end.\n"),
        ("b.txt", "Ünïcödé wörds, wörds: ça va\n"),
    ]);
    let examples = repo_root().join("examples");
    type Case<'a> = (&'a [&'a str], &'a str);
    let programs: &[(&str, PathBuf, &[Case])] = &[
        ("hello", examples.join("hello/hello.py"), &[(&[], "")]),
        (
            "multimodule",
            examples.join("multimodule/main.py"),
            &[(&[], "")],
        ),
        (
            "wordstats",
            examples.join("wordstats/wordstats.py"),
            &[
                (&["--top", "3"], "one two two three three three\n"),
                (&["--json", "a.txt", "b.txt"], ""),
                (&["a.txt", "missing.txt"], ""),
                (&["--top", "many"], ""),
            ],
        ),
        (
            "mix",
            fixture("stdlib_mix.py"),
            &[(&[], ""), (&["héllo", "日本", "a b"], "")],
        ),
        ("spawn", fixture("spawn_platform.py"), &[(&[], "")]),
    ];
    for (name, entry, cases) in programs {
        // spawn's children start the output again, which the kernel cannot do for another
        // architecture without binfmt_misc; qemu here runs only the first process.
        if *name == "spawn" && matches!(runner, Runner::Qemu(..)) {
            continue;
        }
        let out = freeze_for(&ctx, triple, entry, &format!("{name}{exe}"), &[]);
        for (args, stdin) in *cases {
            let frozen = runner.run(&out, args, stdin.as_bytes(), ctx.dir.path());
            let cpython = ctx.run_python(entry, args, stdin.as_bytes());
            assert_eq!(
                frozen, cpython,
                "{name} {args:?} frozen for {triple} differs from CPython"
            );
        }
        eprintln!("{triple}: {name} as CPython ({} cases)", cases.len());
    }
    // The payload survives the target's own strip: the stripped hello still runs.
    let hello = examples.join("hello/hello.py");
    let out = freeze_for(&ctx, triple, &hello, &format!("stripped{exe}"), &[]);
    let strip = strip_tool(triple);
    let status = Command::new(&strip).arg(&out).status().expect("run strip");
    assert!(
        status.success(),
        "{} {}: {status}",
        strip.display(),
        out.display()
    );
    let frozen = runner.run(&out, &[], b"", ctx.dir.path());
    assert_eq!(frozen, ctx.run_python(&hello, &[], b""), "after strip");
    // An uncaught exception: same stdout, status 1, and a traceback through the same
    // functions ending in the same line (file paths differ: the frozen program names
    // its modules by their origin in the payload).
    let entry = fixture("uncaught.py");
    let out = freeze_for(&ctx, triple, &entry, &format!("uncaught{exe}"), &[]);
    let frozen = runner.run(&out, &["x"], b"", ctx.dir.path());
    let cpython = ctx.run_python(&entry, &["x"], b"");
    assert_eq!(
        (&frozen.stdout, frozen.code),
        (&cpython.stdout, cpython.code)
    );
    let shape = |stderr: &str| -> Vec<String> {
        stderr
            .lines()
            .filter(|l| !l.starts_with("  File ") && !l.starts_with("    "))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        shape(&frozen.stderr),
        shape(&cpython.stderr),
        "{}",
        frozen.stderr
    );
    assert_eq!(
        frozen.stderr.matches("  File ").count(),
        cpython.stderr.matches("  File ").count()
    );
}

/// The strip a user of `triple` would run: GNU binutils' for that target. (LLVM's
/// `llvm-strip` removes every non-allocated ELF section, the payload's included: see
/// docs/limits.md.)
fn strip_tool(triple: &str) -> PathBuf {
    let names: &[&str] = match triple {
        WINDOWS_GNU => &["x86_64-w64-mingw32-strip"],
        AARCH64_GNU | AARCH64_MUSL => &["aarch64-linux-gnu-strip"],
        _ => &["strip"],
    };
    which(names).unwrap_or_else(|| panic!("none of {names:?} on PATH"))
}

#[test]
fn windows_gnu_outputs_run_under_wine_as_cpython() {
    programs_match_cpython(WINDOWS_GNU);
}

#[test]
fn aarch64_linux_outputs_run_under_qemu_as_cpython() {
    programs_match_cpython(AARCH64_GNU);
}

#[test]
fn musl_outputs_run_natively_as_cpython() {
    programs_match_cpython(MUSL);
}

#[test]
fn aarch64_musl_outputs_run_under_qemu_as_cpython() {
    programs_match_cpython(AARCH64_MUSL);
}

// ---------------------------------------------------------------------------------------
// Linux outputs run on any Linux
// ---------------------------------------------------------------------------------------

/// The stub `cross/stub` builds (or has cached) for `triple`.
fn cross_stub(triple: &str) -> PathBuf {
    let mut cmd = Command::new("bash");
    cmd.arg(repo_root().join("cross/stub")).arg(triple);
    let out = cmd.output().expect("run cross/stub");
    assert!(
        out.status.success(),
        "cross/stub {triple} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim_end())
}

/// Run `exe ARGS` inside a root directory holding only the executable and `libs` (and
/// an empty /proc, mounted fresh), as root or in a user namespace. None when this machine
/// can do neither (outside CI).
fn run_in_bare_root(exe: &Path, libs: &[PathBuf], args: &[&str], stdin: &[u8]) -> Option<Run> {
    let Some(unshare) = which(&["unshare"]) else {
        missing_tool("unshare (Debian: util-linux)");
        return None;
    };
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("proc")).unwrap();
    std::fs::copy(exe, root.path().join("app")).unwrap();
    for lib in libs {
        let inside = root.path().join(lib.strip_prefix("/").unwrap());
        std::fs::create_dir_all(inside.parent().unwrap()).unwrap();
        std::fs::copy(lib, &inside).unwrap();
    }
    let root_user = is_root();
    let mut cmd = clean_command(&unshare);
    if !root_user {
        cmd.arg("--map-root-user");
    }
    cmd.args(["--fork", "--pid", "--mount"])
        .arg(format!(
            "--mount-proc={}",
            root.path().join("proc").display()
        ))
        .arg("chroot")
        .arg(root.path())
        .arg("/app")
        .args(args);
    let run = run_with_stdin(&mut cmd, stdin);
    if run.stderr.starts_with("unshare:") && !under_ci() {
        eprintln!(
            "skipped: cannot make a bare root here: {}",
            run.stderr.trim()
        );
        return None;
    }
    Some(run)
}

fn is_root() -> bool {
    // The effective user, from /proc (no libc call needed in a test).
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(2))
            == Some("0")
    })
}

/// Freeze hello and wordstats with `stub` for `triple`, then run them in a root holding
/// nothing but the C library (`libs`) and compare with CPython.
fn bare_root_runs_match_cpython(triple: &str, stub: &Path, libs: &[PathBuf]) {
    let ctx = Ctx::new();
    let examples = repo_root().join("examples");
    let hello = examples.join("hello/hello.py");
    let stub_arg = stub.to_str().unwrap();
    let out = freeze_for(&ctx, triple, &hello, "hello", &["--stub", stub_arg]);
    let Some(frozen) = run_in_bare_root(&out, libs, &[], b"") else {
        return;
    };
    assert_eq!(frozen, ctx.run_python(&hello, &[], b""));
    let wordstats = examples.join("wordstats/wordstats.py");
    let out = freeze_for(&ctx, triple, &wordstats, "ws", &["--stub", stub_arg]);
    let input = "Ünïcödé wörds, wörds: ça va\n".as_bytes();
    let frozen = run_in_bare_root(&out, libs, &["--json"], input).unwrap();
    assert_eq!(frozen, ctx.run_python(&wordstats, &["--json"], input));
}

/// The stub for `triple` when the target is enabled, with its [`dynamic_needs`].
fn stub_and_needs(triple: &str) -> Option<(PathBuf, Vec<String>, Option<(u32, u32)>)> {
    if !enabled(triple) {
        return None;
    }
    let stub = cross_stub(triple);
    let (needed, glibc) = dynamic_needs(&stub);
    Some((stub, needed, glibc))
}

#[test]
fn linux_gnu_release_stub_needs_only_glibc_2_17_and_runs_in_a_bare_root() {
    let Some((stub, needed, glibc)) = stub_and_needs(LINUX_GNU) else {
        return;
    };
    let foreign: Vec<_> = needed
        .iter()
        .filter(|n| !C_LIBRARY.contains(&n.as_str()))
        .collect();
    assert!(foreign.is_empty(), "needs {foreign:?} beyond the C library");
    let glibc = glibc.expect("links glibc");
    assert!(glibc <= (2, 17), "needs GLIBC_{}.{}", glibc.0, glibc.1);
    eprintln!(
        "{LINUX_GNU} stub needs {needed:?}, GLIBC_{}.{} at most",
        glibc.0, glibc.1
    );

    // The files ldd resolves those names to on this machine: the bare root's only content.
    let ldd = Command::new("ldd").arg(&stub).output().unwrap();
    let libs: Vec<PathBuf> = String::from_utf8_lossy(&ldd.stdout)
        .split_whitespace()
        .filter(|w| w.starts_with('/'))
        .map(PathBuf::from)
        .collect();
    assert!(!libs.is_empty(), "ldd found nothing");
    for lib in &libs {
        let name = lib.file_name().unwrap().to_str().unwrap();
        assert!(C_LIBRARY.contains(&name), "ldd resolves {name}");
    }
    bare_root_runs_match_cpython(LINUX_GNU, &stub, &libs);

    // ctypes works: libffi is inside the stub (calls and callbacks through qsort).
    let ctx = Ctx::new();
    let entry = fixture("ctypes_call.py");
    let stub_arg = stub.to_str().unwrap();
    let out = freeze_for(&ctx, LINUX_GNU, &entry, "ctypes", &["--stub", stub_arg]);
    let frozen = run_in_bare_root(&out, &libs, &[], b"").unwrap();
    assert_eq!(frozen, ctx.run_python(&entry, &[], b""));
}

#[test]
fn musl_stub_is_static_and_runs_in_an_empty_root() {
    let Some((stub, needed, glibc)) = stub_and_needs(MUSL) else {
        return;
    };
    assert_eq!((needed, glibc), (vec![], None), "not a static executable");
    bare_root_runs_match_cpython(MUSL, &stub, &[]);
}

#[test]
fn aarch64_musl_stub_is_static() {
    let Some((stub, needed, glibc)) = stub_and_needs(AARCH64_MUSL) else {
        return;
    };
    assert_eq!((needed, glibc), (vec![], None), "not a static executable");
    let readelf = Command::new("readelf")
        .arg("-lW")
        .arg(&stub)
        .output()
        .unwrap();
    let program_headers = String::from_utf8_lossy(&readelf.stdout);
    assert!(
        !program_headers.contains("INTERP"),
        "asks for a dynamic loader:\n{program_headers}"
    );
}

// ---------------------------------------------------------------------------------------
// macOS: the outputs' signatures (running them needs a Mac)
// ---------------------------------------------------------------------------------------

/// rcodesign (crates.io `apple-codesign`): on PATH, or where `.ci/run` installs it.
fn rcodesign() -> Option<PathBuf> {
    let cached = std::env::var_os("FREEZE_STUB_CACHE")
        .map(|c| PathBuf::from(c).join("cargo-tools/bin/rcodesign"));
    let found = which(&["rcodesign"]).or(cached.filter(|p| p.is_file()));
    if found.is_none() {
        missing_tool("rcodesign (cargo install apple-codesign --no-default-features)");
    }
    found
}

/// `rcodesign verify FILE`: (no problem found, the problems). Two findings are not
/// problems here:
/// - "no cryptographic signature present": an ad-hoc signature has no CMS signature by
///   design (the form freeze writes);
/// - "CMS error: missing further values (at position 0)" when the signature's CMS slot
///   holds an empty blob: the ad-hoc form Apple's `codesign -s -` and `rcodesign sign`
///   write, which rcodesign 0.29's verify parses as CMS data and fails on (its
///   `signature_data()` returns the empty slot; the reader's own `signed_data()` treats
///   it as absent). Its code-directory checks still run after that line.
///
/// Everything else (a code digest mismatch, a missing or damaged signature) is a problem.
fn verify(rcodesign: &Path, file: &Path) -> (bool, String) {
    let out = Command::new(rcodesign)
        .arg("verify")
        .arg(file)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let empty_cms = cms_blob_len(&std::fs::read(file).unwrap()) == Some(0);
    let problems: Vec<&str> = said
        .lines()
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with("(the verify command is known to be buggy")
                && *l != "no cryptographic signature present"
                && !(empty_cms && *l == "CMS error: missing further values (at position 0)")
                && *l != "Error: problems reported during verification"
        })
        .collect();
    (problems.is_empty(), problems.join("\n"))
}

/// The length of the CMS blob's data in a thin 64-bit Mach-O's embedded code signature
/// (None: no signature, or no CMS slot in it).
fn cms_blob_len(image: &[u8]) -> Option<usize> {
    const LC_CODE_SIGNATURE: u32 = 0x1d;
    const CSSLOT_SIGNATURESLOT: u32 = 0x10000;
    let le = |at: usize| u32::from_le_bytes(image[at..at + 4].try_into().unwrap());
    // The signature's blobs are big-endian.
    let be = |at: usize| u32::from_be_bytes(image[at..at + 4].try_into().unwrap());
    let mut at = 32;
    let mut signature = None;
    for _ in 0..le(16) {
        if le(at) == LC_CODE_SIGNATURE {
            signature = Some(le(at + 8) as usize);
        }
        at += le(at + 4) as usize;
    }
    let sb = signature?;
    (0..be(sb + 8) as usize)
        .map(|i| (be(sb + 12 + i * 8), be(sb + 16 + i * 8) as usize))
        .find(|&(slot, _)| slot == CSSLOT_SIGNATURESLOT)
        .map(|(_, offset)| be(sb + offset + 4) as usize - 8)
}

/// The file offset of the first 64-bit segment named `name` and its file size.
fn segment(image: &[u8], name: &str) -> (usize, usize) {
    let u32le = |at: usize| u32::from_le_bytes(image[at..at + 4].try_into().unwrap());
    let u64le = |at: usize| u64::from_le_bytes(image[at..at + 8].try_into().unwrap());
    let mut at = 32;
    for _ in 0..u32le(16) {
        if u32le(at) == 0x19 && image[at + 8..at + 24].starts_with(name.as_bytes()) {
            return (u64le(at + 40) as usize, u64le(at + 48) as usize);
        }
        at += u32le(at + 4) as usize;
    }
    panic!("no segment {name}");
}

/// A copy of `file` with one byte flipped at `offset`.
fn flipped(file: &Path, offset: usize, name: &str) -> PathBuf {
    let mut bytes = std::fs::read(file).unwrap();
    bytes[offset] ^= 0x01;
    let copy = file.with_file_name(name);
    std::fs::write(&copy, bytes).unwrap();
    copy
}

/// hello frozen for `triple`, and rcodesign to check it: (context, rcodesign, output);
/// None when the test is skipped.
fn mac_hello(triple: &str) -> Option<(Ctx, PathBuf, PathBuf)> {
    if !enabled(triple) {
        return None;
    }
    let rcodesign = rcodesign()?;
    let ctx = Ctx::new();
    let hello = repo_root().join("examples/hello/hello.py");
    let out = freeze_for(&ctx, triple, &hello, "hello", &[]);
    Some((ctx, rcodesign, out))
}

/// `rcodesign sign FILE SIGNED`: the signature must be rcodesign's ad-hoc form (an empty
/// CMS blob, see `verify`) and verify.
fn sign(rcodesign: &Path, file: &Path, signed: &Path) {
    let status = Command::new(rcodesign)
        .arg("sign")
        .arg(file)
        .arg(signed)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(cms_blob_len(&std::fs::read(signed).unwrap()), Some(0));
    let (ok, said) = verify(rcodesign, signed);
    assert!(
        ok,
        "rcodesign rejects the signed {}: {said}",
        signed.display()
    );
}

/// A byte flipped at each of `places` (what, offset) in a copy of the signed `file` is a
/// code digest mismatch.
fn assert_flips_are_caught(rcodesign: &Path, file: &Path, places: [(&str, usize); 2]) {
    for (what, offset) in places {
        let bad = flipped(file, offset, &format!("hello-{what}"));
        let (ok, said) = verify(rcodesign, &bad);
        assert!(
            !ok && said.contains("code digest mismatch"),
            "a flipped byte in {what}: {said}"
        );
    }
}

#[test]
fn macos_arm64_output_passes_rcodesign_verify_and_a_flipped_byte_fails_it() {
    let Some((ctx, rcodesign, out)) = mac_hello(MAC_ARM64) else {
        return;
    };
    let (ok, said) = verify(&rcodesign, &out);
    assert!(ok, "rcodesign rejects the arm64 output: {said}");
    let image = std::fs::read(&out).unwrap();
    let (text, _) = segment(&image, "__TEXT");
    let (sui, sui_len) = segment(&image, "__SUI");
    let places = [("__TEXT", text + 0x4000), ("payload", sui + sui_len / 2)];
    assert_flips_are_caught(&rcodesign, &out, places);
    // Re-signed by rcodesign (as a user re-signs), the output still verifies: the empty
    // CMS blob that form carries is rcodesign's, whatever the layout.
    sign(&rcodesign, &out, &ctx.path("hello-resigned"));
}

/// The x86-64 output is unsigned as frozen here, as libsui (and `deno compile`) leave it
/// outside macOS: Intel Macs and Rosetta run unsigned x86-64 code (only native arm64 code
/// must be signed). What a user does next is sign it; ad hoc here, and the signature then
/// covers the payload like every other page.
#[test]
fn macos_x86_64_output_is_unsigned_and_signs_and_verifies_with_rcodesign() {
    let Some((ctx, rcodesign, out)) = mac_hello(MAC_X86_64) else {
        return;
    };
    let (ok, said) = verify(&rcodesign, &out);
    assert!(!ok && said == "Mach-O signature data not found", "{said}");
    let signed = ctx.path("hello-signed");
    sign(&rcodesign, &out, &signed);
    // The payload (appended inside __LINKEDIT, before the signature) and the code are
    // covered: a flipped byte in either is a code digest mismatch.
    let image = std::fs::read(&signed).unwrap();
    let marker = b"<~sui-data~>";
    let at = image
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("payload marker");
    let (text, _) = segment(&image, "__TEXT");
    let places = [
        ("__TEXT", text + 0x4000),
        ("payload", at + marker.len() + 64),
    ];
    assert_flips_are_caught(&rcodesign, &signed, places);
}
