# C3 linearisation keeps the bases' own order (the list of bases is merged too), so a
# class whose bases reappear in each other's MROs gets CPython's MRO, and classes built
# on it can be created; an inconsistent hierarchy is still refused with CPython's text.
class S: pass
class U: pass
class A: pass
class St(S): pass
class T(U, S): pass
class C(T, A, U): pass
class J(A, U, St): pass
class F(C, J): pass
for cls in (C, J, F):
    print(cls.__name__, [k.__name__ for k in cls.__mro__])


class X: pass
class Y(X): pass
for bases in ((X, Y), (C, T, A)):
    try:
        type("Bad", bases, {})
    except TypeError as e:
        print("TypeError:", " ".join(str(e).split()))


class B1(A, U): pass
class B2(U, A): pass
try:
    class Both(B1, B2): pass
except TypeError as e:
    print("TypeError:", " ".join(str(e).split()))
