"""Readers: one interface, one class per archive format; each streams records one by one.

This module holds the interface, the registry (`FORMATS`, `reader_for`, `detect_format`,
`read_safely`) and the JSONL and folder readers. CSV lives in `csvrows`, WARC in `warc`, NITF
and NewsML-G2 in `newsxml`, RSS and Atom in `feeds`; those modules (and their parsers) load
only when their format is used.

A reader never raises on bad data: each record it cannot read is a `RecordError`.
`read_safely` is the last line of defence: a reader that fails all the same (a defect, or
the file becoming unreadable) ends its file with one error line, and the run goes on.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

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


def read_safely(reader: Reader, path: Path) -> Iterator[Record | RecordError]:
    """The records of `reader` over `path`; if the reader fails, one error line ends the file
    (UNREADABLE for an I/O error, INTERNAL_ERROR for a defect) instead of a crash."""
    read = 0
    try:
        for item in reader.read(path):
            read += 1
            yield item
    except OSError as exc:
        whole = Locator(str(path))
        detail = f"cannot read the input after {read} record(s): {exc.strerror or exc}"
        yield RecordError(locator_id(whole), Reason.UNREADABLE, detail, whole)
    except Exception as exc:  # noqa: BLE001 - a reader defect: the run goes on, type only
        log.error(
            "reader failed; the rest of the file is not read",
            extra={**defect_fields(exc), "records_read": read},
        )
        whole = Locator(str(path))
        error = internal_error(locator_id(whole), exc, whole, "reading the file")
        detail = f"{error.detail} after {read} record(s); the rest of the file is not read"
        yield RecordError(error.id, error.reason, detail, whole)


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
        from service.batch.csvrows import CsvReader

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
        except (ValueError, RecursionError) as exc:  # a 5,000-digit number, nesting too deep
            detail = f"bad JSON: {type(exc).__name__}"
            return RecordError(rid, Reason.INVALID_RECORD, detail, locator)
        if not isinstance(data, dict):
            detail = f"a JSON {type(data).__name__}, not an object"
            return RecordError(rid, Reason.INVALID_RECORD, detail, locator)
        return from_mapping(data, self.fields, locator)


class FolderReader:
    """A folder of .txt and .html files, walked in sorted order; the relative path is the id.

    A web page gives its main text (menus, ads and footers left out) with the title, date,
    url and site name it states; a page without article text is an EMPTY_TEXT error. Every
    other entry gets an error line too: another kind of file, a link to a folder (not
    followed), a broken link or an unreadable file or folder. Hidden entries are not
    articles and are passed over.
    """

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes

    def read(self, path: Path) -> Iterator[Record | RecordError]:
        """Yield a record per .txt or .html file and an error for any other entry."""
        for relative, problem in _entries(path):
            file = path / relative
            rid = relative.as_posix()
            if problem is not None:
                yield RecordError(rid, problem[0], problem[1], Locator(str(file)))
                continue
            yield self._file(file, rid)

    def _file(self, file: Path, rid: str) -> Record | RecordError:
        locator = Locator(str(file))
        suffix = file.suffix.lower()
        if suffix != ".txt" and suffix not in _HTML_SUFFIXES:
            detail = f"{file.suffix or 'extensionless'} files are not read (only .txt, .html)"
            return RecordError(rid, Reason.UNSUPPORTED_FORMAT, detail, locator)
        try:
            with file.open("rb") as handle:
                raw = handle.read(self.max_bytes + 1)
        except OSError as exc:
            return RecordError(rid, Reason.UNREADABLE, _os_detail(exc), locator)
        if len(raw) > self.max_bytes:
            return RecordError(rid, Reason.TOO_LARGE, f"over {self.max_bytes} bytes", locator)
        if suffix in _HTML_SUFFIXES:
            return _page_record(raw, rid, locator)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return RecordError(rid, Reason.UNDECODABLE, f"not UTF-8 (byte {exc.start})", locator)
        if not text.strip():
            return RecordError(rid, Reason.EMPTY_TEXT, "the file is empty", locator)
        return Record(id=rid, text=text, locator=locator)


Problem = tuple[str, str]
"""(reason, detail) of a folder entry that is not read."""


def _entries(root: Path) -> list[tuple[Path, Problem | None]]:
    """Every entry under `root` (relative paths, sorted), with why it cannot be read, if so.

    Regular files (and links to them) come with None; a folder that cannot be listed, a
    broken link, a link to a folder and any other kind of entry come with a problem.
    """
    found: list[tuple[Path, Problem | None]] = []

    def unlisted(exc: OSError) -> None:
        name = Path(exc.filename).relative_to(root) if exc.filename else Path(".")
        reason = exc.strerror or type(exc).__name__
        found.append((name, (Reason.UNREADABLE, f"cannot list the folder: {reason}")))

    for folder, dirs, files in os.walk(root, onerror=unlisted):
        base = Path(folder).relative_to(root)
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        for name in dirs:
            if (Path(folder) / name).is_symlink():
                detail = "a link to a folder: not followed"
                found.append((base / name, (Reason.UNSUPPORTED_FORMAT, detail)))
        for name in files:
            if not name.startswith("."):  # .DS_Store, editor swap files: not articles
                found.append((base / name, _entry_problem(Path(folder) / name)))
    return sorted(found, key=lambda entry: entry[0])


def _entry_problem(path: Path) -> Problem | None:
    """Why a folder entry that is not a folder cannot be read as a file; None if it can."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():
            return Reason.UNREADABLE, "a broken link: its target does not exist"
        return Reason.UNREADABLE, "the file disappeared while the folder was read"
    except OSError as exc:
        return Reason.UNREADABLE, _os_detail(exc)
    if not stat.S_ISREG(mode):
        return Reason.UNSUPPORTED_FORMAT, "not a regular file"
    return None


def _os_detail(exc: OSError) -> str:
    return f"cannot read it: {exc.strerror or type(exc).__name__}"


def _page_record(html: bytes, rid: str, locator: Locator) -> Record | RecordError:
    """A web page as a record: its main text and the metadata it states."""
    from service.htmltext import extract_page

    try:
        page = extract_page(html)
    except Exception as exc:  # noqa: BLE001 - a parser defect on odd markup: this file only
        log.warning("page not parsed", extra=defect_fields(exc))
        return internal_error(rid, exc, locator, "reading the page")
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
