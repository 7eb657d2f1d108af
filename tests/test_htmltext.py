"""Main text of web pages: the article without the page's furniture."""

from __future__ import annotations

from service.htmltext import extract_page

PAGE = """<html><head><title>Flood hits town | The Daily</title>
<meta property="article:published_time" content="2024-03-02T10:00:00Z"></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a> | Subscribe now</nav>
<article><h1>Flood hits town</h1>
<p>At least 12 people died when the river burst its banks on Saturday, officials said.</p>
<p>Rescue teams searched through the night for survivors in the low-lying districts.</p>
</article><footer>Copyright The Daily. All rights reserved.</footer></body></html>"""


def test_the_article_text_comes_without_menus_or_footer() -> None:
    page = extract_page(PAGE.encode("utf-8"), url="https://daily.example/flood")
    assert page is not None
    assert "At least 12 people died when the river burst its banks" in page.text
    assert "Subscribe now" not in page.text and "All rights reserved" not in page.text
    assert page.title == "Flood hits town"
    assert page.published_at == "2024-03-02"
    assert page.url == "https://daily.example/flood"


def test_a_page_without_article_text_gives_none() -> None:
    assert extract_page(b"<html><head><title>x</title></head><body> </body></html>") is None
    assert extract_page(b"") is None
