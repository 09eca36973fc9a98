//! Embed-then-locate: whatever the payload, the section written into an ELF image is
//! found again byte for byte; and reading sections of arbitrary bytes never panics.
#![no_main]

use freeze_payload::elf::{ELF_SECTION, add_section, find_section};
use libfuzzer_sys::fuzz_target;

/// The smallest ELF64 with a section table (null section + .shstrtab), padded by `pad`.
fn tiny_elf(pad: usize) -> Vec<u8> {
    let mut img = vec![0u8; 64 + pad];
    img[..4].copy_from_slice(b"\x7fELF");
    img[4] = 2;
    img[5] = 1;
    let strtab = b"\0.shstrtab\0";
    let str_off = img.len();
    img.extend_from_slice(strtab);
    while img.len() % 8 != 0 {
        img.push(0);
    }
    let shoff = img.len();
    img.extend_from_slice(&[0u8; 64]);
    let mut sh = [0u8; 64];
    sh[0..4].copy_from_slice(&1u32.to_le_bytes());
    sh[4..8].copy_from_slice(&3u32.to_le_bytes());
    sh[0x18..0x20].copy_from_slice(&(str_off as u64).to_le_bytes());
    sh[0x20..0x28].copy_from_slice(&(strtab.len() as u64).to_le_bytes());
    img.extend_from_slice(&sh);
    img[0x28..0x30].copy_from_slice(&(shoff as u64).to_le_bytes());
    img[0x3a..0x3c].copy_from_slice(&64u16.to_le_bytes());
    img[0x3c..0x3e].copy_from_slice(&2u16.to_le_bytes());
    img[0x3e..0x40].copy_from_slice(&1u16.to_le_bytes());
    img
}

fuzz_target!(|data: &[u8]| {
    // Arbitrary bytes as an image: an error or an answer, never a panic.
    let _ = find_section(data, ELF_SECTION);

    // A real image with `data` embedded: found again exactly.
    let pad = data.first().map_or(0, |&b| b as usize);
    let image = tiny_elf(pad);
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
