//! The payload's home in an ELF executable: a non-allocated `PROGBITS` section.
//!
//! Why not a note in a loaded segment (what libsui does): GNU `strip` relocates added
//! allocated sections and leaves the program headers pointing at the old place, and the
//! result crashes at start. A non-allocated section is invisible to the loader, so the
//! program headers never change, and `strip` (GNU binutils) keeps it. The runtime maps
//! its own file and finds the section through the section header table.
//!
//! Writing keeps every original byte in place and appends, in order: the payload, a new
//! section-name table (the old one plus the new name) and a new section header table
//! (the old headers plus one). Only `e_shoff` and `e_shnum` in the ELF header change.

/// Name of the section that holds the payload.
pub const ELF_SECTION: &str = ".freeze_payload";

const SHT_PROGBITS: u32 = 1;
const SHDR_LEN: usize = 64;

/// Why an ELF image could not take or give a payload.
#[derive(thiserror::Error, Debug, PartialEq, Eq)]
pub enum ElfError {
    #[error("not an ELF file")]
    NotElf,
    #[error("only 64-bit little-endian ELF is supported")]
    Unsupported,
    #[error("ELF section headers are damaged or missing")]
    BadSections,
    #[error(
        "it already holds a {ELF_SECTION} section (is it a frozen program rather than a runtime stub?)"
    )]
    AlreadyFrozen,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

struct Layout {
    shoff: usize,
    shnum: usize,
    shstrndx: usize,
}

fn layout(image: &[u8]) -> Result<Layout, ElfError> {
    if image.len() < 64 || image[..4] != *b"\x7fELF" {
        return Err(ElfError::NotElf);
    }
    if image[4] != 2 || image[5] != 1 {
        return Err(ElfError::Unsupported);
    }
    let bad = || ElfError::BadSections;
    let shoff = u64_at(image, 0x28).ok_or_else(bad)? as usize;
    let shentsize = u16_at(image, 0x3a).ok_or_else(bad)? as usize;
    let shnum = u16_at(image, 0x3c).ok_or_else(bad)? as usize;
    let shstrndx = u16_at(image, 0x3e).ok_or_else(bad)? as usize;
    if shentsize != SHDR_LEN || shnum == 0 || shstrndx >= shnum {
        return Err(bad());
    }
    let end = shnum
        .checked_mul(SHDR_LEN)
        .and_then(|n| n.checked_add(shoff))
        .ok_or_else(bad)?;
    if end > image.len() {
        return Err(bad());
    }
    Ok(Layout {
        shoff,
        shnum,
        shstrndx,
    })
}

/// (name offset, type, file offset, size) of section `i`.
fn section(image: &[u8], l: &Layout, i: usize) -> Option<(usize, u32, usize, usize)> {
    let h = l.shoff + i * SHDR_LEN;
    Some((
        u32_at(image, h)? as usize,
        u32_at(image, h + 4)?,
        u64_at(image, h + 0x18)? as usize,
        u64_at(image, h + 0x20)? as usize,
    ))
}

fn bytes_of(image: &[u8], offset: usize, size: usize) -> Option<&[u8]> {
    image.get(offset..offset.checked_add(size)?)
}

fn name_at(strtab: &[u8], offset: usize) -> Option<&[u8]> {
    let rest = strtab.get(offset..)?;
    Some(&rest[..rest.iter().position(|&b| b == 0)?])
}

/// The contents of the section called `name`, if the image has one. Never panics.
pub fn find_section<'a>(image: &'a [u8], name: &str) -> Result<Option<&'a [u8]>, ElfError> {
    let l = layout(image)?;
    let (_, _, str_off, str_size) = section(image, &l, l.shstrndx).ok_or(ElfError::BadSections)?;
    let strtab = bytes_of(image, str_off, str_size).ok_or(ElfError::BadSections)?;
    for i in 0..l.shnum {
        let (name_off, kind, offset, size) = section(image, &l, i).ok_or(ElfError::BadSections)?;
        if kind == SHT_PROGBITS && name_at(strtab, name_off) == Some(name.as_bytes()) {
            return bytes_of(image, offset, size)
                .map(Some)
                .ok_or(ElfError::BadSections);
        }
    }
    Ok(None)
}

fn pad_to(out: &mut Vec<u8>, align: usize) {
    while out.len() % align != 0 {
        out.push(0);
    }
}

/// A copy of `image` with `data` in a new non-allocated section called `name`.
pub fn add_section(image: &[u8], name: &str, data: &[u8]) -> Result<Vec<u8>, ElfError> {
    if find_section(image, name)?.is_some() {
        return Err(ElfError::AlreadyFrozen);
    }
    let l = layout(image)?;
    let (_, _, str_off, str_size) = section(image, &l, l.shstrndx).ok_or(ElfError::BadSections)?;
    let strtab = bytes_of(image, str_off, str_size).ok_or(ElfError::BadSections)?;
    let headers = &image[l.shoff..l.shoff + l.shnum * SHDR_LEN];
    if l.shnum + 1 >= 0xff00 {
        return Err(ElfError::Unsupported);
    }

    let mut out = Vec::with_capacity(image.len() + data.len() + strtab.len() + headers.len() + 256);
    out.extend_from_slice(image);
    pad_to(&mut out, 8);
    let data_off = out.len();
    out.extend_from_slice(data);
    let new_str_off = out.len();
    out.extend_from_slice(strtab);
    let name_off = strtab.len();
    out.extend_from_slice(name.as_bytes());
    out.push(0);
    let new_str_size = out.len() - new_str_off;
    pad_to(&mut out, 8);
    let new_shoff = out.len();
    out.extend_from_slice(headers);
    // Point the section-name table's header at the enlarged copy.
    let h = new_shoff + l.shstrndx * SHDR_LEN;
    out[h + 0x18..h + 0x20].copy_from_slice(&(new_str_off as u64).to_le_bytes());
    out[h + 0x20..h + 0x28].copy_from_slice(&(new_str_size as u64).to_le_bytes());
    // The new header: PROGBITS, no flags (not loaded), byte-aligned.
    let mut shdr = [0u8; SHDR_LEN];
    shdr[0..4].copy_from_slice(&(name_off as u32).to_le_bytes());
    shdr[4..8].copy_from_slice(&SHT_PROGBITS.to_le_bytes());
    shdr[0x18..0x20].copy_from_slice(&(data_off as u64).to_le_bytes());
    shdr[0x20..0x28].copy_from_slice(&(data.len() as u64).to_le_bytes());
    shdr[0x30..0x38].copy_from_slice(&1u64.to_le_bytes());
    out.extend_from_slice(&shdr);
    out[0x28..0x30].copy_from_slice(&(new_shoff as u64).to_le_bytes());
    out[0x3c..0x3e].copy_from_slice(&((l.shnum + 1) as u16).to_le_bytes());
    Ok(out)
}

/// The smallest ELF64 with a section table (null section + `.shstrtab`), `pad` zero bytes
/// after the header: a fixture for tests and fuzzing, not a runnable program.
#[doc(hidden)]
pub fn minimal_image(pad: usize) -> Vec<u8> {
    let mut img = vec![0u8; 64 + pad];
    img[..4].copy_from_slice(b"\x7fELF");
    img[4] = 2;
    img[5] = 1;
    let strtab = b"\0.shstrtab\0";
    let str_off = img.len();
    img.extend_from_slice(strtab);
    pad_to(&mut img, 8);
    let shoff = img.len();
    img.extend_from_slice(&[0u8; SHDR_LEN]);
    let mut sh = [0u8; SHDR_LEN];
    sh[0..4].copy_from_slice(&1u32.to_le_bytes());
    sh[4..8].copy_from_slice(&3u32.to_le_bytes());
    sh[0x18..0x20].copy_from_slice(&(str_off as u64).to_le_bytes());
    sh[0x20..0x28].copy_from_slice(&(strtab.len() as u64).to_le_bytes());
    img.extend_from_slice(&sh);
    img[0x28..0x30].copy_from_slice(&(shoff as u64).to_le_bytes());
    img[0x3a..0x3c].copy_from_slice(&(SHDR_LEN as u16).to_le_bytes());
    img[0x3c..0x3e].copy_from_slice(&2u16.to_le_bytes());
    img[0x3e..0x40].copy_from_slice(&1u16.to_le_bytes());
    img
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_at_several_sizes() {
        let elf = minimal_image(0);
        assert_eq!(find_section(&elf, ELF_SECTION), Ok(None));
        for size in [0usize, 1, 4096, 1 << 20] {
            let data: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
            let out = add_section(&elf, ELF_SECTION, &data).unwrap();
            // Only e_shoff and e_shnum in the header change; every other byte stays put.
            assert_eq!(&out[64..elf.len()], &elf[64..], "original bytes moved");
            assert_eq!(&out[..0x28], &elf[..0x28]);
            assert_eq!(&out[0x3e..64], &elf[0x3e..64]);
            assert_eq!(find_section(&out, ELF_SECTION).unwrap(), Some(&data[..]));
            assert_eq!(
                add_section(&out, ELF_SECTION, b"x"),
                Err(ElfError::AlreadyFrozen)
            );
        }
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        assert_eq!(find_section(b"MZ", ELF_SECTION), Err(ElfError::NotElf));
        let mut elf = minimal_image(0);
        elf[0x28] = 0xff; // section headers past the end
        assert_eq!(find_section(&elf, ELF_SECTION), Err(ElfError::BadSections));
        // Every truncation is an error or a clean miss, never a panic.
        let good = add_section(&minimal_image(0), ELF_SECTION, b"payload").unwrap();
        for len in 0..good.len() {
            let _ = find_section(&good[..len], ELF_SECTION);
        }
    }
}
