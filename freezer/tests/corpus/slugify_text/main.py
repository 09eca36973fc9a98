from slugify import slugify
for s in ["Hello World!", "Привет мир", "C'est déjà l'été", "北京 2024", "a & b | c"]:
    print(slugify(s))
print(slugify("Ünïcödé text", separator="_", max_length=8))
from text_unidecode import unidecode
print(unidecode("Αθήνα Ελλάδα"))
