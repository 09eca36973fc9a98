#!/usr/bin/env python3
"""Check wheels the way an installer reads them.

Usage: packaging/check_wheels.py WHEEL...

Each file name parses as a wheel name (PEP 427, `packaging.utils`); its tags are exactly
the `Tag:` lines of its WHEEL file; its METADATA names the same distribution and version;
a platform wheel holds exactly one `freeze` executable under `.data/scripts/`; and the
wheel for this machine's platform is one this interpreter would install
(`packaging.tags.sys_tags()`). Exits 1 with one line per problem.
"""

import email.parser
import sys
import zipfile

from packaging.tags import parse_tag, sys_tags
from packaging.utils import canonicalize_name, parse_wheel_filename


def problems(path: str, here: set) -> list:
    name, version, _, tags = parse_wheel_filename(path.rsplit("/", 1)[-1])
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        info = next(n for n in names if n.endswith(".dist-info/WHEEL"))
        wheel = email.parser.Parser().parsestr(zf.read(info).decode())
        meta_name = info.replace("/WHEEL", "/METADATA")
        meta = email.parser.Parser().parsestr(zf.read(meta_name).decode())
    found = set()
    for line in wheel.get_all("Tag") or []:
        found |= set(parse_tag(line))
    out = []
    if found != set(tags):
        out.append(f"{path}: file name tags {sorted(map(str, tags))} != WHEEL {sorted(map(str, found))}")
    if canonicalize_name(meta["Name"]) != name or meta["Version"] != str(version):
        out.append(f"{path}: METADATA is {meta['Name']} {meta['Version']}")
    platform = any(t.platform != "any" for t in tags)
    scripts = [n for n in names if ".data/scripts/" in n]
    if platform and len(scripts) != 1:
        out.append(f"{path}: expected one executable under .data/scripts/, found {scripts}")
    if platform and tags & here:
        print(f"{path}: installable on this machine")
    return out


def main(paths: list) -> int:
    here = set(sys_tags())
    bad = [p for path in paths for p in problems(path, here)]
    for line in bad:
        print(line, file=sys.stderr)
    print(f"{len(paths)} wheels checked, {len(bad)} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
