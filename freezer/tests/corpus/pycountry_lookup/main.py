import gettext
import pycountry
de = pycountry.countries.get(alpha_2="DE")
print(de.name, de.alpha_3, de.numeric)
print(len(pycountry.countries) > 200, pycountry.languages.get(alpha_2="fr").name)
print(pycountry.subdivisions.get(code="US-CA").name)
t = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["de"])
print(t.gettext("Germany"), t.gettext("France"))
print([c.name for c in pycountry.countries.search_fuzzy("Germany")][:2])
