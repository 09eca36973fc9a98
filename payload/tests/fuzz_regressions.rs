//! Inputs the fuzzer once crashed the reader with (fuzz/fuzz_targets/payload_parse.rs):
//! each is tried as it is and behind a valid header, exactly as the fuzz target does.

use freeze_payload::Payload;

/// As the fuzz target: `[split: u16][body]`, the body's first `split` bytes the manifest.
fn framed(data: &[u8]) -> Vec<u8> {
    let body = &data[2.min(data.len())..];
    let split = match data {
        [a, b, ..] => u16::from_le_bytes([*a, *b]) as usize,
        _ => 0,
    };
    let split = split.min(body.len());
    freeze_payload::frame(&body[..split], &body[split..])
}

fn read_everything(bytes: &[u8]) {
    if let Ok(payload) = Payload::parse(bytes) {
        for module in &payload.manifest.modules {
            let _ = payload.code(module);
            let _ = payload.source(module);
        }
        for file in &payload.manifest.data {
            let _ = payload.data(&file.path);
        }
    }
}

#[test]
fn fuzz_crash_inputs_are_refused_cleanly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        read_everything(&data);
        read_everything(&framed(&data));
        count += 1;
    }
    assert!(count > 0);
}
