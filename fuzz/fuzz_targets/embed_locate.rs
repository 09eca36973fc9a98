//! Embed-then-locate: whatever the payload, the section written into an ELF image is
//! found again byte for byte; and reading sections of arbitrary bytes never panics.
#![no_main]

use freeze_payload::elf::{ELF_SECTION, add_section, find_section, minimal_image};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Arbitrary bytes as an image: an error or an answer, never a panic.
    let _ = find_section(data, ELF_SECTION);

    // A real image with `data` embedded: found again exactly.
    let pad = data.first().map_or(0, |&b| b as usize);
    let image = minimal_image(pad);
    let out = add_section(&image, ELF_SECTION, data).expect("a valid ELF takes a section");
    assert_eq!(find_section(&out, ELF_SECTION).unwrap(), Some(data));
    // Damage one byte of the result (chosen by the input): still no panic.
    if let Some(&b) = data.get(1) {
        let mut bad = out.clone();
        let at = (b as usize * 7919) % bad.len();
        bad[at] ^= 0xa5;
        let _ = find_section(&bad, ELF_SECTION);
    }
});
