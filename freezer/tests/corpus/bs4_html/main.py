from bs4 import BeautifulSoup
html = "<html><head><title>T</title></head><body><div id=a><p class='x y'>One</p><p>Two &amp; <a href='/z'>link</a></p></div></body></html>"
soup = BeautifulSoup(html, "html.parser")
print(soup.title.string, [p.get_text() for p in soup.find_all("p")], soup.select_one("div#a > p.y").text)
print(soup.find("a")["href"], soup.prettify())
print(BeautifulSoup(b"<p>caf\xe9</p>", "html.parser", from_encoding="latin-1").p.string)
