import io
from openpyxl import Workbook, load_workbook
wb = Workbook()
ws = wb.active
ws.title = "Data"
ws.append(["name", "qty", "price"])
for row in [("apple", 3, 1.5), ("pear", 2, 0.75), ("plum", 10, 0.2)]:
    ws.append(row)
ws["E1"] = "=SUM(B2:B4)"
buf = io.BytesIO()
wb.save(buf)
wb2 = load_workbook(io.BytesIO(buf.getvalue()))
ws2 = wb2["Data"]
for row in ws2.iter_rows(values_only=True):
    print(row)
print(wb2.sheetnames, ws2.max_row, ws2.max_column)
