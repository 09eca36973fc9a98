# With namespace processing, each namespace declaration is reported before its
# element starts and after it ends.
import xml.parsers.expat as expat

doc = (
    b'<r xmlns="urn:d" xmlns:a="urn:a">'
    b'<a:c><d xmlns:b="urn:b"><b:e/></d></a:c>'
    b"</r>"
)
p = expat.ParserCreate(namespace_separator="|")
p.StartNamespaceDeclHandler = lambda prefix, uri: print("start ns", prefix, uri)
p.EndNamespaceDeclHandler = lambda prefix: print("end ns", prefix)
p.StartElementHandler = lambda name, attrs: print("start", name)
p.EndElementHandler = lambda name: print("end", name)
p.Parse(doc, True)
