"""RSS and Atom feeds, parsed by feedparser from bytes (it never fetches anything).

A feed is read whole, so its size is capped first: a feed over the cap is one TOO_LARGE error.
Each entry is a record: id from its guid/id, else its link, else a hash of its text.
"""

from __future__ import annotations

import calendar
import logging
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser  # type: ignore[import-untyped, unused-ignore]

from service.batch.readers import DEFAULT_MAX_BYTES
from service.batch.records import (
    Locator,
    Reason,
    Record,
    RecordError,
    defect_fields,
    internal_error,
    locator_id,
    record_id,
)

log = logging.getLogger(__name__)

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_BLOCKS = ("p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr")


class FeedReader:
    """An RSS (0.9x, 1.0, 2.0) or Atom feed: one record per entry."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes

    def read(self, path: Path) -> Iterator[Record | RecordError]:
        """Yield a record or an error per entry; one error for a feed that cannot be read."""
        whole = Locator(str(path))
        if path.stat().st_size > self.max_bytes:
            detail = f"feed over {self.max_bytes} bytes"
            yield RecordError(locator_id(whole), Reason.TOO_LARGE, detail, whole)
            return
        try:
            parsed: dict[str, Any] = feedparser.parse(path.read_bytes())
        except OSError:
            raise
        except Exception as exc:  # noqa: BLE001 - feedparser fails on some garbage: type only
            log.warning("feed not parsed", extra=defect_fields(exc))
            detail = f"not a readable RSS or Atom feed (the parser failed: {type(exc).__name__})"
            yield RecordError(locator_id(whole), Reason.INVALID_RECORD, detail, whole)
            return
        entries: list[dict[str, Any]] = parsed.get("entries") or []
        version = parsed.get("version")
        if not entries and (parsed.get("bozo") or not version):
            cause = parsed.get("bozo_exception")
            detail = (
                f"not a readable RSS or Atom feed: {cause}" if cause else "not an RSS or Atom feed"
            )
            yield RecordError(locator_id(whole), Reason.INVALID_RECORD, detail[:300], whole)
            return
        source = _field(parsed.get("feed") or {}, "title")
        log.debug("feed read", extra={"entries": len(entries), "feed_version": version})
        for number, entry in enumerate(entries, start=1):
            locator = Locator(f"{path}#entry-{number}")
            try:
                yield _entry(entry, source, locator)
            except Exception as exc:  # noqa: BLE001 - an odd entry: an error line for it alone
                log.warning("feed entry not read", extra=defect_fields(exc))
                yield internal_error(locator_id(locator), exc, locator, "reading the entry")


def _entry(entry: dict[str, Any], source: str | None, locator: Locator) -> Record | RecordError:
    """One feed entry as a record, or an EMPTY_TEXT error when it carries no text."""
    entry_id = _field(entry, "id")
    link = _field(entry, "link")
    url = link if link and link.startswith(("http://", "https://")) else None
    text = _entry_text(entry)
    if not text:
        rid = entry_id or url or locator_id(locator)
        return RecordError(rid, Reason.EMPTY_TEXT, "the entry has no text", locator)
    return Record(
        id=record_id(entry_id, url, text),
        text=text,
        locator=locator,
        published_at=_published(entry),
        url=url,
        title=_field(entry, "title"),
        source=source,
    )


def _field(data: dict[str, Any], key: str) -> str | None:
    # dict.get: feedparser's own get() warns about its legacy key aliases.
    value = dict.get(data, key)
    return value.strip() or None if isinstance(value, str) else None


def _published(entry: dict[str, Any]) -> str | None:
    """The entry's date as ISO 8601 UTC (feedparser gives it normalised to UTC)."""
    for key in ("published_parsed", "updated_parsed"):
        value = dict.get(entry, key)
        if isinstance(value, time.struct_time):
            return datetime.fromtimestamp(calendar.timegm(value), UTC).isoformat()
    return None


def _entry_text(entry: dict[str, Any]) -> str:
    """The entry's full content, else its summary, as plain text."""
    content = dict.get(entry, "content")
    candidates = [*(content or []), dict.get(entry, "summary_detail")]
    for detail in candidates:
        if not isinstance(detail, Mapping):
            continue
        value = detail.get("value")
        if not isinstance(value, str) or not value.strip():
            continue
        kind = detail.get("type") or "text/html"
        text = html_to_text(value) if kind in _HTML_TYPES else value.strip()
        if text:
            return text
    return ""


def html_to_text(snippet: str) -> str:
    """The text of an HTML snippet: its main text, or for a snippet too short for that, its
    cleaned text (scripts and styles out, one line per block)."""
    from service.htmltext import extract_page

    page = extract_page(snippet)
    if page is not None:
        return page.text
    return _plain_text(snippet)


def _plain_text(snippet: str) -> str:
    from lxml import etree  # type: ignore[import-untyped, unused-ignore]
    from lxml import html as lxml_html  # type: ignore[import-untyped, unused-ignore]
    from lxml_html_clean import Cleaner  # type: ignore[import-untyped, unused-ignore]

    try:
        fragment = lxml_html.fragment_fromstring(snippet, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    cleaned = Cleaner(scripts=True, javascript=True, style=True, comments=True).clean_html(fragment)
    for block in cleaned.iter(*_BLOCKS):
        block.tail = "\n" + (block.tail or "")
    lines = (" ".join(line.split()) for line in cleaned.text_content().splitlines())
    return "\n".join(line for line in lines if line)
