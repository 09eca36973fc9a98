# The interpreter no longer imports `_ast` at start; everything that builds or reads
# an AST imports it on first use and behaves as before.
import sys
import traceback

# compile() to an AST before anything has imported `ast` or `_ast`.
PyCF_ONLY_AST = 0x400
tree = compile("x = 1 + 2\n", "<first>", "exec", PyCF_ONLY_AST)
print(type(tree).__name__, type(tree.body[0]).__name__, tree.body[0].targets[0].id)
print(type(tree).__module__, type(tree).__mro__[-2].__name__, tree._fields)
namespace = {}
exec(compile(tree, "<first>", "exec"), namespace)
print("x =", namespace["x"])
print(type(compile("1", "<e>", "eval", PyCF_ONLY_AST)).__name__)
print(type(compile("1\n", "<s>", "single", PyCF_ONLY_AST)).__name__)

import ast

print(ast.PyCF_ONLY_AST == PyCF_ONLY_AST, "_ast" in sys.modules)
print(ast.dump(ast.parse("a + b * 2", mode="eval")))
print(ast.dump(compile("(int, str) -> bool", "<f>", "func_type", ast.PyCF_ONLY_AST)))
print(ast.literal_eval("{'k': [1, 2.5, (3, None)]}"))
fn = ast.parse("def f(a, b=2):\n    return a * b\n").body[0]
print(fn.name, [a.arg for a in fn.args.args], ast.unparse(fn).splitlines())
print(ast.get_docstring(ast.parse('"""doc"""\nx = 1')))
node = ast.fix_missing_locations(
    ast.Expression(body=ast.BinOp(ast.Constant(6), ast.Mult(), ast.Constant(7)))
)
print(eval(compile(node, "<built>", "eval")))
print(sum(isinstance(n, ast.Name) for n in ast.walk(ast.parse("a = b + c(d)"))))

# The standard library's code generators exec source they build.
from collections import namedtuple
from dataclasses import dataclass, field

Point = namedtuple("Point", "x y")
print(Point(1, 2), Point._make([3, 4])._asdict())


@dataclass(order=True, frozen=True)
class Item:
    name: str
    tags: list = field(default_factory=list, compare=False)


print(Item("a"), Item("a") < Item("b"), hash(Item("a")) == hash(Item("a")))

# Tracebacks, formatted as the default hook does, from code compiled under a fixed name.
source = "def inner():\n    return {}['missing']\n\ndef outer():\n    return inner()\n"
scope = {}
exec(compile(source, "frames.py", "exec"), scope)
try:
    scope["outer"]()
except KeyError:
    for line in traceback.format_exc().splitlines():
        if "frames.py" in line or not line.startswith(" "):
            print(line)
try:
    compile("x = (1,\n", "broken.py", "exec")
except SyntaxError as err:
    print(type(err).__name__, err.filename, err.lineno)
