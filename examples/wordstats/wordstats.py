"""Count words in text files or stdin; report as text or JSON.

Exit status: 0 when every input was read, 1 when one was missing, 2 on bad usage,
3 when --max-words is exceeded.
"""
import argparse
import json
import re
import sys
from collections import Counter, OrderedDict
from dataclasses import asdict, dataclass, field

WORD = re.compile(r"[A-Za-z\u00c0-\u024f']+")


@dataclass
class Stats:
    source: str
    lines: int = 0
    words: int = 0
    top: list = field(default_factory=list)


def count(source, text, top_n):
    words = [w.lower() for w in WORD.findall(text)]
    common = Counter(words).most_common()
    common.sort(key=lambda kv: (-kv[1], kv[0]))
    return Stats(source, text.count("\n"), len(words), [list(kv) for kv in common[:top_n]])


def main(argv=None):
    parser = argparse.ArgumentParser(prog="wordstats", description="Count words.")
    parser.add_argument("files", nargs="*", help="files to read (default: stdin)")
    parser.add_argument("--top", type=int, default=3, help="how many common words")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--max-words", type=int, default=None)
    args = parser.parse_args(argv)

    results, status = [], 0
    if not args.files:
        results.append(count("<stdin>", sys.stdin.read(), args.top))
    for name in args.files:
        try:
            with open(name, encoding="utf-8") as f:
                results.append(count(name, f.read(), args.top))
        except FileNotFoundError:
            print(f"wordstats: {name}: no such file", file=sys.stderr)
            status = 1

    if args.json:
        doc = OrderedDict(results=[asdict(r) for r in results])
        doc["total_words"] = sum(r.words for r in results)
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        for r in results:
            top = ", ".join(f"{w}={n}" for w, n in r.top)
            print(f"{r.source}: {r.lines} lines, {r.words} words; top: {top}")
    if args.max_words is not None and sum(r.words for r in results) > args.max_words:
        print("wordstats: too many words", file=sys.stderr)
        return 3
    return status


if __name__ == "__main__":
    sys.exit(main())
