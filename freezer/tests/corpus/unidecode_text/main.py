from unidecode import unidecode
for s in ["Ελληνικά", "北京市", "Привет мир", "Ærøskøbing", "ﬁ ligature", "한국어", "עברית"]:
    print(repr(unidecode(s)))
