# A comment holding the word "for" after a keyword argument is not a comprehension.
def version(**fields):
    return sorted(fields.items())


info = version(
    major=0,
    serial=0,  # pre-release number (0 for final releases)
    release=True  # True for official releases and pre-releases
    )
print(info)
print(dict(a=1  # for
           ))
print(list(x for x in range(3)))  # a real comprehension still works
try:
    compile("f(a=x for x in y)", "<test>", "exec")
except SyntaxError as e:
    print("SyntaxError:", e.msg)
