import tomlkit
src = """# config
[tool.app]
name = "demo"  # inline comment
version = "1.0"
deps = ["a", "b"]

[tool.app.extra]
x = 1
"""
doc = tomlkit.parse(src)
doc["tool"]["app"]["version"] = "2.0"
doc["tool"]["app"]["deps"].append("c")
print(tomlkit.dumps(doc), end="")
print(doc["tool"]["app"]["extra"]["x"] + 1, type(doc["tool"]).__name__)
