import os, sys, tempfile
from pylint.lint import Run
d = tempfile.mkdtemp()
p = os.path.join(d, "mod.py")
with open(p, "w") as f:
    f.write('"""Doc."""\nimport os\n\n\ndef f(x):\n    """Doc."""\n    y = 1\n    return x\n')
os.chdir(d)
r = Run(["--disable=all", "--enable=W0611,W0612", "--score=n", "--persistent=n", "mod.py"], exit=False)
print("status", r.linter.msg_status)
