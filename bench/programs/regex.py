"""Regular expressions (a short kernel in the spirit of pyperformance's bm_regex_effbot
and bm_regex_v8): compile, search, findall and sub over generated log-like text.

Usage: regex.py [ROUNDS]. Prints match counts.
"""
import re
import sys


def make_text(lines):
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta", "kappa"]
    out = []
    for i in range(lines):
        w = words[i % len(words)]
        out.append(
            f"2026-11-{1 + i % 28:02d} 12:{i % 60:02d}:{(i * 7) % 60:02d} host{i % 13}.example.org "
            f"GET /api/v{i % 3}/{w}/{i} user={w}{i}@mail{i % 5}.example.com "
            f"status={200 + (i % 4) * 100} time={i % 997}ms ip=10.{i % 256}.{(i * 3) % 256}.{(i * 7) % 256}"
        )
    return "\n".join(out)


PATTERNS = [
    r"\b\d{4}-\d{2}-\d{2}\b",
    r"[\w.+-]+@[\w-]+\.[\w.]+",
    r"status=(5\d\d)",
    r"GET (/api/v\d/\w+)/(\d+)",
    r"ip=(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})",
    r"(?i)HOST\d+\.EXAMPLE\.ORG",
    r"time=(\d+)ms",
    r"^2026-11-0[1-9]",
]


def main(rounds):
    text = make_text(2000)
    lines = text.splitlines()
    counts = [0] * (len(PATTERNS) + 2)
    for _ in range(rounds):
        compiled = [re.compile(p, re.M) for p in PATTERNS]
        for i, rx in enumerate(compiled):
            counts[i] += len(rx.findall(text))
        for line in lines:
            if compiled[2].search(line):
                counts[-2] += 1
        counts[-1] += len(re.sub(r"\d+", "#", text))
    print(" ".join(str(c) for c in counts))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
