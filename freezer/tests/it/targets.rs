//! Outputs for other platforms: payloads embedded into a real Windows executable and found
//! by the Windows resource API under wine; payloads embedded into Mach-O executables and
//! checked with LLVM's readers and a code-signature check written here; `--target` and
//! `--list-targets` on the command line. (ELF outputs are covered by the runtime tests,
//! including `output_still_runs_after_strip`.)
//!
//! Tools: mingw-w64 and wine for the PE test, llvm-readobj / llvm-objcopy for the Mach-O
//! cross-checks. A test whose tool is missing says so and skips — except under CI, where
//! `.ci/run` installs them and a missing tool is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::common::lib_api::{HOST, TARGETS, embed, target};
use crate::common::tools::{missing_tool, scratch, which};
use crate::common::{Ctx, Run, RunExt, assert_contains, repo_root, stub};
use sha2::{Digest, Sha256};

const SIZES: &[(&str, usize)] = &[("1 B", 1), ("1 MB", 1 << 20), ("50 MB", 50 << 20)];

fn fixture(rel: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(rel)
}

/// Deterministic bytes that differ at every position (xorshift64*).
fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
        })
        .collect()
}

/// 32-bit FNV-1a, as pe-probe.c computes it.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(2_166_136_261u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(16_777_619)
    })
}

// ---------------------------------------------------------------------------------------
// Windows: a real PE under wine
// ---------------------------------------------------------------------------------------

struct Wine {
    wine: &'static crate::common::wine::Wine,
    probe: PathBuf,
    objdump: PathBuf,
}

/// pe-probe.exe, built once per test run, and a wine that runs it headless.
fn wine_probe() -> Option<&'static Wine> {
    static PROBE: OnceLock<Option<Wine>> = OnceLock::new();
    PROBE
        .get_or_init(|| {
            let wine = crate::common::wine::wine()?;
            let probe = scratch("pe-probe").join("pe-probe.exe");
            crate::common::wine::mingw_build(&fixture("pe-probe.c"), &probe, &[]);
            let objdump = which(&["x86_64-w64-mingw32-objdump"])
                .expect("mingw-w64's binutils come with its gcc");
            let wine = Wine {
                wine,
                probe,
                objdump,
            };
            // Starts (and on first use creates) the wine prefix; the bare probe finds nothing.
            let (stdout, code) = wine.run(&wine.probe);
            assert_eq!(
                (stdout.as_str(), code),
                ("no payload", Some(3)),
                "bare probe"
            );
            Some(wine)
        })
        .as_ref()
}

impl Wine {
    /// Run a Windows program headless: (stdout without the trailing line end, exit code).
    fn run(&self, exe: &Path) -> (String, Option<i32>) {
        let out = self.wine.command(exe).output().expect("run wine");
        let stdout = String::from_utf8_lossy(&out.stdout);
        (
            stdout.trim_end_matches(['\r', '\n']).to_owned(),
            out.status.code(),
        )
    }
}

#[test]
fn pe_payloads_of_each_size_are_found_by_the_windows_resource_api_under_wine() {
    let Some(wine) = wine_probe() else { return };
    let dir = tempfile::tempdir().unwrap();
    let win = target("x86_64-pc-windows-gnu");
    for &(label, len) in SIZES {
        let payload = pattern(len, len as u64);
        let out = dir.path().join(format!("probe-{len}.exe"));
        let size = embed(&wine.probe, Some(win), &payload, &out).unwrap();
        assert_eq!(size as u64, std::fs::metadata(&out).unwrap().len());
        let (stdout, code) = wine.run(&out);
        assert_eq!(
            (stdout.as_str(), code),
            (format!("{len} {:08x}", fnv1a(&payload)).as_str(), Some(0)),
            "{label} payload as the Windows resource API sees it"
        );
        // binutils' PE reader (an independent one) accepts the output, symbol table and all.
        let objdump = Command::new(&wine.objdump)
            .args(["-p", "-t"])
            .arg(&out)
            .output()
            .unwrap();
        let listing = String::from_utf8_lossy(&objdump.stdout);
        assert!(
            objdump.status.success() && listing.contains("pe-probe.c"),
            "objdump rejects the {label} output: {}",
            String::from_utf8_lossy(&objdump.stderr)
        );
        eprintln!("{label}: {stdout} under wine ({size} byte executable)");
        std::fs::remove_file(&out).unwrap();
    }
}

/// Embedding `payload` into `stub` is refused, "runtime stub STUB is unusable: WHY", and
/// `out` is not written.
fn assert_unusable(stub: &Path, payload: &[u8], out: &Path, why: &str) {
    let err = embed(stub, None, payload, out).unwrap_err();
    let stub = stub.display();
    assert_eq!(
        err.to_string(),
        format!("runtime stub {stub} is unusable: {why}")
    );
    assert!(!out.exists());
}

#[test]
fn pe_stub_with_a_payload_is_refused() {
    let Some(wine) = wine_probe() else { return };
    let dir = tempfile::tempdir().unwrap();
    let once = dir.path().join("once.exe");
    embed(&wine.probe, None, b"first", &once).unwrap();
    assert_unusable(
        &once,
        b"second",
        &dir.path().join("twice.exe"),
        "it already carries a freeze payload (is it a frozen program rather than a runtime stub?)",
    );
}

#[test]
fn pe_stub_with_an_authenticode_signature_is_refused() {
    let Some(wine) = wine_probe() else { return };
    // The probe with a certificate table entry (data directory 4) over 8 appended bytes.
    let mut signed = std::fs::read(&wine.probe).unwrap();
    let pe = u32le(&signed, 0x3c) as usize;
    let dirs = pe + 24 + 112; // PE32+ optional header: data directories
    let at = signed.len() as u32;
    signed[dirs + 32..dirs + 36].copy_from_slice(&at.to_le_bytes());
    signed[dirs + 36..dirs + 40].copy_from_slice(&8u32.to_le_bytes());
    signed.extend_from_slice(&[0; 8]);
    let dir = tempfile::tempdir().unwrap();
    let stub = dir.path().join("signed.exe");
    std::fs::write(&stub, signed).unwrap();
    assert_unusable(
        &stub,
        b"x",
        &dir.path().join("out.exe"),
        "it carries an Authenticode signature, which embedding would invalidate; use an unsigned stub and sign the output",
    );
}

/// The payload of `app.py` frozen for the host: the bytes every target's output must carry.
fn host_payload(ctx: &Ctx) -> Vec<u8> {
    let host = ctx.freeze_ok(["app.py"], "app-host");
    let image = std::fs::read(host).unwrap();
    freeze_payload::elf::find_section(&image, freeze_payload::elf::ELF_SECTION)
        .unwrap()
        .expect("host output carries a payload")
        .to_vec()
}

/// An empty stub directory, `stubs`, in the context.
fn stub_dir(ctx: &Ctx) -> PathBuf {
    let stubs = ctx.path("stubs");
    std::fs::create_dir(&stubs).unwrap();
    stubs
}

/// A program for the cross-target freezes.
const JSON_APP: &str = "import json\nprint(json.dumps({'frozen': True}))\n";

/// `freeze --target` with FREEZE_STUB_DIR holding `stubs` (and no FREEZE_STUB).
fn freeze_for(ctx: &Ctx, triple: &str, stubs: &Path, output: &str) -> Run {
    ctx.freeze_without_stub()
        .env("FREEZE_STUB_DIR", stubs)
        .args(["app.py", "-o", output, "--target", triple])
        .run()
}

#[test]
fn freeze_for_windows_from_a_stub_directory_carries_the_same_payload_as_the_host_build() {
    let Some(wine) = wine_probe() else { return };
    let ctx = Ctx::with_files(&[("app.py", JSON_APP)]);
    let stubs = stub_dir(&ctx);
    let win = target("x86_64-pc-windows-msvc");
    std::fs::copy(&wine.probe, stubs.join(win.stub_file_name())).unwrap();
    let run = freeze_for(&ctx, win.triple, &stubs, "app.exe");
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let payload = host_payload(&ctx);
    assert!(freeze_payload::Payload::parse(&payload).is_ok());
    let (stdout, code) = wine.run(&ctx.path("app.exe"));
    assert_eq!(
        (stdout, code),
        (
            format!("{} {:08x}", payload.len(), fnv1a(&payload)),
            Some(0)
        )
    );
}

// ---------------------------------------------------------------------------------------
// macOS: Mach-O section, segment and ad-hoc signature
// ---------------------------------------------------------------------------------------

fn u32le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}
fn u64le(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}
fn u32be(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(b[at..at + 4].try_into().unwrap())
}
fn u64be(b: &[u8], at: usize) -> u64 {
    u64::from_be_bytes(b[at..at + 8].try_into().unwrap())
}

/// A 64-bit segment: (name, fileoff, filesize).
type Segment = (String, u64, u64);

/// Load commands of a thin 64-bit Mach-O: segments and the code signature's
/// (dataoff, datasize), read here without libsui.
fn macho_layout(image: &[u8]) -> (Vec<Segment>, Option<(usize, usize)>) {
    assert_eq!(u32le(image, 0), 0xfeed_facf, "not a 64-bit Mach-O");
    let ncmds = u32le(image, 16) as usize;
    let mut at = 32;
    let mut segments = Vec::new();
    let mut signature = None;
    for _ in 0..ncmds {
        let (cmd, size) = (u32le(image, at), u32le(image, at + 4) as usize);
        match cmd {
            0x19 => {
                let raw = &image[at + 8..at + 24];
                let name = String::from_utf8_lossy(raw)
                    .trim_end_matches('\0')
                    .to_owned();
                segments.push((name, u64le(image, at + 40), u64le(image, at + 48)));
            }
            0x1d => {
                signature = Some((
                    u32le(image, at + 8) as usize,
                    u32le(image, at + 12) as usize,
                ))
            }
            _ => {}
        }
        at += size;
    }
    (segments, signature)
}

/// Verify an embedded ad-hoc signature: the SuperBlob's CodeDirectory hashes (SHA-256)
/// every 4096-byte page of the file up to its code limit, which is where the signature
/// starts; the signature is the last thing in the file and in __LINKEDIT; the executable
/// segment it names is __TEXT. Returns the number of pages checked.
fn verify_adhoc_signature(image: &[u8]) -> Result<usize, String> {
    let (segments, signature) = macho_layout(image);
    let (sig_off, sig_len) = signature.ok_or("no LC_CODE_SIGNATURE")?;
    if sig_off + sig_len != image.len() {
        return Err(format!(
            "signature ends at {} but the file at {}",
            sig_off + sig_len,
            image.len()
        ));
    }
    let linkedit = segments.iter().find(|s| s.0 == "__LINKEDIT").unwrap();
    if linkedit.1 + linkedit.2 != image.len() as u64 || (sig_off as u64) < linkedit.1 {
        return Err("the signature is not at the end of __LINKEDIT".into());
    }
    let sig = &image[sig_off..];
    if u32be(sig, 0) != 0xfade_0cc0 {
        return Err("no embedded-signature SuperBlob".into());
    }
    let count = u32be(sig, 8) as usize;
    let cd_off = (0..count)
        .map(|i| (u32be(sig, 12 + 8 * i), u32be(sig, 16 + 8 * i) as usize))
        .find(|&(slot, _)| slot == 0)
        .ok_or("no CodeDirectory slot")?
        .1;
    let cd = &sig[cd_off..];
    if u32be(cd, 0) != 0xfade_0c02 {
        return Err("CodeDirectory magic is wrong".into());
    }
    let version = u32be(cd, 8);
    let hash_offset = u32be(cd, 16) as usize;
    let n_code_slots = u32be(cd, 28) as usize;
    let code_limit = u32be(cd, 32) as usize;
    let (hash_size, hash_type, page_shift) = (cd[36], cd[37], cd[39]);
    if (hash_size, hash_type, page_shift) != (32, 2, 12) {
        return Err(format!(
            "expected SHA-256 hashes of 4096-byte pages, found size {hash_size} type {hash_type} page 2^{page_shift}"
        ));
    }
    if code_limit != sig_off {
        return Err(format!(
            "code limit {code_limit} is not the signature offset {sig_off}"
        ));
    }
    if n_code_slots != code_limit.div_ceil(4096) {
        return Err(format!("{n_code_slots} code slots for {code_limit} bytes"));
    }
    for page in 0..n_code_slots {
        let start = page * 4096;
        let end = (start + 4096).min(code_limit);
        let want = &cd[hash_offset + 32 * page..hash_offset + 32 * (page + 1)];
        if Sha256::digest(&image[start..end]).as_slice() != want {
            return Err(format!(
                "page {page} (bytes {start}..{end}) does not match its hash slot"
            ));
        }
    }
    if version >= 0x20400 {
        let text = segments.iter().find(|s| s.0 == "__TEXT").unwrap();
        let (base, limit) = (u64be(cd, 64), u64be(cd, 72));
        if (base, limit) != (text.1, text.2) {
            return Err(format!(
                "executable segment {base}+{limit} is not __TEXT {}+{}",
                text.1, text.2
            ));
        }
    }
    Ok(n_code_slots)
}

/// `llvm-readobj --macho-segment --sections`, split into its `Segment {` / `Section {`
/// blocks as key → value maps.
fn readobj_blocks(readobj: &Path, file: &Path) -> Vec<(String, Vec<(String, String)>)> {
    let out = Command::new(readobj)
        .args(["--macho-segment", "--sections"])
        .arg(file)
        .output()
        .expect("run llvm-readobj");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "llvm-readobj rejects {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut blocks = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(kind) = trimmed.strip_suffix(" {")
            && (kind == "Segment" || kind == "Section")
        {
            blocks.push((kind.to_owned(), Vec::new()));
        } else if let Some((key, value)) = trimmed.split_once(": ")
            && let Some(block) = blocks.last_mut()
        {
            block.1.push((key.to_owned(), value.to_owned()));
        }
    }
    blocks
}

fn field<'a>(block: &'a [(String, String)], key: &str) -> &'a str {
    block
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {key} in {block:?}"))
}

/// The first word of a readobj value as a number ("0x464EE5", "49152", "__SUI (5F …)").
fn number(value: &str) -> u64 {
    let word = value.split_whitespace().next().unwrap();
    match word.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).unwrap(),
        None => word.parse().unwrap(),
    }
}

fn name(value: &str) -> &str {
    value.split_whitespace().next().unwrap()
}

/// (offset, size) of section `seg,sect` according to llvm-readobj.
fn readobj_section(
    blocks: &[(String, Vec<(String, String)>)],
    seg: &str,
    sect: &str,
) -> Option<(usize, usize)> {
    blocks.iter().find_map(|(kind, b)| {
        (kind == "Section" && name(field(b, "Name")) == sect && name(field(b, "Segment")) == seg)
            .then(|| {
                (
                    number(field(b, "Offset")) as usize,
                    number(field(b, "Size")) as usize,
                )
            })
    })
}

struct Llvm {
    readobj: PathBuf,
    objcopy: PathBuf,
}

fn llvm() -> Option<Llvm> {
    let readobj = which(&[
        "llvm-readobj",
        "llvm-readobj-16",
        "llvm-readobj-15",
        "llvm-readobj-14",
    ]);
    let objcopy = which(&[
        "llvm-objcopy",
        "llvm-objcopy-16",
        "llvm-objcopy-15",
        "llvm-objcopy-14",
    ]);
    match (readobj, objcopy) {
        (Some(readobj), Some(objcopy)) => Some(Llvm { readobj, objcopy }),
        _ => {
            missing_tool("llvm-readobj / llvm-objcopy (Debian: llvm)");
            None
        }
    }
}

/// Everything a reader other than libsui can tell about an arm64 output.
fn check_arm64_output(llvm: Option<&Llvm>, stub: &Path, out: &Path, payload: &[u8]) {
    let image = std::fs::read(out).unwrap();
    let original = std::fs::read(stub).unwrap();

    // Our own reading: the payload segment, and the signature over every page.
    let (segments, _) = macho_layout(&image);
    let sui = segments
        .iter()
        .find(|s| s.0 == "__SUI")
        .expect("a __SUI segment");
    let at = sui.1 as usize;
    assert_eq!(
        &image[at..at + payload.len()],
        payload,
        "payload bytes at the segment"
    );
    let pages = verify_adhoc_signature(&image).unwrap();
    let (sig_off, _) = macho_layout(&image).1.unwrap();
    assert_eq!(
        pages,
        sig_off.div_ceil(4096),
        "every page before the signature is hashed"
    );
    assert!(
        sig_off >= at + payload.len(),
        "the payload lies under the signature"
    );

    let Some(llvm) = llvm else { return };
    // LLVM's reading: the segment and section are where we say, the bytes intact, and the
    // program's own code untouched.
    let blocks = readobj_blocks(&llvm.readobj, out);
    let seg = blocks
        .iter()
        .find(|(k, b)| k == "Segment" && name(field(b, "Name")) == "__SUI")
        .map(|(_, b)| b)
        .expect("llvm-readobj lists the __SUI segment");
    assert_eq!(field(seg, "maxprot"), "r--");
    assert_eq!(number(field(seg, "fileoff")), sui.1);
    assert!(number(field(seg, "filesize")) >= payload.len() as u64);
    let (offset, size) =
        readobj_section(&blocks, "__SUI", "freezepayload").expect("section __SUI,freezepayload");
    assert_eq!(size, payload.len());
    assert_eq!(&image[offset..offset + size], payload);
    let dumped = tempfile::NamedTempFile::new().unwrap();
    let copy = tempfile::NamedTempFile::new().unwrap();
    let status = Command::new(&llvm.objcopy)
        .arg(format!(
            "--dump-section=__SUI,freezepayload={}",
            dumped.path().display()
        ))
        .arg(out)
        .arg(copy.path())
        .status()
        .unwrap();
    assert!(status.success(), "llvm-objcopy --dump-section failed");
    assert_eq!(
        std::fs::read(dumped.path()).unwrap(),
        payload,
        "llvm-objcopy's section bytes"
    );

    let before = readobj_blocks(&llvm.readobj, stub);
    let (t0, n0) = readobj_section(&before, "__TEXT", "__text").unwrap();
    let (t1, n1) = readobj_section(&blocks, "__TEXT", "__text").unwrap();
    assert_eq!(
        &image[t1..t1 + n1],
        &original[t0..t0 + n0],
        "__text changed"
    );
}

#[test]
fn the_signature_check_accepts_the_linkers_signature_and_catches_a_changed_byte() {
    let image = std::fs::read(fixture("macho/hello-arm64")).unwrap();
    assert!(verify_adhoc_signature(&image).unwrap() > 0);
    let mut changed = image.clone();
    changed[100] ^= 1;
    let err = verify_adhoc_signature(&changed).unwrap_err();
    assert!(err.starts_with("page 0 "), "{err}");
}

#[test]
fn macho_arm64_payloads_of_each_size_sit_in_their_own_segment_under_a_valid_signature() {
    let llvm = llvm();
    let stub = fixture("macho/hello-arm64");
    let dir = tempfile::tempdir().unwrap();
    for &(label, len) in SIZES {
        let payload = pattern(len, 7 + len as u64);
        let out = dir.path().join(format!("out-{len}"));
        embed(&stub, Some(target("aarch64-apple-darwin")), &payload, &out).unwrap();
        check_arm64_output(llvm.as_ref(), &stub, &out, &payload);
        eprintln!(
            "{label}: __SUI,freezepayload intact, {} signed pages verified",
            verify_adhoc_signature(&std::fs::read(&out).unwrap()).unwrap()
        );
        std::fs::remove_file(&out).unwrap();
    }
}

#[test]
fn macho_x86_64_payload_is_appended_inside_linkedit_and_readable() {
    let llvm = llvm();
    let stub = fixture("macho/hello-x86_64");
    let dir = tempfile::tempdir().unwrap();
    let payload = pattern(1 << 20, 99);
    let out = dir.path().join("out");
    embed(&stub, Some(target("x86_64-apple-darwin")), &payload, &out).unwrap();
    let image = std::fs::read(&out).unwrap();
    let original = std::fs::read(&stub).unwrap();
    // libsui's x86-64 form: the stub, a marker, the length, the payload; __LINKEDIT grows
    // to cover it so the file stays one well-formed image.
    let mut tail = b"<~sui-data~>".to_vec();
    tail.extend_from_slice(&[0xef, 0xbe, 0xad, 0xde]);
    tail.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    tail.extend_from_slice(&payload);
    assert!(image.ends_with(&tail));
    assert_eq!(image.len(), original.len() + tail.len());
    let (segments, signature) = macho_layout(&image);
    assert_eq!(signature, None);
    let linkedit = segments.iter().find(|s| s.0 == "__LINKEDIT").unwrap();
    assert_eq!(linkedit.1 + linkedit.2, image.len() as u64);
    if let Some(llvm) = llvm {
        let blocks = readobj_blocks(&llvm.readobj, &out);
        let seg = blocks
            .iter()
            .find(|(k, b)| k == "Segment" && name(field(b, "Name")) == "__LINKEDIT")
            .map(|(_, b)| b)
            .unwrap();
        assert_eq!(
            number(field(seg, "fileoff")) + number(field(seg, "filesize")),
            image.len() as u64
        );
        let before = readobj_blocks(&llvm.readobj, &stub);
        let (t0, n0) = readobj_section(&before, "__TEXT", "__text").unwrap();
        let (t1, n1) = readobj_section(&blocks, "__TEXT", "__text").unwrap();
        assert_eq!(&image[t1..t1 + n1], &original[t0..t0 + n0]);
    }
    // Frozen once is enough.
    let err = embed(&out, None, b"again", &dir.path().join("twice")).unwrap_err();
    assert!(err.to_string().ends_with("it already carries a freeze payload (is it a frozen program rather than a runtime stub?)"), "{err}");
}

#[test]
fn freeze_for_macos_from_a_stub_directory_carries_the_same_payload_as_the_host_build() {
    let llvm = llvm();
    let ctx = Ctx::with_files(&[("app.py", JSON_APP)]);
    let stubs = stub_dir(&ctx);
    let mac = target("aarch64-apple-darwin");
    let stub = stubs.join(mac.stub_file_name());
    std::fs::copy(fixture("macho/hello-arm64"), &stub).unwrap();
    let run = freeze_for(&ctx, mac.triple, &stubs, "app-mac");
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let payload = host_payload(&ctx);
    check_arm64_output(llvm.as_ref(), &stub, &ctx.path("app-mac"), &payload);
    // A second freeze onto the output is refused.
    let err = embed(&ctx.path("app-mac"), None, b"x", &ctx.path("again")).unwrap_err();
    assert!(
        err.to_string().contains("already carries a freeze payload"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------
// Refusals and the target list
// ---------------------------------------------------------------------------------------

/// Run freeze expecting a one-line error, exit 1 and no output; returns that line.
fn refused(ctx: &Ctx, args: &[&str], env: &[(&str, &Path)]) -> String {
    let err = ctx.assert_refused_by(ctx.freeze().args(args).envs(env.iter().copied()), "out");
    assert_eq!(err.lines().count(), 1, "{err}");
    err.trim_end().to_owned()
}

fn host_elf_kind() -> &'static str {
    if cfg!(target_arch = "aarch64") {
        "an ELF aarch64 executable"
    } else {
        "an ELF x86-64 executable"
    }
}

#[test]
fn stubs_of_another_format_or_architecture_are_refused_naming_both_sides() {
    let ctx = Ctx::with_files(&[("app.py", "print('hi')\n")]);
    std::fs::copy(stub(), ctx.path("linux-stub")).unwrap();
    std::fs::copy(fixture("macho/hello-arm64"), ctx.path("mac-arm64")).unwrap();
    std::fs::copy(fixture("macho/hello-x86_64"), ctx.path("mac-x86_64")).unwrap();
    let cases = [
        (
            "linux-stub",
            "aarch64-apple-darwin",
            format!(
                "error: runtime stub linux-stub is {}, but --target aarch64-apple-darwin needs a Mach-O arm64 one",
                host_elf_kind()
            ),
        ),
        (
            "mac-x86_64",
            "aarch64-apple-darwin",
            "error: runtime stub mac-x86_64 is a Mach-O x86-64 executable, but --target aarch64-apple-darwin needs a Mach-O arm64 one".to_owned(),
        ),
        (
            "mac-arm64",
            "x86_64-pc-windows-msvc",
            "error: runtime stub mac-arm64 is a Mach-O arm64 executable, but --target x86_64-pc-windows-msvc needs a PE x86-64 one".to_owned(),
        ),
        (
            "mac-arm64",
            "aarch64-unknown-linux-gnu",
            "error: runtime stub mac-arm64 is a Mach-O arm64 executable, but --target aarch64-unknown-linux-gnu needs an ELF aarch64 one".to_owned(),
        ),
    ];
    for (stub_file, triple, expected) in cases {
        let err = refused(
            &ctx,
            &["app.py", "--stub", stub_file, "--target", triple],
            &[],
        );
        assert_eq!(err, expected);
    }
}

#[test]
fn macho_stubs_libsui_cannot_write_correctly_are_refused() {
    let ctx = Ctx::with_files(&[("app.py", "print('hi')\n")]);
    std::fs::copy(fixture("macho/hello-arm64-nopad"), ctx.path("nopad")).unwrap();
    std::fs::copy(fixture("macho/hello-x86_64-signed"), ctx.path("signed")).unwrap();
    // The same arm64 program with its 16-byte code signature command turned into a
    // 16-byte LC_SOURCE_VERSION: no signature for libsui's signer to replace.
    let mut unsigned = std::fs::read(fixture("macho/hello-arm64")).unwrap();
    let ncmds = u32le(&unsigned, 16) as usize;
    let mut at = 32;
    for _ in 0..ncmds {
        if u32le(&unsigned, at) == 0x1d {
            unsigned[at..at + 4].copy_from_slice(&0x2au32.to_le_bytes());
        }
        at += u32le(&unsigned, at + 4) as usize;
    }
    ctx.write("unsigned", &unsigned);

    let err = refused(
        &ctx,
        &[
            "app.py",
            "--stub",
            "nopad",
            "--target",
            "aarch64-apple-darwin",
        ],
        &[],
    );
    assert_eq!(
        err,
        "error: runtime stub nopad is unusable: it has 32 bytes free after its load commands and the payload's segment needs 152; relink the stub with more header padding (-headerpad 0x1000)"
    );
    let err = refused(&ctx, &["app.py", "--stub", "unsigned"], &[]);
    assert_eq!(
        err,
        "error: runtime stub unsigned is unusable: it is a Mach-O arm64 executable without a code signature, which the output's ad-hoc signature must replace; link the stub with one (Apple's linker signs arm64 ad hoc by default)"
    );
    if !cfg!(target_vendor = "apple") {
        let err = refused(
            &ctx,
            &[
                "app.py",
                "--stub",
                "signed",
                "--target",
                "x86_64-apple-darwin",
            ],
            &[],
        );
        assert_eq!(
            err,
            "error: runtime stub signed is unusable: it is a code-signed Mach-O x86-64 executable, and embedding outside macOS would leave that signature invalid; remove it first (codesign --remove-signature, on a Mac) or freeze on macOS"
        );
    }
}

#[test]
fn unknown_target_lists_the_known_ones() {
    let ctx = Ctx::with_files(&[("app.py", "print('hi')\n")]);
    let err = refused(&ctx, &["app.py", "--target", "x86_64-unknown-freebsd"], &[]);
    assert_eq!(
        err,
        "error: unknown target 'x86_64-unknown-freebsd'; known targets: x86_64-unknown-linux-gnu, x86_64-unknown-linux-musl, aarch64-unknown-linux-gnu, aarch64-unknown-linux-musl, x86_64-pc-windows-msvc, x86_64-pc-windows-gnu, aarch64-apple-darwin, x86_64-apple-darwin"
    );
}

#[test]
fn target_without_a_stub_in_the_stub_directory_says_where_it_looked() {
    let ctx = Ctx::with_files(&[("app.py", "print('hi')\n")]);
    let stubs = stub_dir(&ctx);
    let triple = if HOST == "x86_64-pc-windows-gnu" {
        "aarch64-apple-darwin"
    } else {
        "x86_64-pc-windows-gnu"
    };
    let file = target(triple).stub_file_name();
    let err = refused(
        &ctx,
        &["app.py", "--target", triple],
        &[("FREEZE_STUB_DIR", &stubs)],
    );
    assert_eq!(
        err,
        format!(
            "error: no runtime stub for --target {triple}: {} does not exist (stub directory: FREEZE_STUB_DIR); install it with `pip install 'freeze-py[{extra}]=={}'`, put {file} there (a freeze release asset), set FREEZE_STUB_DIR to the directory holding it, or pass --stub FILE",
            stubs.join(&file).display(),
            env!("CARGO_PKG_VERSION"),
            extra = if triple.contains("windows") {
                "windows"
            } else {
                "macos"
            },
        )
    );
}

#[test]
fn host_target_with_an_empty_stub_directory_uses_the_host_stub() {
    let ctx = Ctx::with_files(&[("app.py", "print('host ok')\n")]);
    let stubs = stub_dir(&ctx);
    let run = ctx
        .freeze()
        .env("FREEZE_STUB_DIR", &stubs)
        .args(["app.py", "-o", "host", "--target", HOST])
        .run();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(ctx.run(&ctx.path("host"), &[], b"").stdout, "host ok\n");
}

#[test]
fn an_installed_freeze_finds_target_stubs_beside_itself() {
    let ctx = Ctx::with_files(&[("app.py", "print('hi')\n")]);
    let freeze = ctx.install_freeze("bin");
    let mac = target("aarch64-apple-darwin");
    std::fs::copy(
        fixture("macho/hello-arm64"),
        ctx.path("bin").join(mac.stub_file_name()),
    )
    .unwrap();
    let run = ctx
        .command(&freeze)
        .args(["app.py", "-o", "app", "--target", mac.triple])
        .run();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let image = std::fs::read(ctx.path("app")).unwrap();
    assert!(macho_layout(&image).0.iter().any(|s| s.0 == "__SUI"));
    verify_adhoc_signature(&image).unwrap();
}

#[test]
fn list_targets_names_every_target_and_its_stub() {
    let ctx = Ctx::new();
    let stubs = stub_dir(&ctx);
    let arm = target("aarch64-apple-darwin");
    let intel = target("x86_64-apple-darwin");
    let win = target("x86_64-pc-windows-msvc");
    std::fs::copy(
        fixture("macho/hello-arm64"),
        stubs.join(arm.stub_file_name()),
    )
    .unwrap();
    // Misnamed: an arm64 stub under the x86-64 name.
    std::fs::copy(
        fixture("macho/hello-arm64"),
        stubs.join(intel.stub_file_name()),
    )
    .unwrap();
    std::fs::write(stubs.join(win.stub_file_name()), "not a program").unwrap();

    let run = ctx
        .freeze()
        .env("FREEZE_STUB_DIR", &stubs)
        .arg("--list-targets")
        .run();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stderr, "");

    let mut expected = format!("stub directory: {} (FREEZE_STUB_DIR)\n", stubs.display());
    for t in TARGETS {
        let path = stubs.join(t.stub_file_name());
        let label = if t.is_host() {
            format!("{} (host)", t.triple)
        } else {
            t.triple.to_owned()
        };
        let state = if t == arm {
            format!("available  {}", path.display())
        } else if t == intel {
            format!(
                "unusable   {} is a Mach-O arm64 executable, but this target needs a Mach-O x86-64 one",
                path.display()
            )
        } else if t == win {
            format!(
                "unusable   {} is not an executable (no ELF, PE or Mach-O header)",
                path.display()
            )
        } else if t.is_host() {
            format!("available  {} (FREEZE_STUB)", stub().display())
        } else {
            match freezer::stubs::install_command(t) {
                Some(cmd) => format!("missing    {}; install: {cmd}", path.display()),
                None => format!("missing    {}", path.display()),
            }
        };
        expected.push_str(&format!("{label:<34} {state}\n"));
    }
    assert_eq!(run.stdout, expected);
    assert_eq!(run.stdout.lines().count(), 1 + TARGETS.len());
}

#[test]
fn the_target_platforms_own_native_modules_are_not_reported_missing() {
    let ctx = Ctx::with_files(&[(
        "app.py",
        "import sys\nif sys.platform == 'darwin':\n    import _scproxy\nprint('hi')\n",
    )]);
    let stubs = stub_dir(&ctx);
    let mac = target("aarch64-apple-darwin");
    std::fs::copy(
        fixture("macho/hello-arm64"),
        stubs.join(mac.stub_file_name()),
    )
    .unwrap();
    // macOS's VM has _scproxy built in: nothing to warn about.
    let run = freeze_for(&ctx, mac.triple, &stubs, "app-mac");
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    // Linux's has not, but the import is macOS's own (and guarded by the platform
    // test): nothing to warn about on Linux either.
    if !cfg!(target_vendor = "apple") {
        let run = ctx.freeze().args(["app.py", "-o", "app-host"]).run();
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    }
}
