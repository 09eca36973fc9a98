from datetime import datetime
import pytz
for name in ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]:
    z = pytz.timezone(name)
    for month in (1, 7):
        print(name, z.localize(datetime(2024, month, 15, 12)).isoformat())
print(len(pytz.all_timezones) > 400, "Europe/Paris" in pytz.common_timezones)
try:
    pytz.timezone("Mars/Olympus")
except pytz.UnknownTimeZoneError as e:
    print("unknown", e)
