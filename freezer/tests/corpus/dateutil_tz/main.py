from datetime import datetime
from dateutil import parser, tz, rrule
from dateutil.relativedelta import relativedelta
from dateutil.zoneinfo import get_zonefile_instance
d = parser.parse("2024-03-10 01:30:00")
ny = tz.gettz("America/New_York")
print(ny is not None)
print(d.replace(tzinfo=ny).isoformat())
print((d + relativedelta(hours=+2)).replace(tzinfo=ny).isoformat())
zones = get_zonefile_instance()
print(len(zones.zones) > 300, zones.get("Europe/Berlin").utcoffset(datetime(2024, 7, 1)))
print(list(rrule.rrule(rrule.MONTHLY, count=3, dtstart=datetime(2024, 1, 31))))
print(parser.parse("Sat Oct 11 17:13:46 UTC 2003").isoformat())
