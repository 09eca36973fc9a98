import arrow
a = arrow.get("2024-01-15T10:00:00+00:00")
b = a.shift(days=-3, hours=2)
print(a.to("US/Pacific").isoformat(), b.humanize(a), b.humanize(a, locale="de"), b.humanize(a, locale="ru"))
print(a.format("dddd, MMMM D YYYY", locale="fr"), arrow.get("2024-02-29", "YYYY-MM-DD").span("week"))
