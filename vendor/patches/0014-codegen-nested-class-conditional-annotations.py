# A class nested in a class or a function, with annotations under `if` and `try`
# (conditional annotations), compiles and keeps exactly the annotations that ran.
import sys


class Outer:
    x: int

    class Inner:
        z: int
        if True:
            w: int = 2
        if False:
            never: str
        try:
            t: float = 1.5
        except Exception:
            pass

        class Deepest:
            if sys.version_info >= (3,):
                d: bytes = b""

    if True:
        y: str = "y"


def make():
    class Local:
        if True:
            a: int = 1
        b: str
    return Local


for cls in (Outer, Outer.Inner, Outer.Inner.Deepest, make()):
    print(cls.__qualname__, {k: v.__name__ for k, v in cls.__annotations__.items()})
print(Outer.Inner.w, Outer.Inner.t, Outer.y)
