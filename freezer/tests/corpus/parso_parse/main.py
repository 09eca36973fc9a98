import parso
code = "def f(a, b=1):\n    return a + b\n\nclass C:\n    x = [i for i in range(3)]\n"
module = parso.parse(code, version="3.11")
for node in module.children:
    print(node.type, node.start_pos, node.end_pos)
print(module.get_code() == code)
grammar = parso.load_grammar(version="3.8")
errs = grammar.iter_errors(grammar.parse("def f(:\n  pass\n"))
print([(e.start_pos, e.code, e.message) for e in errs])
