//! Finding the payload inside this executable.

/// The payload bytes, valid for the life of the process; None when there is none.
#[cfg(all(unix, not(target_vendor = "apple")))]
pub fn find_payload() -> Result<Option<&'static [u8]>, String> {
    use std::os::fd::AsRawFd;

    // The section is not loaded by the kernel (so `strip` keeps it intact); map our own
    // file read-only and look it up through the section headers. Pages are read lazily:
    // only the headers and the payload are ever touched.
    let file = std::fs::File::open("/proc/self/exe")
        .or_else(|_| std::env::current_exe().and_then(std::fs::File::open))
        .map_err(|e| format!("cannot open its own executable: {e}"))?;
    let len = file
        .metadata()
        .map_err(|e| format!("cannot read its own executable: {e}"))?
        .len() as usize;
    if len == 0 {
        return Ok(None);
    }
    // SAFETY: a private read-only mapping of a file we opened; it is never unmapped, so
    // the slice lives as long as the process. The executable is not modified while it
    // runs (the kernel refuses writes to a running binary: ETXTBSY).
    let image: &'static [u8] = unsafe {
        let ptr = libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ,
            libc::MAP_PRIVATE,
            file.as_raw_fd(),
            0,
        );
        if ptr == libc::MAP_FAILED {
            return Err(format!(
                "cannot map its own executable: {}",
                std::io::Error::last_os_error()
            ));
        }
        std::slice::from_raw_parts(ptr as *const u8, len)
    };
    freeze_payload::elf::find_section(image, freeze_payload::elf::ELF_SECTION)
        .map_err(|e| format!("cannot read its own executable: {e}"))
}

/// The payload bytes from the image the loader mapped (PE resource, Mach-O section).
#[cfg(not(all(unix, not(target_vendor = "apple"))))]
pub fn find_payload() -> Result<Option<&'static [u8]>, String> {
    match libsui::find_section(freeze_payload::SECTION_NAME) {
        // SAFETY: the section lives in the mapped image for the life of the process.
        Ok(found) => Ok(found.map(|b| unsafe { std::mem::transmute::<&[u8], &'static [u8]>(b) })),
        Err(e) => Err(format!("cannot read the payload section: {e}")),
    }
}
