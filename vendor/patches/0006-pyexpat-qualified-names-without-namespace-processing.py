# Without namespace processing, names are reported as written and xmlns
# declarations are ordinary attributes; with it, names are URI + separator + name.
import xml.parsers.expat as expat

doc = (
    b'<r xmlns:ns="urn:x" xmlns="urn:d">'
    b'<ns:c ns:attr="1" plain="2">t</ns:c>'
    b'<d xmlns:ns="urn:other"><ns:e/></d>'
    b"</r>"
)
for kwargs in [{}, {"namespace_separator": " "}]:
    print(kwargs)
    p = expat.ParserCreate(**kwargs)
    p.StartElementHandler = lambda name, attrs: print("start", name, sorted(attrs.items()))
    p.EndElementHandler = lambda name: print("end", name)
    p.Parse(doc, True)
p = expat.ParserCreate()
p.ordered_attributes = True
p.StartElementHandler = lambda name, attrs: print("ordered", name, attrs)
p.Parse(b'<a xmlns:p="urn:p" p:x="1"/>', True)
