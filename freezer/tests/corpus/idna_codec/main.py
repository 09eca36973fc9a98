import idna
print(idna.encode("ドメイン.テスト"), idna.decode(b"xn--eckwd4c7c.xn--zckzah"))
print("bücher.example".encode("idna"), b"xn--bcher-kva.example".decode("idna"))
for enc in ["utf-16", "utf-32", "cp1252", "koi8-r", "shift_jis", "latin-1", "cp437", "mac_roman", "euc_kr", "gb2312", "big5", "utf-7", "rot13"]:
    try:
        import codecs
        print(enc, codecs.encode("Grüße €", enc, "replace") if enc != "rot13" else codecs.encode("hello", "rot13"))
    except LookupError as e:
        print(enc, "LookupError", e)
