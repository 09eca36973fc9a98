from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones
for name in ["America/New_York", "Europe/London", "Asia/Tokyo", "Australia/Sydney"]:
    z = ZoneInfo(name)
    t = datetime(2024, 3, 31, 0, 30, tzinfo=z)
    print(name, t.isoformat(), (t + timedelta(hours=3)).isoformat(), t.tzname())
print(len(available_timezones()) > 300)
