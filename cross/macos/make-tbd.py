#!/usr/bin/env python3
"""Write the framework text stubs (.tbd) the macOS stubs link against (zig ships no
macOS frameworks). Usage:

    cross/macos/make-tbd.py FRAMEWORK SYMBOLS_FILE

FRAMEWORK is CoreFoundation or SystemConfiguration; SYMBOLS_FILE lists the symbols the
stub imports from it, one per line (as `llvm-nm -u` prints them, with the leading _).
The list comes from a link with every symbol the Rust bindings (core-foundation-sys,
system-configuration-sys) declare, narrowed to what the linked stub really imports, so
that the stubs promise dyld nothing the VM does not use.
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
