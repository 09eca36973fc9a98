//! Any byte string given to the stub's payload reader is refused with an error or read
//! consistently: never a panic, hang or out-of-bounds access.
#![no_main]

use freeze_payload::Payload;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(payload) = Payload::parse(data) {
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
});
