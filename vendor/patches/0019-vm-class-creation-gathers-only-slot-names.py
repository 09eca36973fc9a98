# A new class takes its slots from every slot method in its MRO, in its own dict, a
# Python base's or a built-in base's, and names sharing one slot resolve as in CPython
# (__getattr__ with __getattribute__, __setitem__ with __delitem__, the comparisons);
# a metaclass's mro() that reorders the bases is honoured too.
class Base:
    def __getattr__(self, name):
        return "base getattr " + name

    def __lt__(self, other):
        return "base lt"


class Mixin:
    def __getattribute__(self, name):
        if name == "special":
            return "mixin getattribute"
        return object.__getattribute__(self, name)

    def __len__(self):
        return 7


class Both(Mixin, Base):
    def __gt__(self, other):
        return "both gt"


b = Both()
print(b.special, b.other, len(b), b < 1, b > 1, 1 > b, bool(b))


class Store(dict):
    def __missing__(self, key):
        return "missing " + str(key)

    def __delitem__(self, key):
        print("del", key)


s = Store(a=1)
s["b"] = 2
del s["a"]
print(s["a"], s["b"], sorted(s), len(s), s == {"a": 1, "b": 2})


class Count(int):
    def __bool__(self):
        return False


print(bool(Count(5)), Count(5) + 1, -Count(5), Count(5) < 6, hash(Count(5)) == hash(5))


class Reverse(type):
    def mro(cls):
        return [cls] + list(reversed(super().mro()[1:-1])) + [object]


class A:
    def __repr__(self):
        return "A"

    def __call__(self):
        return "A called"


class B:
    def __repr__(self):
        return "B"


class C(A, B, metaclass=Reverse):
    pass


print([k.__name__ for k in C.__mro__], repr(C()), C()())
NS = type("NS", (Base,), {"__iter__": lambda self: iter("xy"), "__len__": lambda self: 2})
print(list(NS()), len(NS()), NS() < 0)
