//! Any byte string given to the stub's payload reader is refused with an error or read
//! consistently: never a panic, hang or out-of-bounds access. Inputs are tried twice:
//! as they are (exercising the header checks), and behind a header with the right magic,
//! versions, lengths and checksum (exercising the manifest decoder and its validation,
//! which a random checksum would almost never reach).
#![no_main]

use freeze_payload::{FORMAT_VERSION, HEADER_LEN, MAGIC, Payload, RUSTPYTHON_VERSION};
use libfuzzer_sys::fuzz_target;

fn check(bytes: &[u8]) {
    if let Ok(payload) = Payload::parse(bytes) {
        for module in &payload.manifest.modules {
            let _ = payload.code(module);
            let _ = payload.source(module);
            assert!(payload.module(&module.name).is_some());
        }
        for file in &payload.manifest.data {
            assert!(payload.data(&file.path).is_some());
        }
        let _ = payload.data_under("");
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);

    // data = [split: u16][body]; the first `split` bytes of the body are the manifest.
    if data.len() < 2 {
        return;
    }
    let body = &data[2..];
    let split = (u16::from_le_bytes([data[0], data[1]]) as usize).min(body.len());
    let mut framed = Vec::with_capacity(HEADER_LEN + body.len());
    framed.extend_from_slice(&MAGIC);
    framed.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    let mut vm = [0u8; 16];
    vm[..RUSTPYTHON_VERSION.len()].copy_from_slice(RUSTPYTHON_VERSION.as_bytes());
    framed.extend_from_slice(&vm);
    framed.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    framed.extend_from_slice(&(split as u64).to_le_bytes());
    framed.extend_from_slice(&((body.len() - split) as u64).to_le_bytes());
    framed.extend_from_slice(body);
    check(&framed);
});
