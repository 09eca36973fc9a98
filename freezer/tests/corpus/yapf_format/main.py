from yapf.yapflib.yapf_api import FormatCode
src = "def f(a,b):\n  return {'x':a,'y':[b,b,b]}\nclass  C( object ) :\n    def m(self):pass\n"
for style in ["pep8", "google"]:
    code, changed = FormatCode(src, style_config=style)
    print(style, changed)
    print(code, end="")
