import isort
print(isort.code("import sys\nimport os\nfrom b import y, x\nimport a\n"), end="")
print(isort.code("import requests\nimport os\nimport mylocal\n", profile="black", known_first_party=["mylocal"]), end="")
