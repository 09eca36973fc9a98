//! Any byte string given to the stub's payload reader is refused with an error or read
//! consistently: never a panic, hang or out-of-bounds access. Inputs are tried twice:
//! as they are (exercising the header checks), and behind a header with the right magic,
//! versions, lengths and checksum (exercising the manifest decoder and its validation,
//! which a random checksum would almost never reach).
#![no_main]

use freeze_payload::Payload;
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
    let framed = freeze_payload::frame(&body[..split], &body[split..]);
    check(&framed);
});
