from faker import Faker
for loc in ["en_US", "de_DE", "ja_JP", "fr_FR"]:
    f = Faker(loc)
    Faker.seed(1234)
    print(loc, f.name(), "|", f.city(), "|", f.phone_number())
