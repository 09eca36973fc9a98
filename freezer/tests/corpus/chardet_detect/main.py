import chardet
samples = {
    "utf-8": "Grüße aus Köln, ça va? Ελληνικά".encode("utf-8"),
    "utf-16": "hello wörld".encode("utf-16"),
    "shift_jis": "日本語のテキストです。こんにちは世界".encode("shift_jis"),
    "koi8-r": "Привет, как дела? Это тест.".encode("koi8-r"),
    "ascii": b"plain ascii text only",
}
for name, data in samples.items():
    r = chardet.detect(data)
    print(name, r["encoding"], r["language"])
