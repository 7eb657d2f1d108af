"""WARC archives (plain or gzip), streamed record by record with warcio.

Articles are the successful (2xx) `response` records and the `resource` records whose content
is HTML. The other records of a crawl are not articles and get no output line: requests,
metadata, warcinfo, revisits (pointers to a payload read where it sits), non-HTML and non-2xx
responses. `WarcReader.skipped` counts them by kind, and each file's counts go to the debug log.

A payload is read up to the byte cap, never further; a truncated record, a truncated gzip
member or garbage in the archive is one INVALID_RECORD error at its byte offset, and the file
ends there.
"""

from __future__ import annotations

import codecs
import logging
import zlib
from collections import Counter
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped, unused-ignore]
from warcio.bufferedreaders import ChunkedDataReader  # type: ignore[import-untyped, unused-ignore]
from warcio.exceptions import ArchiveLoadFailed  # type: ignore[import-untyped, unused-ignore]

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

# warcio ships no type stubs: its records are typed as Any.
WarcRecord = Any

ARTICLE_TYPES = ("response", "resource")
WARC_TYPES = frozenset(
    ("warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion")
    + ("continuation",)
)
HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHUNK = 1 << 16
# Compressed bytes that warcio inflates in one step: a gzip member of the archive can grow
# about a thousandfold, so small steps keep a highly compressed record small in memory.
_ARCHIVE_BLOCK = 1024
# zlib window bits per HTTP content encoding: gzip, or zlib-wrapped deflate (47 = either).
_INFLATE = {"gzip": 31, "x-gzip": 31, "deflate": 47}
# What warcio raises on a damaged archive besides its own ArchiveLoadFailed: the low-level
# errors of a header or gzip member cut short, which it does not wrap.
_WARCIO_ERRORS = (ArchiveLoadFailed, EOFError, zlib.error, ValueError, AttributeError, IndexError)


class _Damaged(Exception):
    """The archive is damaged at this offset: nothing after it can be trusted."""

    def __init__(self, offset: int, detail: str) -> None:
        super().__init__(detail)
        self.offset = offset
        self.detail = detail


def offset_id(path: Path, offset: int) -> str:
    """Id of an archive record that has no url: the file's name and the record's byte
    offset (the same however the path is typed)."""
    return locator_id(Locator(str(path), None, offset))


class WarcReader:
    """A WARC file: one record per HTML page it holds."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.skipped: Counter[str] = Counter()

    def read(self, path: Path) -> Iterator[Record | RecordError]:
        """Yield a record or an error per page; an error where the archive breaks."""
        size = path.stat().st_size
        before = self.skipped.copy()
        with path.open("rb") as handle:
            records = ArchiveIterator(handle, block_size=_ARCHIVE_BLOCK)
            try:
                yield from self._items(records, path)
            except _Damaged as damage:
                yield _broken(path, damage.offset, damage.detail)
                return
            if records.offset < size:
                yield _broken(path, records.offset, "the archive ends inside a record")
        skipped = dict(self.skipped - before)
        log.debug("warc file read", extra={"path": str(path), "skipped": skipped})

    def _items(self, records: Any, path: Path) -> Iterator[Record | RecordError]:
        while (warc_record := _next(records)) is not None:
            item = self._record(warc_record, records, path)
            if item is not None:
                yield item

    def _record(
        self, warc_record: WarcRecord, records: Any, path: Path
    ) -> Record | RecordError | None:
        """The article in one WARC record, an error, or None when the record is no article."""
        if warc_record.rec_type not in WARC_TYPES or not _declared_length(warc_record):
            raise _Damaged(_end_of(records), "malformed WARC record headers")
        kind = _skip_kind(warc_record)
        markup = None if kind else self._article(warc_record)
        offset = _end_of(records)
        if _truncated(warc_record) or _member_cut(records):
            raise _Damaged(offset, "the record is cut short")
        if markup is None:
            self.skipped[str(kind)] += 1
            return None
        url = _target(warc_record)
        locator = Locator(str(path), None, offset)
        if isinstance(markup, tuple):
            reason, detail = markup
            rid = url or offset_id(path, offset)
            return RecordError(rid, reason, f"{detail} (at byte {offset})", locator)
        try:
            return _page(markup, url, locator)
        except Exception as exc:  # noqa: BLE001 - a parser defect on odd markup: this page only
            log.warning("page not parsed", extra=defect_fields(exc))
            return internal_error(url or offset_id(path, offset), exc, locator, "reading the page")

    def _article(self, warc_record: WarcRecord) -> tuple[str, str] | str | bytes:
        """The page's markup (decoded when its charset is declared), or (reason, detail)."""
        if getattr(warc_record.raw_stream, "limit", 0) > self.max_bytes:
            return Reason.TOO_LARGE, f"payload over {self.max_bytes} bytes"
        try:
            body = _payload(warc_record, self.max_bytes)
        except _Unsupported as exc:
            return Reason.UNDECODABLE, str(exc)
        except (zlib.error, OSError, ValueError, EOFError) as exc:
            return Reason.UNDECODABLE, f"payload cannot be decoded ({type(exc).__name__})"
        if body is None:
            return Reason.TOO_LARGE, f"payload over {self.max_bytes} bytes once decompressed"
        if not body.strip():
            return Reason.EMPTY_TEXT, "the payload is empty"
        charset = _content_type(warc_record).get_param("charset")
        return _decode(body, charset if isinstance(charset, str) else None)


def _page(markup: str | bytes, url: str | None, locator: Locator) -> Record | RecordError:
    from service.htmltext import extract_page

    page = extract_page(markup, url=url)
    if page is None:
        detail = f"no article text in the page (at byte {locator.offset})"
        rid = url or offset_id(Path(locator.path), locator.offset or 0)
        return RecordError(rid, Reason.EMPTY_TEXT, detail, locator)
    return Record(
        id=record_id(None, url, page.text),
        text=page.text,
        locator=locator,
        published_at=page.published_at,
        url=url,
        title=page.title,
        source=_host(url),
    )


def _skip_kind(warc_record: WarcRecord) -> str | None:
    """Why a record is not an article ("request", "response:image/png"...), or None."""
    rec_type: str = warc_record.rec_type
    if rec_type not in ARTICLE_TYPES:
        return rec_type
    if rec_type == "response":
        headers = warc_record.http_headers
        status = headers.get_statuscode() if headers is not None else None
        if not (status or "").startswith("2"):
            return f"response:status-{status or 'none'}"
    content_type = _content_type(warc_record).get_content_type()
    if content_type not in HTML_TYPES:
        return f"{rec_type}:{content_type}"
    return None


def _content_type(warc_record: WarcRecord) -> Message:
    """The payload's parsed Content-Type: the HTTP header, or the WARC one for a resource."""
    headers = warc_record.http_headers
    if warc_record.rec_type != "response" or headers is None:
        headers = warc_record.rec_headers
    parsed = Message()
    parsed["content-type"] = _header(headers, "content-type") or "application/octet-stream"
    return parsed


def _decode(body: bytes, charset: str | None) -> tuple[str, str] | str | bytes:
    """Text in the declared charset; the bytes as they are when none is declared or known
    (the page parser then finds the charset in the page or guesses it)."""
    if not charset:
        return body
    try:
        codec = codecs.lookup(charset).name
    except LookupError:
        return body
    try:
        return body.decode(codec)
    except UnicodeDecodeError as exc:
        return Reason.UNDECODABLE, f"not valid {charset} (byte {exc.start})"


class _Unsupported(Exception):
    """The payload is compressed in a way this reader does not decode."""


def _payload(warc_record: WarcRecord, max_bytes: int) -> bytes | None:
    """The HTTP payload, de-chunked and decompressed, up to max_bytes; None past that.

    Decompression is done here, in bounded steps, rather than by warcio, which inflates a
    whole chunk at once: a small compressed payload cannot blow up in memory.
    """
    stream: Any = warc_record.raw_stream
    headers = warc_record.http_headers if warc_record.rec_type == "response" else None
    if (_header(headers, "transfer-encoding") or "").lower() == "chunked":
        stream = ChunkedDataReader(stream)
    encoding = (_header(headers, "content-encoding") or "identity").strip().lower()
    if encoding == "identity":
        return _read_capped(stream, max_bytes)
    if encoding not in _INFLATE:
        raise _Unsupported(f"content encoding {encoding!r} is not supported")
    return _inflate_capped(stream, zlib.decompressobj(_INFLATE[encoding]), max_bytes)


def _read_capped(stream: Any, max_bytes: int) -> bytes | None:
    """Up to max_bytes of a stream; None as soon as it holds more."""
    parts: list[bytes] = []
    total = 0
    while True:
        chunk: bytes = stream.read(min(_CHUNK, max_bytes + 1 - total))
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            return None


def _inflate_capped(stream: Any, inflater: Any, max_bytes: int) -> bytes | None:
    """A gzip or deflate stream inflated up to max_bytes; None as soon as it gives more."""
    parts: list[bytes] = []
    total = 0
    while not inflater.eof:
        data: bytes = stream.read(_CHUNK)
        if not data:
            break
        while data:
            piece: bytes = inflater.decompress(data, max_bytes + 1 - total)
            parts.append(piece)
            total += len(piece)
            if total > max_bytes:
                return None
            data = inflater.unconsumed_tail
    return b"".join(parts)


def _next(records: Any) -> WarcRecord | None:
    """The next record of the archive; None at its end; _Damaged where it breaks."""
    try:
        return next(records)
    except StopIteration:
        return None
    except ArchiveLoadFailed as exc:
        raise _Damaged(records.offset, " ".join(str(exc).split())) from exc
    except _WARCIO_ERRORS as exc:
        detail = f"the archive is cut short or damaged ({type(exc).__name__})"
        raise _Damaged(records.offset, detail) from exc


def _end_of(records: Any) -> int:
    """Read what is left of the current record (in blocks); return the offset it starts at."""
    try:
        offset: int = records.get_record_offset()
    except _WARCIO_ERRORS as exc:
        detail = f"the archive is cut short or damaged ({type(exc).__name__})"
        raise _Damaged(records.offset, detail) from exc
    return offset


def _declared_length(warc_record: WarcRecord) -> bool:
    value = _header(warc_record.rec_headers, "content-length")
    return value is not None and value.strip().isdigit()


def _truncated(warc_record: WarcRecord) -> bool:
    """True when the archive ended before the record's declared length."""
    return bool(getattr(warc_record.raw_stream, "limit", 0))


def _member_cut(records: Any) -> bool:
    """True when the gzip member of the record just read ended before its gzip trailer.

    warcio reads such a member without complaint; its decompressor (an internal) tells: at
    the end of a record it has seen the end of its member, unless the file ended first.
    """
    decompressor = getattr(getattr(records, "reader", None), "decompressor", None)
    if decompressor is None or records.next_line:
        return False
    return not getattr(decompressor, "eof", True)


def _target(warc_record: WarcRecord) -> str | None:
    value = _header(warc_record.rec_headers, "WARC-Target-URI")
    return value.strip() or None if value else None


def _header(headers: Any, name: str) -> str | None:
    if headers is None:
        return None
    value = headers.get_header(name)
    return value if isinstance(value, str) else None


def _host(url: str | None) -> str | None:
    """The host name of a url; None when there is none or the url is malformed."""
    if not url:
        return None
    try:
        return urlsplit(url).hostname
    except ValueError:  # "http://[bad/": an unclosed or invalid IPv6 literal
        return None


def _broken(path: Path, offset: int, detail: str) -> RecordError:
    locator = Locator(str(path), None, offset)
    message = f"unreadable WARC data at byte {offset}: {detail}"[:300]
    return RecordError(offset_id(path, offset), Reason.INVALID_RECORD, message, locator)
