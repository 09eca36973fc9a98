import phonenumbers
from phonenumbers import geocoder, carrier, timezone
for num, region in [("+14155552671", None), ("030 12345678", "DE"), ("+81 3-1234-5678", None), ("+44 20 7946 0958", None), ("+91 98765 43210", None)]:
    n = phonenumbers.parse(num, region)
    print(phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.INTERNATIONAL), phonenumbers.is_valid_number(n), geocoder.description_for_number(n, "en"), timezone.time_zones_for_number(n))
