from pycparser import c_parser, c_generator
src = "int add(int a, int b) { return a + b; }\nstruct P { int x; char *name; };\ntypedef unsigned long size_t;\n"
ast = c_parser.CParser().parse(src)
for ext in ast.ext:
    print(type(ext).__name__, getattr(ext, "name", None))
print(c_generator.CGenerator().visit(ast))
