from docutils.core import publish_parts, publish_string
rst = """
Title
=====

Some *emphasis* and ``code``.

.. note:: A note.

- item one
- item two

=====  =====
A      B
=====  =====
1      2
=====  =====
"""
parts = publish_parts(rst, writer_name="html5", settings_overrides={"language_code": "de", "report_level": 5})
print(parts["title"])
print(parts["body"])
print(publish_string(rst, writer_name="pseudoxml", settings_overrides={"report_level": 5}).decode())
