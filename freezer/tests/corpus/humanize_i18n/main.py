import datetime as dt
import humanize
print(humanize.naturalsize(123456789), humanize.intcomma(1234567), humanize.intword(12345678901))
print(humanize.naturaldelta(dt.timedelta(hours=3, minutes=5)))
for loc in ["fr_FR", "de_DE", "ru_RU"]:
    humanize.i18n.activate(loc)
    print(loc, humanize.naturaldelta(dt.timedelta(days=3)), humanize.ordinal(3))
    humanize.i18n.deactivate()
