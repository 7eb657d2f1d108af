"""Readers: one interface, one class per archive format; each streams records one by one.

This module holds the interface, the registry (`FORMATS`, `reader_for`, `detect_format`) and
the JSONL, CSV and folder readers. WARC lives in `warc`, NITF and NewsML-G2 in `newsxml`,
RSS and Atom in `feeds`; those modules (and their parsers) load only when their format is used.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from service.batch.records import (
    Locator,
    Reason,
    Record,
    RecordError,
    locator_id,
    record_id,
)

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
FORMATS = ("jsonl", "csv", "txt-dir", "warc", "nitf", "newsml", "feed")
_EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".warc": "warc",
    ".nitf": "nitf",
    ".rss": "feed",
    ".atom": "feed",
}
_XML_ROOTS = {
    "nitf": "nitf",
    "newsMessage": "newsml",
    "newsItem": "newsml",
    "rss": "feed",
    "feed": "feed",
    "RDF": "feed",
}
_HTML_SUFFIXES = (".html", ".htm")
_DRAIN_CHUNK = 1 << 20


@dataclass(frozen=True)
class FieldMap:
    """Names of the input fields (JSON keys, CSV columns) that hold each part of a record."""

    text: str = "text"
    id: str = "id"
    published_at: str = "published_at"
    url: str = "url"
    title: str = "title"
    source: str = "source"


class Reader(Protocol):
    """Turns one input path into records, streaming."""

    def read(self, path: Path) -> Iterator[Record | RecordError]:
        """Yield every record of `path`, or an error for each one that cannot be read."""
        ...


def detect_format(path: Path) -> str | None:
    """The input format implied by a path: a folder, the file's extension, or for `.xml`
    the root element (read from the first few KB); None when it cannot tell."""
    if path.is_dir():
        return "txt-dir"
    name = path.name.lower()
    if name.endswith(".warc.gz"):
        return "warc"
    if path.suffix.lower() == ".xml":
        from service.batch.newsxml import xml_root

        return _XML_ROOTS.get(xml_root(path) or "")
    return _EXTENSIONS.get(path.suffix.lower())


def reader_for(fmt: str, fields: FieldMap, max_bytes: int = DEFAULT_MAX_BYTES) -> Reader:
    """The reader of a format named in FORMATS (`nitf` and `newsml` share one reader)."""
    if fmt == "jsonl":
        return JsonlReader(fields, max_bytes)
    if fmt == "csv":
        return CsvReader(fields, max_bytes)
    if fmt == "txt-dir":
        return FolderReader(max_bytes)
    if fmt == "warc":
        from service.batch.warc import WarcReader

        return WarcReader(max_bytes)
    if fmt in ("nitf", "newsml"):
        from service.batch.newsxml import NewsXmlReader

        return NewsXmlReader(max_bytes)
    if fmt == "feed":
        from service.batch.feeds import FeedReader

        return FeedReader(max_bytes)
    raise ValueError(f"unknown input format {fmt!r}")


def _scalar(value: object) -> str | None:
    """A metadata value as text; numbers become strings, nested values are refused."""
    if value is None or isinstance(value, str):
        return value or None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(type(value).__name__)
    return str(value)


def from_mapping(
    data: Mapping[str, object], fields: FieldMap, locator: Locator
) -> Record | RecordError:
    """Build a record from a JSON object or CSV row, or say why it cannot be one."""
    try:
        source_id = _scalar(data.get(fields.id))
        url = _scalar(data.get(fields.url))
        meta = {
            "published_at": _scalar(data.get(fields.published_at)),
            "title": _scalar(data.get(fields.title)),
            "source": _scalar(data.get(fields.source)),
        }
    except TypeError as exc:
        fallback = data.get(fields.id)
        rid = fallback if isinstance(fallback, str) and fallback else locator_id(locator)
        return RecordError(rid, Reason.INVALID_RECORD, f"a metadata field is a {exc}", locator)
    text = data.get(fields.text)
    if not isinstance(text, str):
        rid = source_id or url or locator_id(locator)
        what = "no" if text is None else f"a non-string ({type(text).__name__})"
        return RecordError(rid, Reason.INVALID_RECORD, f"{what} {fields.text!r} field", locator)
    if not text.strip():
        rid = source_id or url or locator_id(locator)
        return RecordError(rid, Reason.EMPTY_TEXT, "the text is empty", locator)
    return Record(id=record_id(source_id, url, text), text=text, locator=locator, url=url, **meta)


def _lines(handle: BinaryIO, max_bytes: int) -> Iterator[tuple[int, int, bytes | None]]:
    """(line number, byte offset, bytes) of each line; None for a line over max_bytes."""
    offset = 0
    number = 0
    while True:
        chunk = handle.readline(max_bytes + 1)
        if not chunk:
            return
        number += 1
        start = offset
        offset += len(chunk)
        if len(chunk) <= max_bytes or chunk.endswith(b"\n"):
            yield number, start, chunk
            continue
        while True:  # skip the rest of an oversized line without holding it
            rest = handle.readline(_DRAIN_CHUNK)
            offset += len(rest)
            if not rest or rest.endswith(b"\n"):
                break
        yield number, start, None


class JsonlReader:
    """One JSON object per line; blank lines are not records."""

    def __init__(self, fields: FieldMap, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.fields = fields
        self.max_bytes = max_bytes

    def read(self, path: Path) -> Iterator[Record | RecordError]:
        """Yield a record or an error per non-blank line."""
        with path.open("rb") as handle:
            for number, offset, raw in _lines(handle, self.max_bytes):
                locator = Locator(str(path), number, offset)
                if raw is None:
                    detail = f"line longer than {self.max_bytes} bytes"
                    yield RecordError(locator_id(locator), Reason.TOO_LARGE, detail, locator)
                    continue
                if not raw.strip():
                    continue
                yield self._parse(raw, locator)

    def _parse(self, raw: bytes, locator: Locator) -> Record | RecordError:
        rid = locator_id(locator)
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return RecordError(rid, Reason.UNDECODABLE, f"not UTF-8 (byte {exc.start})", locator)
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            detail = f"bad JSON: {exc.msg} (column {exc.colno})"
            return RecordError(rid, Reason.INVALID_RECORD, detail, locator)
        if not isinstance(data, dict):
            detail = f"a JSON {type(data).__name__}, not an object"
            return RecordError(rid, Reason.INVALID_RECORD, detail, locator)
        return from_mapping(data, self.fields, locator)


class CsvReader:
    """A CSV file with a header row, read with the csv module one row at a time."""

    def __init__(self, fields: FieldMap, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.fields = fields
        self.max_bytes = max_bytes

    def read(self, path: Path) -> Iterator[Record | RecordError]:
        """Yield a record or an error per data row."""
        csv.field_size_limit(sys.maxsize)
        # surrogateescape keeps the stream going past invalid UTF-8; such rows are reported.
        with path.open(encoding="utf-8", errors="surrogateescape", newline="") as handle:
            rows = csv.DictReader(handle)
            while True:
                try:
                    row = next(rows)
                except StopIteration:
                    return
                except csv.Error as exc:
                    locator = Locator(str(path), rows.line_num)
                    yield RecordError(locator_id(locator), Reason.INVALID_RECORD, str(exc), locator)
                    continue
                yield self._row(row, Locator(str(path), rows.line_num))

    def _row(self, row: dict[str | None, object], locator: Locator) -> Record | RecordError:
        rid = locator_id(locator)
        cells = [value for value in row.values() if isinstance(value, str)]
        if any(_has_surrogates(cell) for cell in cells):
            return RecordError(rid, Reason.UNDECODABLE, "the row is not UTF-8", locator)
        if sum(len(cell) for cell in cells) > self.max_bytes:
            return RecordError(rid, Reason.TOO_LARGE, f"row over {self.max_bytes} bytes", locator)
        named = {key: value for key, value in row.items() if key is not None}
        return from_mapping(named, self.fields, locator)


def _has_surrogates(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class FolderReader:
    """A folder of .txt and .html files, walked in sorted order; the relative path is the id.

    A web page gives its main text (menus, ads and footers left out) with the title, date,
    url and site name it states; a page without article text is an EMPTY_TEXT error.
    """

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes

    def read(self, path: Path) -> Iterator[Record | RecordError]:
        """Yield a record per .txt or .html file and an error for any other file."""
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            relative = file.relative_to(path)
            if any(part.startswith(".") for part in relative.parts):
                continue  # hidden files (.DS_Store, editor swap files) are not articles
            yield self._file(file, relative.as_posix())

    def _file(self, file: Path, rid: str) -> Record | RecordError:
        locator = Locator(str(file))
        suffix = file.suffix.lower()
        if suffix != ".txt" and suffix not in _HTML_SUFFIXES:
            detail = f"{file.suffix or 'extensionless'} files are not read (only .txt, .html)"
            return RecordError(rid, Reason.UNSUPPORTED_FORMAT, detail, locator)
        if file.stat().st_size > self.max_bytes:
            return RecordError(rid, Reason.TOO_LARGE, f"over {self.max_bytes} bytes", locator)
        raw = file.read_bytes()
        if suffix in _HTML_SUFFIXES:
            return _page_record(raw, rid, locator)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return RecordError(rid, Reason.UNDECODABLE, f"not UTF-8 (byte {exc.start})", locator)
        if not text.strip():
            return RecordError(rid, Reason.EMPTY_TEXT, "the file is empty", locator)
        return Record(id=rid, text=text, locator=locator)


def _page_record(html: bytes, rid: str, locator: Locator) -> Record | RecordError:
    """A web page as a record: its main text and the metadata it states."""
    from service.htmltext import extract_page

    page = extract_page(html)
    if page is None:
        detail = "the file is empty" if not html.strip() else "no article text in the page"
        return RecordError(rid, Reason.EMPTY_TEXT, detail, locator)
    return Record(
        id=rid,
        text=page.text,
        locator=locator,
        published_at=page.published_at,
        url=page.url,
        title=page.title,
        source=page.site,
    )
