//! The C runtime's time-zone globals for RustPython on `x86_64-pc-windows-gnu`.
//!
//! RustPython 0.6's `time` module (`rustpython-host_env`, `time::tz`) reads `tzname`,
//! `timezone` and `daylight` as plain extern statics and calls `tzset`. mingw-w64's
//! `libmsvcrt.a` exports those names as import *thunks* — code — so the VM would read
//! instruction bytes as `char *` and crash as soon as a program imports `time` (directly,
//! or through logging, subprocess, threading, …). Defining the four names here makes the
//! linker resolve the VM's references to them (the program's own objects come before
//! the import library); they mirror msvcrt's data exports `_tzname`, `_timezone` and
//! `_daylight`, refreshed by every `tzset`.
#![allow(non_upper_case_globals)]

use core::ffi::{c_char, c_int, c_long};

#[unsafe(no_mangle)]
static mut tzname: [*const c_char; 2] = [c"".as_ptr(), c"".as_ptr()];
#[unsafe(no_mangle)]
static mut timezone: c_long = 0;
#[unsafe(no_mangle)]
static mut daylight: c_int = 0;

unsafe extern "C" {
    fn _tzset();
    // msvcrt's data exports, through their import-address-table slots (the import
    // library defines no other symbol for data).
    static __imp__tzname: *const [*const c_char; 2];
    static __imp__timezone: *const c_long;
    static __imp__daylight: *const c_int;
}

/// `tzset` as the VM calls it: msvcrt's `_tzset`, then a copy of what it set.
#[unsafe(no_mangle)]
extern "C" fn tzset() {
    // SAFETY: msvcrt's globals are valid after `_tzset`; the copies are written only here,
    // on the thread calling tzset, as C's own tzset would.
    unsafe {
        _tzset();
        tzname = *__imp__tzname;
        timezone = *__imp__timezone;
        daylight = *__imp__daylight;
    }
}

/// Fill the mirrors before the VM starts.
pub fn init() {
    tzset();
}
