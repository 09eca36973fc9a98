# operator.length_hint takes any int default, negative ones included.
import operator


class H:
    def __length_hint__(self):
        return NotImplemented


class L:
    def __length_hint__(self):
        return 7


print(operator.length_hint(range(5), -1))
print(operator.length_hint([1, 2], 9))
print(operator.length_hint(H(), 3))
print(operator.length_hint(L()))
print(operator.length_hint(iter([1, 2, 3])))
print(operator.length_hint(object(), 4))
for bad in ["x", -1]:
    try:
        print(operator.length_hint(object(), bad))
    except (TypeError, ValueError) as e:
        print(type(e).__name__, e)
