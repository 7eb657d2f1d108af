"""NITF and NewsML-G2 wire files, parsed as a stream with lxml (no network, no entities).

A file holds one NITF document, one bare NewsML-G2 `newsItem`, or a `newsMessage` with many
items; a message is read item by item and each item is freed once read. Namespaces are
matched by local name, so namespaced and plain NITF read alike.

Text: the dateline (when the copy does not already start with it) is put before the body, as
wire copy prints it: "PARIS, March 3 — The first paragraph...", then one paragraph per line.
"""

from __future__ import annotations

import html
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

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

# lxml ships no type stubs: its elements are typed as Any.
Element = Any

SNIFF_BYTES = 8192
# How far (bytes) the parser may read past an item's start before the item is judged by its
# size: lxml reads its source in 32 KiB blocks, so positions are known to a block.
_READ_SLACK = 1 << 16
_ITEMS = frozenset({"newsItem", "packageItem", "conceptItem", "knowledgeItem", "planningItem"})
_BLOCKS = frozenset({"p", "hl2", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "blockquote"})
_TEXT_TYPES = ("text/plain",)
_DASHES = ("—", "–", "-", ":")
_BASIC_ISO = re.compile(
    r"(\d{4})(\d{2})(\d{2})"
    r"(?:T(\d{2})(\d{2})(\d{2})?(?:[.,]\d+)?(Z|[+-]\d{2}(?::?\d{2})?)?)?"
)


def _parser_options() -> dict[str, Any]:
    """Safe parsing: no network, no DTD, entities kept unexpanded, no huge nodes."""
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "huge_tree": False,
        "remove_comments": True,
        "remove_pis": True,
    }


def xml_root(path: Path) -> str | None:
    """The local name of a file's root element, read from its first few KB; None if unknown."""
    parser = etree.XMLPullParser(events=("start",), **_parser_options())
    try:
        with path.open("rb") as handle:
            parser.feed(handle.read(SNIFF_BYTES))
    except OSError:
        return None
    except etree.XMLSyntaxError:
        pass  # an error further down the file: the root, if it was read, still tells
    for _, element in parser.read_events():
        return _local(element)
    return None


def iso_8601(value: str | None) -> str | None:
    """A date or date-time (ISO 8601 basic or extended form) as extended ISO 8601; None when
    absent or unreadable (a date is never guessed). Offsets are kept, never invented."""
    if not value or not value.strip():
        return None
    text = value.strip()
    basic = _BASIC_ISO.fullmatch(text)
    if basic:
        year, month, day, hour, minute, second, zone = basic.groups()
        text = f"{year}-{month}-{day}"
        if hour is not None:
            text += f"T{hour}:{minute}:{second or '00'}"
            if zone and zone != "Z" and ":" not in zone and len(zone) == 5:
                zone = f"{zone[:3]}:{zone[3:]}"
            text += zone or ""
    try:
        if "T" not in text and " " not in text:
            return date.fromisoformat(text).isoformat()
        return datetime.fromisoformat(text).isoformat()
    except ValueError:
        return None


class _Counted:
    """A binary file that counts the bytes read from it: where the parser has got to."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        """Read and count."""
        chunk = self.handle.read(size)
        self.position += len(chunk)
        return chunk


class NewsXmlReader:
    """NITF documents and NewsML-G2 items: one record per article, read as a stream."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.skipped: Counter[str] = Counter()

    def read(self, path: Path) -> Iterator[Record | RecordError]:
        """Yield a record or an error per article; a parse error ends the file with an error
        that names its line (the articles read before it are kept)."""
        with path.open("rb") as handle:
            source = _Counted(handle)
            events = etree.iterparse(source, events=("start", "end"), **_parser_options())
            try:
                yield from self._document(events, source, path)
            except etree.XMLSyntaxError as exc:
                yield _syntax_error(exc, path)

    def _document(
        self, events: Iterator[tuple[str, Element]], source: _Counted, path: Path
    ) -> Iterator[Record | RecordError]:
        whole = Locator(str(path))
        first = next(events, None)
        if first is None:
            yield RecordError(locator_id(whole), Reason.INVALID_RECORD, "no XML element", whole)
            return
        root = first[1]
        kind = _local(root)
        if kind == "newsMessage":
            yield from self._message(events, source, path)
            return
        if kind not in ("nitf", "newsItem"):
            detail = f"the root element is <{kind}>, not NITF or NewsML-G2"
            yield RecordError(locator_id(whole), Reason.UNSUPPORTED_FORMAT, detail, whole)
            return
        if path.stat().st_size > self.max_bytes:
            detail = f"over {self.max_bytes} bytes"
            yield RecordError(locator_id(whole), Reason.TOO_LARGE, detail, whole)
            return
        for event, element in events:
            if event == "end" and element is root:
                read = _nitf if kind == "nitf" else _news_item
                yield from self._counted(_guarded(read, root, path), "newsItem")

    def _message(
        self, events: Iterator[tuple[str, Element]], source: _Counted, path: Path
    ) -> Iterator[Record | RecordError]:
        current: Element = None
        started = 0
        oversized = False
        for event, element in events:
            name = _local(element)
            if current is None:
                if event == "start" and name in _ITEMS:
                    current, started, oversized = element, source.position, False
                elif event == "end":
                    element.clear(keep_tail=True)  # the message's header: not needed
                continue
            if element is not current:
                oversized = oversized or source.position - started > self.max_bytes + _READ_SLACK
                if oversized and event == "end":
                    element.clear()  # an oversized item is not kept in memory
                continue
            if event == "end":
                yield from self._item(current, name, oversized, path)
                _release(current)
                current = None

    def _item(
        self, element: Element, name: str, oversized: bool, path: Path
    ) -> Iterator[Record | RecordError]:
        if name != "newsItem":
            self.skipped[name] += 1
            return
        locator = Locator(str(path), element.sourceline)
        if oversized:
            rid = element.get("guid") or locator_id(locator)
            detail = f"item over {self.max_bytes} bytes"
            yield RecordError(rid, Reason.TOO_LARGE, detail, locator)
            return
        item = _guarded(_news_item, element, path)
        if isinstance(item, Record) and len(item.text.encode("utf-8")) > self.max_bytes:
            detail = f"text over {self.max_bytes} bytes"
            item = RecordError(item.id, Reason.TOO_LARGE, detail, locator)
        yield from self._counted(item, name)

    def _counted(
        self, item: Record | RecordError | str, name: str
    ) -> Iterator[Record | RecordError]:
        """Yield an article; count an item that is not one (a picture, a video...)."""
        if isinstance(item, str):
            self.skipped[f"{name}:{item}"] += 1
            log.debug("news item is not an article", extra={"item_class": item})
            return
        yield item


def _guarded(
    read: Callable[[Element, Path], Record | RecordError | str], element: Element, path: Path
) -> Record | RecordError | str:
    """`read(element, path)`, or an error line for this article alone if reading it fails."""
    try:
        return read(element, path)
    except Exception as exc:  # noqa: BLE001 - a defect on odd markup: this article only
        log.warning("news article not read", extra=defect_fields(exc))
        locator = Locator(str(path), element.sourceline)
        guid = element.get("guid") if _local(element) == "newsItem" else None
        rid = guid.strip() if isinstance(guid, str) and guid.strip() else locator_id(locator)
        return internal_error(rid, exc, locator, "reading the article")


def _syntax_error(exc: Any, path: Path) -> RecordError:
    """The error line of a file that stops parsing: where, and why."""
    locator = Locator(str(path), exc.lineno or None)
    message = " ".join(str(exc.msg).split())
    if "limit exceeded" in message.lower():  # libxml2 refuses a text node over 10 MB
        reason, what = Reason.TOO_LARGE, "an element too large to parse"
    else:
        reason, what = Reason.INVALID_RECORD, "malformed XML"
    detail = f"{what}, the rest of the file is not read: {message}"[:300]
    return RecordError(locator_id(locator), reason, detail, locator)


def _release(element: Element) -> None:
    """Free an item read from a message, and what came before it in the tree."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _nitf(root: Element, path: Path) -> Record | RecordError:
    """One NITF document as a record."""
    doc_id = _attr(_find(root, "doc-id"), "id-string")
    pubdata = _find(root, "pubdata")
    url = _http(_attr(pubdata, "ex-ref"))
    title = _text(_find(root, "hl1")) or _text(_path(root, "head", "title"))
    paragraphs = _paragraphs(_find(root, "body.content"))
    text = _with_dateline(_text(_find(root, "dateline")), paragraphs)
    locator = Locator(str(path), root.sourceline)
    if not text:
        rid = doc_id or url or locator_id(locator)
        return RecordError(rid, Reason.EMPTY_TEXT, "no body text in the NITF document", locator)
    published = iso_8601(_attr(_find(root, "date.issue"), "norm")) or iso_8601(
        _attr(pubdata, "date.publication")
    )
    source = _attr(_find(root, "doc.copyright"), "holder") or _attr(pubdata, "name")
    return Record(
        id=record_id(doc_id, url, text),
        text=text,
        locator=locator,
        published_at=published,
        url=url,
        title=title,
        source=source,
    )


def _news_item(item: Element, path: Path) -> Record | RecordError | str:
    """A NewsML-G2 newsItem as a record; the item class (a str) when it is not text."""
    item_meta = _child(item, "itemMeta")
    item_class = _attr(_child(item_meta, "itemClass"), "qcode")
    if item_class and not item_class.endswith(":text"):
        return item_class
    guid = (item.get("guid") or "").strip() or None
    content_meta = _child(item, "contentMeta")
    body = _item_body(_child(item, "contentSet"))
    text = _with_dateline(_text(_child(content_meta, "dateline")), body)
    locator = Locator(str(path), item.sourceline)
    if not text:
        detail = "no inline text in the item (remote content is not fetched)"
        return RecordError(guid or locator_id(locator), Reason.EMPTY_TEXT, detail, locator)
    published = iso_8601(_text(_child(content_meta, "contentCreated"))) or iso_8601(
        _text(_child(item_meta, "versionCreated"))
    )
    return Record(
        id=record_id(guid, None, text),
        text=text,
        locator=locator,
        published_at=published,
        title=_text(_child(content_meta, "headline")),
        source=_provider(item_meta) or _name(_path(item, "rightsInfo", "copyrightHolder")),
    )


def _item_body(content_set: Element) -> list[str]:
    """Paragraphs of the first inline rendition with text: XHTML, NITF or plain text."""
    if content_set is None:
        return []
    for rendition in content_set:
        name = _local(rendition)
        if name == "inlineXML":
            body = _first_found(rendition, "body.content", "body")
            paragraphs = _paragraphs(body if body is not None else rendition)
        elif name == "inlineData" and (rendition.get("contenttype") or "").startswith(_TEXT_TYPES):
            paragraphs = [_squash(line) for line in (rendition.text or "").split("\n\n")]
        else:
            continue
        paragraphs = [p for p in paragraphs if p]
        if paragraphs:
            return paragraphs
    return []


def _provider(item_meta: Element) -> str | None:
    provider = _child(item_meta, "provider")
    return _name(provider) or _attr(provider, "literal")


def _name(element: Element) -> str | None:
    return _text(_child(element, "name")) or _attr(element, "literal")


def _with_dateline(dateline: str | None, paragraphs: list[str]) -> str:
    """The article text: paragraphs one per line, the dateline leading the first."""
    if not paragraphs:
        return ""
    first = paragraphs[0]
    if dateline and not first.casefold().startswith(dateline.casefold()):
        joint = " " if dateline.endswith(_DASHES) else " — "
        first = f"{dateline}{joint}{first}"
    return "\n".join([first, *paragraphs[1:]])


def _paragraphs(container: Element) -> list[str]:
    """The text of each block (paragraph, subhead, list item) in order; the whole text when
    the container has no blocks."""
    if container is None:
        return []
    blocks = [
        _text(element)
        for element in container.iter()
        if _local(element) in _BLOCKS and not _inside_block(element, container)
    ]
    if not blocks:
        blocks = [_text(container)]
    return [block for block in blocks if block]


def _inside_block(element: Element, container: Element) -> bool:
    parent = element.getparent()
    while parent is not None and parent is not container:
        if _local(parent) in _BLOCKS:
            return True
        parent = parent.getparent()
    return False


def _local(element: Element) -> str:
    """An element's name without its namespace; "" for entities and other nodes."""
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _child(element: Element, name: str) -> Element:
    if element is None:
        return None
    return next((child for child in element if _local(child) == name), None)


def _path(element: Element, *names: str) -> Element:
    for name in names:
        element = _child(element, name)
    return element


def _find(element: Element, name: str) -> Element:
    """The first descendant with this local name, or None."""
    return next((found for found in element.iter() if _local(found) == name), None)


def _first_found(element: Element, *names: str) -> Element:
    """The first descendant found under the first of these names that has one."""
    for name in names:
        found = _find(element, name)
        if found is not None:
            return found
    return None


def _attr(element: Element, name: str) -> str | None:
    if element is None:
        return None
    value = element.get(name)
    return _squash(value) or None if isinstance(value, str) else None


def _http(url: str | None) -> str | None:
    return url if url and url.startswith(("http://", "https://")) else None


def _text(element: Element) -> str | None:
    """All the text inside an element, white space collapsed; HTML entity references (kept
    unexpanded by the parser) become their characters, unknown ones are left out."""
    if element is None:
        return None
    return _squash("".join(_pieces(element))) or None


def _pieces(element: Element) -> Iterator[str]:
    yield element.text or ""
    for child in element:
        if isinstance(child.tag, str):
            yield " " if _local(child) == "br" else ""
            yield from _pieces(child)
        elif child.tag is etree.Entity:
            character = html.unescape(child.text or "")
            yield "" if character.startswith("&") else character
        yield child.tail or ""


def _squash(text: str) -> str:
    return " ".join(text.split())
