//! Inputs the fuzzer once crashed the reader with (fuzz/fuzz_targets/payload_parse.rs):
//! each is tried as it is and behind a valid header, exactly as the fuzz target does.

use freeze_payload::{FORMAT_VERSION, HEADER_LEN, MAGIC, Payload, RUSTPYTHON_VERSION};

fn framed(data: &[u8]) -> Vec<u8> {
    let body = &data[2.min(data.len())..];
    let split = if data.len() < 2 {
        0
    } else {
        u16::from_le_bytes([data[0], data[1]]) as usize
    };
    let split = split.min(body.len());
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    let mut vm = [0u8; 16];
    vm[..RUSTPYTHON_VERSION.len()].copy_from_slice(RUSTPYTHON_VERSION.as_bytes());
    out.extend_from_slice(&vm);
    out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    out.extend_from_slice(&(split as u64).to_le_bytes());
    out.extend_from_slice(&((body.len() - split) as u64).to_le_bytes());
    out.extend_from_slice(body);
    out
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
