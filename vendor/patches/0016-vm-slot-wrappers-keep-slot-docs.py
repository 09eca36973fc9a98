# Built-in types' slot wrappers are there, callable, and carry the slot's doc text
# ("Return self+value."), as in CPython; a type that sets __hash__ to None shows None.
for cls, name in ((int, "__add__"), (object, "__eq__"), (list, "__len__"),
                  (type, "__call__"), (str, "__lt__"), (float, "__neg__"),
                  (object, "__repr__"), (dict, "__len__"), (tuple, "__iter__")):
    attr = cls.__dict__[name]
    print(cls.__name__, name, type(attr).__name__, repr(attr.__doc__))
print(list.__hash__, dict.__hash__, set.__hash__)
print(int.__add__(2, 3), object.__eq__(1, 1), list.__len__([1, 2]), str.__lt__("a", "b"))


class Number(int):
    def __add__(self, other):
        return "own"


print(Number(1) + 1, int.__add__(Number(1), 1), Number.__add__.__doc__)
print(all(isinstance(getattr(int, n).__doc__, str)
          for n in ("__add__", "__sub__", "__mul__", "__eq__", "__hash__", "__bool__")))
