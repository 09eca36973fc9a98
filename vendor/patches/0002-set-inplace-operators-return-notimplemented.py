# Set operators with a collections.abc.Set that is not a set: CPython's set methods
# return NotImplemented and Python falls back to the ABC's reflected operator.
from collections.abc import MutableSet, Set


class OrderedSet(MutableSet):
    def __init__(self, items=()):
        self.d = dict.fromkeys(items)

    def add(self, x):
        self.d[x] = None

    def discard(self, x):
        self.d.pop(x, None)

    def __contains__(self, x):
        return x in self.d

    def __iter__(self):
        return iter(self.d)

    def __len__(self):
        return len(self.d)

    def __repr__(self):
        return f"OrderedSet({list(self.d)})"


s = {1, 2, 3}
o = OrderedSet([3, 4])
for name, f in [
    ("s | o", lambda: s | o),
    ("s & o", lambda: s & o),
    ("s - o", lambda: s - o),
    ("s ^ o", lambda: s ^ o),
    ("o | s", lambda: o | s),
    ("frozenset(s) | o", lambda: frozenset(s) | o),
    ("s == o", lambda: s == o),
    ("s <= o", lambda: s <= o),
]:
    try:
        r = f()
        print(name, "->", type(r).__name__, sorted(r) if not isinstance(r, bool) else r)
    except TypeError as e:
        print(name, "-> TypeError:", e)
t = {1}
t |= o
print("|=", sorted(t), type(t).__name__)
t = {1, 3, 4}
t &= o
print("&=", sorted(t), type(t).__name__)
t = {1, 3, 4}
t -= o
print("-=", sorted(t), type(t).__name__)
t = {1, 3}
t ^= o
print("^=", sorted(t), type(t).__name__)
for name, f in [("s | [1]", lambda: s | [1]), ("s.union(o)", lambda: sorted(s.union(o)))]:
    try:
        print(name, f())
    except TypeError as e:
        print(name, "TypeError:", e)
