from lark import Lark, Transformer
grammar = r"""
?start: sum
?sum: product | sum "+" product -> add | sum "-" product -> sub
?product: atom | product "*" atom -> mul
?atom: NUMBER -> number | "(" sum ")"
%import common.NUMBER
%import common.WS_INLINE
%ignore WS_INLINE
"""
class Calc(Transformer):
    def number(self, t): return float(t[0])
    def add(self, t): return t[0] + t[1]
    def sub(self, t): return t[0] - t[1]
    def mul(self, t): return t[0] * t[1]
for parser in ("lalr", "earley"):
    p = Lark(grammar, parser=parser)
    tree = p.parse("2 * (3 + 4) - 5")
    print(parser, Calc().transform(tree))
print(Lark(grammar, parser="lalr").parse("1+2").pretty())
