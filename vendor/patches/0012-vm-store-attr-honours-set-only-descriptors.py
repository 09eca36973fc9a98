# A descriptor with __set__ and no __get__ takes every assignment, however often the
# assigning code runs (openpyxl's typed fields convert "0" to 0 this way).
class Converting:
    def __init__(self, name):
        self.name = name

    def __set__(self, instance, value):
        instance.__dict__[self.name] = int(value)


class Field:
    tab = Converting("tab")

    def __init__(self, tab):
        self.tab = tab


print({type(Field(str(i)).tab).__name__ for i in range(100)})
f = Field("7")
print(repr(f.tab), f.__dict__)
