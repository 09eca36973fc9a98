import xmltodict, json
doc = """<?xml version="1.0"?>
<root xmlns:a="http://a.example/" a:attr="1"><a:child id="x">text</a:child><item>1</item><item>2</item><empty/></root>"""
print(json.dumps(xmltodict.parse(doc), sort_keys=True))
print(json.dumps(xmltodict.parse(doc, process_namespaces=True), sort_keys=True))
print(xmltodict.unparse({"r": {"@k": "v", "c": ["1", "2"]}}, pretty=True))
try:
    xmltodict.parse("<a><b></a>")
except Exception as e:
    print(type(e).__name__, e)
