# Classes reach their slots through each dunder name's slot definitions (several for
# __add__, __len__, __setitem__, the comparisons): defined in the class, inherited,
# assigned after creation and deleted again, dispatch goes where CPython's does.
class Seq:
    def __init__(self, items):
        self.items = list(items)

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]

    def __setitem__(self, i, v):
        self.items[i] = v

    def __delitem__(self, i):
        del self.items[i]

    def __add__(self, other):
        return Seq(self.items + list(other))

    def __radd__(self, other):
        return Seq(list(other) + self.items)

    def __lt__(self, other):
        return len(self) < len(other)

    def __eq__(self, other):
        return self.items == list(other)

    __hash__ = None

    def __contains__(self, x):
        return x in self.items

    def __iter__(self):
        return iter(self.items)

    def __repr__(self):
        return f"Seq({self.items})"


class Sub(Seq):
    def __getattr__(self, name):
        return f"missing {name}"


s = Sub([3, 1, 2])
s[0] = 9
del s[1]
print(s, len(s), s + [7], [0] + s, s < [1, 2, 3], s == [9, 2], 2 in s, s.nothing)
print(type(s).__hash__, bool(s), sorted(s))
Seq.__len__ = lambda self: 42
Seq.__mul__ = lambda self, n: Seq(self.items * n)
Seq.__bool__ = lambda self: False
print(len(s), s * 2, bool(s))
del Seq.__bool__
del Seq.__len__
print(bool(s), hasattr(s, "__len__"))
try:
    len(s)
except TypeError as e:
    print("TypeError:", e)


class Num(int):
    def __add__(self, other):
        return "add"

    def __index__(self):
        return 5


print(Num(1) + 1, 1 + Num(1), [0] * 6 == [0] * Num(0), hex(Num(2)), Num(3) == 3)


class Meta(type):
    def __call__(cls, *a):
        return ("called", cls.__name__, a)

    def __getitem__(cls, k):
        return (cls.__name__, k)


class G(metaclass=Meta):
    pass


print(G(1, 2), G[int], repr(G.__class__.__name__))
