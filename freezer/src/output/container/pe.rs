//! PE: the payload is an `RT_RCDATA` resource named `FREEZEPAYLOAD` (libsui writes it;
//! `FindResourceA` finds it at run time). Headers are read through `object`.

use freeze_payload::SECTION_NAME;
use object::LittleEndian as LE;
use object::pe::{self, ImageDosHeader, ImageNtHeaders32, ImageNtHeaders64};
use object::read::pe::{
    DataDirectories, ImageNtHeaders, ResourceDirectory, ResourceDirectoryEntryData,
    ResourceNameOrId, SectionTable,
};

use super::{Arch, Format, NotAStub, Refused, StubKind, Unsupported};

/// The machine in the COFF header where the DOS header points.
pub fn identify(head: &[u8]) -> Result<StubKind, NotAStub> {
    let damaged = || NotAStub::Unsupported(Unsupported::DamagedPe);
    let dos = ImageDosHeader::parse(head).map_err(|_| damaged())?;
    let at = dos.nt_headers_offset() as usize;
    if head.get(at..at.saturating_add(4)) != Some(b"PE\0\0") {
        return Err(damaged());
    }
    let machine = head
        .get(at + 4..at + 6)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .ok_or_else(damaged)?;
    let arch = match machine {
        pe::IMAGE_FILE_MACHINE_AMD64 => Arch::X86_64,
        pe::IMAGE_FILE_MACHINE_ARM64 => Arch::Aarch64,
        pe::IMAGE_FILE_MACHINE_I386 => Arch::Other("i386".to_owned()),
        other => Arch::Other(format!("machine {other:#x}")),
    };
    Ok(StubKind {
        format: Format::Pe,
        arch,
    })
}

/// The headers `object` reads, for a PE32 or PE32+ image.
struct Headers<'a> {
    dirs: DataDirectories<'a>,
    sections: SectionTable<'a>,
    /// File offset of the COFF header, and its pointer to the symbol table.
    coff: usize,
    symbol_table: u32,
}

fn headers(image: &[u8]) -> Option<Headers<'_>> {
    fn read<Pe: ImageNtHeaders>(image: &[u8]) -> object::Result<Headers<'_>> {
        let dos = ImageDosHeader::parse(image)?;
        let mut offset = u64::from(dos.nt_headers_offset());
        let (nt, dirs) = Pe::parse(image, &mut offset)?;
        let sections = nt.sections(image, offset)?;
        Ok(Headers {
            dirs,
            sections,
            coff: dos.nt_headers_offset() as usize + 4,
            symbol_table: nt.file_header().pointer_to_symbol_table.get(LE),
        })
    }
    match object::FileKind::parse(image).ok()? {
        object::FileKind::Pe32 => read::<ImageNtHeaders32>(image).ok(),
        object::FileKind::Pe64 => read::<ImageNtHeaders64>(image).ok(),
        _ => None,
    }
}

/// Whether the stub can take a payload: Ok(true) when it carries one already.
pub fn check(image: &[u8]) -> Result<bool, Refused> {
    let h = headers(image).ok_or(Refused::DamagedPe)?;
    let signed = h
        .dirs
        .get(pe::IMAGE_DIRECTORY_ENTRY_SECURITY)
        .is_some_and(|d| d.size.get(LE) > 0);
    if signed {
        return Err(Refused::Authenticode);
    }
    payload_resource(image, &h)
        .map(|found| found.is_some())
        .map_err(|_| Refused::DamagedPe)
}

/// The `FREEZEPAYLOAD` resource's bytes, if the image has one.
fn payload_resource<'a>(image: &'a [u8], h: &Headers<'a>) -> object::Result<Option<&'a [u8]>> {
    let Some(rsrc) = h.dirs.resource_directory(image, &h.sections)? else {
        return Ok(None);
    };
    let Some(rcdata) = table(
        rsrc,
        &rsrc.root()?,
        |id| matches!(id, ResourceNameOrId::Id(id) if id == pe::RT_RCDATA),
    )?
    else {
        return Ok(None);
    };
    let wanted = SECTION_NAME.to_uppercase();
    let named = |id: ResourceNameOrId| match id {
        ResourceNameOrId::Name(name) => name.to_string_lossy(rsrc).is_ok_and(|n| n == wanted),
        ResourceNameOrId::Id(_) => false,
    };
    let Some(entry) = rcdata.entries.iter().find(|e| named(e.name_or_id())) else {
        return Ok(None);
    };
    // Type → name → language: the data is the first language's.
    let data = match entry.data(rsrc)? {
        ResourceDirectoryEntryData::Data(data) => Some(data),
        ResourceDirectoryEntryData::Table(langs) => match langs.entries.first() {
            Some(lang) => lang.data(rsrc)?.data(),
            None => None,
        },
    };
    Ok(data.and_then(|d| {
        h.sections
            .pe_data_at(image, d.offset_to_data.get(LE))?
            .get(..d.size.get(LE) as usize)
    }))
}

/// The subtable of the first entry of `dir` whose name or id `matches`.
fn table<'a>(
    rsrc: ResourceDirectory<'a>,
    dir: &object::read::pe::ResourceDirectoryTable<'a>,
    matches: impl Fn(ResourceNameOrId) -> bool,
) -> object::Result<Option<object::read::pe::ResourceDirectoryTable<'a>>> {
    for entry in dir.entries {
        if matches(entry.name_or_id()) && entry.is_table() {
            return Ok(entry.data(rsrc)?.table());
        }
    }
    Ok(None)
}

pub fn embed(stub: &[u8], payload: &[u8]) -> Result<Vec<u8>, Refused> {
    let mut out = Vec::with_capacity(stub.len() + payload.len() + 8192);
    libsui::PortableExecutable::from(stub)
        .and_then(|pe| pe.write_resource(SECTION_NAME, payload.to_vec()))
        .and_then(|pe| pe.build(&mut out))
        .map_err(|e| Refused::Embed(e.to_string()))?;
    move_symbol_table(stub, &mut out);
    Ok(out)
}

pub fn find(image: &[u8]) -> Option<&[u8]> {
    let h = headers(image)?;
    payload_resource(image, &h).ok().flatten()
}

/// libsui grows the image before its overlay but leaves the COFF header's pointer to a
/// symbol table there (mingw-w64 links one unless stripped) where it was; tools such as
/// objdump then reject the file. Point it at the moved table. The loader never reads it.
fn move_symbol_table(stub: &[u8], out: &mut [u8]) {
    let (Some(h), Some(new_coff)) = (headers(stub), headers(out).map(|h| h.coff)) else {
        return;
    };
    let symbols = h.symbol_table as usize;
    let sections_end = h
        .sections
        .iter()
        .map(|s| s.pointer_to_raw_data.get(LE) as usize + s.size_of_raw_data.get(LE) as usize)
        .max()
        .unwrap_or(0);
    if symbols == 0 || symbols < sections_end || out.len() < stub.len() {
        return;
    }
    let moved = symbols + (out.len() - stub.len());
    if let Ok(moved) = u32::try_from(moved) {
        let at = new_coff + 8;
        out[at..at + 4].copy_from_slice(&moved.to_le_bytes());
    }
}
