#!/usr/bin/env python3
"""Write the framework text stubs (.tbd) the macOS stubs link against (zig ships no
macOS frameworks). Usage:

    cross/macos/make-tbd.py FRAMEWORK SYMBOLS_FILE

FRAMEWORK is CoreFoundation, SystemConfiguration or Security; SYMBOLS_FILE lists the
symbols the stub may import from it, one per line (as `llvm-nm -u` prints them, with the
leading _). The lists are every function and static the Rust bindings declare
(core-foundation-sys, system-configuration-sys, security-framework-sys: the OS
certificate store that `ssl` trusts through rustls-native-certs); the linked stub
imports only what it uses, and dyld binds only that.
"""
import pathlib
import sys

ARCHS = ["x86_64-macos", "arm64-macos"]


def tbd(framework: str, symbols: list[str]) -> str:
    install = f"/System/Library/Frameworks/{framework}.framework/Versions/A/{framework}"
    targets = ", ".join(ARCHS)
    lines = [
        "--- !tapi-tbd",
        "tbd-version:     4",
        f"targets:         [ {targets} ]",
        f"install-name:    '{install}'",
        "exports:",
        f"  - targets:         [ {targets} ]",
        "    symbols:         [ " + ",\n                       ".join(sorted(set(symbols))) + " ]",
        "...",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    framework, symbols_file = sys.argv[1], sys.argv[2]
    symbols = [s.strip() for s in pathlib.Path(symbols_file).read_text().split() if s.strip()]
    here = pathlib.Path(__file__).resolve().parent
    out = here / f"{framework}.framework" / f"{framework}.tbd"
    out.parent.mkdir(exist_ok=True)
    out.write_text(tbd(framework, symbols))
    print(f"{out}: {len(set(symbols))} symbols")


if __name__ == "__main__":
    main()
