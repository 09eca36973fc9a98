from prettytable import PrettyTable
import wcwidth
t = PrettyTable(["name", "city", "note"])
t.add_row(["Ada", "London", "first"])
t.add_row(["李小龍", "香港", "宽字符"])
t.add_row(["José", "São Paulo", "ç ã"])
t.align["name"] = "l"
print(t)
print(wcwidth.wcswidth("コンニチハ"), wcwidth.wcwidth("a"), wcwidth.wcswidth("\u0301a"))
