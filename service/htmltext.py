"""The main text of a web page (the article without menus, ads and footers), by trafilatura."""

from __future__ import annotations

import logging
from dataclasses import dataclass

# Parsing a page is pure CPU; trafilatura and its helpers log each page they find odd.
for _name in ("trafilatura", "htmldate", "courlan", "charset_normalizer", "justext"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class Page:
    """What a web page holds as an article: its main text and the metadata found with it."""

    text: str
    title: str | None = None
    published_at: str | None = None
    url: str | None = None
    site: str | None = None


def extract_page(html: str | bytes, url: str | None = None) -> Page | None:
    """The page's main text and metadata; None when the page holds no article text.

    `published_at` is the page's own date (meta tags, structured data, visible date lines)
    as an ISO date (YYYY-MM-DD), or None when the page does not say.
    """
    import trafilatura  # imported here: a few hundred ms, paid only by callers of HTML

    if not html or (isinstance(html, bytes) and not html.strip()):
        return None
    try:
        document = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            # Precision over recall, and no fallback extractors: a page of menus alone
            # is not an article (the fallbacks would return the menu as text).
            favor_precision=True,
            fast=True,
        )
    except (ValueError, TypeError, AttributeError):  # unparseable markup: no article
        return None
    if document is None:
        return None
    text = (getattr(document, "text", None) or "").strip()
    if not text:
        return None
    return Page(
        text=text,
        title=_clean(getattr(document, "title", None)),
        published_at=_clean(getattr(document, "date", None)),
        url=_clean(getattr(document, "url", None)) or url,
        site=_clean(getattr(document, "sitename", None)),
    )


def _clean(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
