from datetime import date, datetime
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
d = date(2024, 2, 29)
for loc in ["en_US", "de_DE", "ja_JP", "ar_EG"]:
    print(loc, format_date(d, format="full", locale=loc), format_currency(1234.5, "EUR", locale=loc), format_decimal(1234567.891, locale=loc))
print(Locale("fr", "CA").display_name, Locale.parse("zh_Hant_TW").get_display_name("en"))
print(format_datetime(datetime(2024, 1, 2, 3, 4, 5), "yyyy-MM-dd HH:mm", tzinfo=None, locale="en"))
