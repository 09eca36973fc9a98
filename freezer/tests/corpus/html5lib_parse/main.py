import html5lib
from html5lib import treebuilders
doc = html5lib.parse("<p class=x>Hello <b>wörld<p>second", treebuilder="etree", namespaceHTMLElements=False)
import xml.etree.ElementTree as ET
print(ET.tostring(doc, encoding="unicode"))
print(html5lib.serialize(html5lib.parse(b"<meta charset=windows-1252><p>caf\xe9"), omit_optional_tags=False))
