#!/usr/bin/env python3
"""Make the wheel that installs one target's runtime stub.

Usage: packaging/stub_wheel.py TRIPLE STUB_FILE VERSION OUT_DIR

A stub is the same file for every host, so its wheel is `py3-none-any`: the dist-info
(METADATA with the freeze version) plus the stub under the wheel's data scheme, which pip,
uv and pipx install as `<prefix>/share/freeze/stubs/runtime-stub-TRIPLE[.exe]`, the
directory `freeze` looks in beside its own `bin/` (`Scripts\\` on Windows). A
`runtime-stub-TRIPLE.version` file beside it records the version, so `freeze` refuses a
stub from another release. Prints the wheel's path. Standard library only; the output is
byte-for-byte reproducible (fixed timestamps, sorted entries).
"""

import base64
import hashlib
import pathlib
import re
import sys
import zipfile

DIST = "freeze-py"
SUMMARY = "Runtime stub for freeze --target {triple}"
EPOCH = (1980, 1, 1, 0, 0, 0)


def dist_name(triple: str) -> str:
    return f"{DIST}-stub-{triple}"


def wheel_stem(name: str) -> str:
    # The wheel file name's form of a distribution name (PEP 427 / PEP 503).
    return re.sub(r"[-_.]+", "_", name).lower()


def entry(zf: zipfile.ZipFile, record: list, path: str, data: bytes, mode: int) -> None:
    info = zipfile.ZipInfo(path, EPOCH)
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    record.append(f"{path},sha256={digest.decode()},{len(data)}")


def metadata(name: str, version: str, triple: str) -> bytes:
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {name}\n"
        f"Version: {version}\n"
        f"Summary: {SUMMARY.format(triple=triple)}\n"
        "License: MIT\n"
        "Requires-Python: >=3.8\n"
        "Description-Content-Type: text/markdown\n"
        "\n"
        f"The runtime stub `freeze --target {triple}` embeds programs into, for "
        f"`{DIST}` {version}. Install it through the main package's extras "
        f"(`pip install '{DIST}[all]'`); `freeze --list-targets` shows it.\n"
    ).encode()


def build(triple: str, stub: pathlib.Path, version: str, out: pathlib.Path) -> pathlib.Path:
    name = dist_name(triple)
    stem = f"{wheel_stem(name)}-{version}"
    exe = ".exe" if "windows" in triple else ""
    data = f"{stem}.data/data/share/freeze/stubs"
    info = f"{stem}.dist-info"
    wheel = (
        "Wheel-Version: 1.0\nGenerator: freeze packaging/stub_wheel.py\n"
        "Root-Is-Purelib: true\nTag: py3-none-any\n"
    )
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{stem}-py3-none-any.whl"
    tmp = path.with_suffix(".whl.tmp")
    record: list = []
    with zipfile.ZipFile(tmp, "w") as zf:
        entry(zf, record, f"{data}/runtime-stub-{triple}{exe}", stub.read_bytes(), 0o755)
        entry(zf, record, f"{data}/runtime-stub-{triple}.version", f"{version}\n".encode(), 0o644)
        entry(zf, record, f"{info}/METADATA", metadata(name, version, triple), 0o644)
        entry(zf, record, f"{info}/WHEEL", wheel.encode(), 0o644)
        record.append(f"{info}/RECORD,,")
        entry_info = zipfile.ZipInfo(f"{info}/RECORD", EPOCH)
        entry_info.external_attr = 0o100644 << 16
        zf.writestr(entry_info, "\n".join(record) + "\n", zipfile.ZIP_DEFLATED)
    tmp.replace(path)
    return path


def main(argv: list) -> int:
    if len(argv) != 5:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    triple, stub, version, out = argv[1], pathlib.Path(argv[2]), argv[3], pathlib.Path(argv[4])
    if not stub.is_file():
        print(f"error: stub {stub} is not a file", file=sys.stderr)
        return 1
    print(build(triple, stub, version, out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
