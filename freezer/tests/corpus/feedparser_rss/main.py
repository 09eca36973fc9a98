import feedparser
rss = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Demo Feed</title><link>http://example.com/</link>
<item><title>First post</title><link>http://example.com/1</link><pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate><description>Hello &lt;b&gt;world&lt;/b&gt;</description></item>
<item><title>Zweiter Beitrag</title><link>http://example.com/2</link></item></channel></rss>"""
d = feedparser.parse(rss)
print(d.version, d.feed.title, d.bozo)
for e in d.entries:
    print(e.title, e.link, e.get("published_parsed"), e.get("summary"))
