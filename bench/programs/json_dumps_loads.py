"""JSON round trips (after pyperformance's bm_json_dumps and bm_json_loads): encode
and decode a few representative documents many times.

Usage: json_dumps_loads.py [ROUNDS]. Prints the total encoded length and a checksum.
"""
import json
import sys

EMPTY = ({}, 2000)
SIMPLE_DATA = {'key1': 0, 'key2': True, 'key3': 'value', 'key4': 'foo', 'key5': 'string'}
SIMPLE = (SIMPLE_DATA, 1000)
NESTED_DATA = {'key1': 0, 'key2': SIMPLE[0], 'key3': 'value', 'key4': SIMPLE[0],
               'key5': SIMPLE[0], 'key': '\u0105\u0107\u017c'}
NESTED = (NESTED_DATA, 1000)
HUGE = ([NESTED[0]] * 1000, 1)
UNICODE = ({'name': 'Zo\u00eb', 'city': 'Krak\u00f3w', 'tags': ['\u2603', 'caf\u00e9'] * 4,
            'score': 3.25, 'n': None}, 500)

CASES = [EMPTY, SIMPLE, NESTED, HUGE, UNICODE]


def main(rounds):
    total = 0
    check = 0
    for _ in range(rounds):
        for obj, count in CASES:
            for _ in range(max(1, count // 10)):
                s = json.dumps(obj)
                s2 = json.dumps(obj, sort_keys=True, indent=2)
                back = json.loads(s)
                back2 = json.loads(s2)
                total += len(s) + len(s2)
                check += len(back) + len(back2)
    print(f"encoded={total} decoded={check}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8)
