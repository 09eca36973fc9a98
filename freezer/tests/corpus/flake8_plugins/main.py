import os, sys, tempfile
from flake8.main.cli import main
src = "import os\ndef BadName():\n    l = 1\n    return undefined\nclass lower_class: pass\n"
d = tempfile.mkdtemp()
p = os.path.join(d, "t.py")
with open(p, "w") as f:
    f.write(src)
os.chdir(d)
try:
    main(["--select=E,F,N,W", "t.py"])
except SystemExit as e:
    print("exit", e.code)
