# A type's __doc__ is its docstring (a str) or None, never the descriptor its instances'
# __doc__ comes from: type and function keep theirs in their own dict. A class's own
# docstring, a __doc__ property for instances and assigning __doc__ work as in CPython.
import inspect
import types

for t in (type, types.FunctionType, types.ModuleType, property, staticmethod, int, object):
    d = t.__doc__
    print(t.__name__, d is None or isinstance(d, str))
    inspect.getdoc(t)


class Documented:
    """The class's own doc."""

    @property
    def __doc__(self):
        return "per instance"


class Meta(type):
    pass


class Plain(metaclass=Meta):
    """Plain's doc."""


print(repr(Documented().__doc__), repr(Plain.__doc__), repr(Meta.__doc__))
print(repr(types.FunctionType(compile("1", "x", "eval"), {}).__doc__))
def f():
    """f's doc."""
print(f.__doc__, inspect.getdoc(f))
Plain.__doc__ = "changed"
print(Plain.__doc__)
