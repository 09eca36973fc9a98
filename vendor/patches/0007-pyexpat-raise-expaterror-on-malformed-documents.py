# A document that is not well-formed raises ExpatError with libexpat's code and position.
import xml.parsers.expat as expat

for bad in [
    b"<a><b></a>",
    b"<a></b>",
    b"<r>\n  <x>\n</r>",
    b"<a/><b/>",
    b"<a>",
    b"<a>&</a>",
    b"<a>&foo;</a>",
    b"<a b='1' b='2'/>",
]:
    p = expat.ParserCreate()
    try:
        p.Parse(bad, True)
        print("accepted", bad)
    except expat.ExpatError as e:
        print(bad, "->", e, "| code", e.code, "line", e.lineno, "offset", e.offset)
p = expat.ParserCreate()
p.Parse(b"<a><b>", False)
print("partial document accepted")
try:
    p.Parse(b"</a>", True)
except expat.ExpatError as e:
    print("ExpatError", e, e.code)
