from num2words import num2words
for lang in ["en", "de", "fr", "es", "ru", "ja", "pt_BR"]:
    print(lang, num2words(1984, lang=lang), num2words(3, lang=lang, to="ordinal"))
print(num2words(12.5, lang="en", to="currency"))
