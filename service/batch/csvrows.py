"""CSV files: cut into chunks of whole records by their quotes, then parsed by the csv module.

With the default dialect a record ends at the first line break outside a quoted field (a
quote opens one only at the start of a field; inside, `""` is a quote and a lone `"`
closes it). Cutting there first bounds what is held (a chunk over the byte cap is skipped,
not read whole) and lets a broken quote be told from a long field:

- a quote never closed runs to the end of the file: that record is reported at the line its
  quote opened, and the lines after it are read again as records of their own;
- a quote closed by a stray quote on a later line makes a chunk the csv module (strict)
  refuses: reported the same way, then read again from the next line. A record on one
  line is read leniently, as the csv module does by default (`"a"b` is `ab`).

Lines are split on LF (CRLF included); a file with CR alone is one line to this cut.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from service.batch.readers import DEFAULT_MAX_BYTES, FieldMap, from_mapping
from service.batch.records import Locator, Reason, Record, RecordError, locator_id

PIECE_BYTES = 1 << 16
_QUOTE = ord('"')
_FIELD_START_AFTER = frozenset(b",\r\n")


class _Quotes:
    """Whether a record's bytes, as they go by, stand inside a quoted field."""

    def __init__(self) -> None:
        self.inside = False
        self.pending = False
        """Inside, a quote ended the last piece: it closes the field unless a quote follows."""
        self.previous = ord("\n")  # a record starts as after a line break

    def feed(self, piece: bytes) -> None:
        """Follow the quotes of the next piece of the record."""
        at = 0
        if self.pending:
            self.pending = False
            if piece[:1] == b'"':
                at = 1  # an escaped quote: still inside
            else:
                self.inside = False
        while (found := piece.find(b'"', at)) >= 0:
            at = found + 1
            if not self.inside:
                before = piece[found - 1] if found else self.previous
                self.inside = before in _FIELD_START_AFTER
            elif found + 1 == len(piece):
                self.pending = True
            elif piece[found + 1] == _QUOTE:
                at = found + 2
            else:
                self.inside = False
        if piece:
            self.previous = piece[-1]

    def end(self) -> bool:
        """At the end of the file: True when a quoted field is left open."""
        return self.inside and not self.pending


@dataclass(frozen=True)
class Chunk:
    """Physical lines `first` to `last` (1-based) that hold whole records, or would."""

    first: int
    last: int
    text: str | None
    """The lines decoded (invalid UTF-8 kept as surrogates); None when over the byte cap."""
    head: str
    """The first line alone, or its first PIECE_BYTES: enough to read the id of a broken
    record."""
    head_cut: bool
    """The first line is longer than `head` (its last cell is cut)."""
    unterminated: bool
    """A quote opened in these lines is never closed: the file ended inside it."""
    resume: int | None
    """Byte offset of line `first + 1`, when the chunk spans lines: where to read again."""

    @property
    def spans_lines(self) -> bool:
        """True when the chunk holds more than one physical line."""
        return self.resume is not None


class Chunks:
    """The chunks of a binary CSV file, in order; `reread` goes back after a broken record."""

    def __init__(self, handle: BinaryIO, max_bytes: int) -> None:
        self.handle = handle
        self.max_bytes = max_bytes
        self.line = 0
        """Physical lines read so far."""

    def __iter__(self) -> Iterator[Chunk]:
        while (chunk := self._next()) is not None:
            yield chunk

    def reread(self, chunk: Chunk) -> None:
        """Read again from the line after the chunk's first one (its other lines were taken
        into a broken record)."""
        if chunk.resume is not None:
            self.handle.seek(chunk.resume)
            self.line = chunk.first

    def _next(self) -> Chunk | None:
        parts: list[bytes] = []
        head = b""
        size = lines = 0
        oversized = False
        quotes = _Quotes()
        resume: int | None = None
        ended = True  # the last piece read ended its line
        while piece := self.handle.readline(PIECE_BYTES):
            head = head or piece
            quotes.feed(piece)
            size += len(piece)
            oversized = oversized or size > self.max_bytes
            if oversized:
                parts.clear()
            else:
                parts.append(piece)
            ended = piece.endswith(b"\n")
            if ended:
                lines += 1
                if not quotes.inside:
                    break
                if resume is None:
                    resume = self.handle.tell()
        if size == 0:
            return None
        lines += not ended  # the file's last line, with no line break
        first = self.line + 1
        self.line += lines
        return Chunk(
            first=first,
            last=self.line,
            text=None if oversized else _decode(b"".join(parts)),
            head=_decode(head),
            head_cut=len(head) == PIECE_BYTES and not head.endswith(b"\n"),
            unterminated=quotes.end(),
            resume=resume,
        )


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="surrogateescape")


def parse(text: str, max_bytes: int, *, strict: bool = True) -> list[tuple[int, list[str]]]:
    """The rows of a chunk's text with the line (from 0) each starts on; csv.Error if the
    csv module refuses it. The field size limit is the byte cap while parsing (it is
    process-wide: the previous limit is restored)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=strict)
    rows: list[tuple[int, list[str]]] = []
    with field_limit(max_bytes):
        while True:
            start = reader.line_num
            try:
                row = next(reader)
            except StopIteration:
                return rows
            rows.append((start, row))


@contextmanager
def field_limit(limit: int) -> Iterator[None]:
    """Set the csv module's field size limit for a block, then restore it."""
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


class CsvReader:
    """A CSV file with a header row, streamed one record at a time (see `csvrows`).

    A record over the byte cap is TOO_LARGE, a quote that never closes (or is closed by a
    stray quote on a later line) is INVALID_RECORD at the line it opened, and the lines it
    took are read again: every record the file holds gets its own line.
    """

    def __init__(self, fields: FieldMap, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.fields = fields
        self.max_bytes = max_bytes

    def read(self, path: Path) -> Iterator[Record | RecordError]:
        """Yield a record or an error per data row."""
        with path.open("rb") as handle:
            chunks = Chunks(handle, self.max_bytes)
            header: list[str] | None = None
            for chunk in chunks:
                if header is None:
                    header, problem = self._header(chunk)
                    if problem is not None:
                        yield problem.at(path)
                        return
                    continue
                yield from self._chunk(chunk, header, chunks, path)

    def _header(self, chunk: Chunk) -> tuple[list[str] | None, _Broken | None]:
        """The column names (None while the lines are blank), or why the file cannot be read."""
        if chunk.text is None:
            return None, _Broken(chunk.first, f"header row over {self.max_bytes} bytes")
        if chunk.unterminated:
            detail = f"a quote opened in the header row (line {chunk.first}) never closes"
            return None, _Broken(chunk.first, detail)
        try:
            rows = parse(chunk.text, self.max_bytes, strict=chunk.spans_lines)
        except csv.Error as exc:
            return None, _Broken(chunk.first, f"the header row cannot be read: {exc}")
        names = next((row for _, row in rows if row), None)
        return names, None

    def _chunk(
        self, chunk: Chunk, header: list[str], chunks: Chunks, path: Path
    ) -> Iterator[Record | RecordError]:
        """The records of one chunk, or one error for it (its other lines read again)."""
        locator = Locator(str(path), chunk.first)
        if chunk.unterminated:
            detail = f"a quote opened on line {chunk.first} never closes"
            yield self._broken(chunk, header, locator, Reason.INVALID_RECORD, detail)
            chunks.reread(chunk)
            return
        if chunk.text is None:
            detail = f"row over {self.max_bytes} bytes ({_span(chunk.first, chunk.last)})"
            yield self._broken(chunk, header, locator, Reason.TOO_LARGE, detail)
            return
        try:
            rows = parse(chunk.text, self.max_bytes, strict=chunk.spans_lines)
        except csv.Error as exc:
            detail = f"malformed CSV from line {chunk.first}: {exc}"
            yield self._broken(chunk, header, locator, Reason.INVALID_RECORD, detail)
            chunks.reread(chunk)
            return
        for start, row in rows:
            if row:
                yield self._row(_named(header, row), Locator(str(path), chunk.first + start))

    def _broken(
        self, chunk: Chunk, header: list[str], locator: Locator, reason: str, detail: str
    ) -> RecordError:
        """The error of a chunk that is not read: by the id its first line shows, if any."""
        if chunk.spans_lines and reason == Reason.INVALID_RECORD:
            detail += f"; {_span(chunk.first + 1, chunk.last)} read again"
        rid = _head_id(chunk, header, self.fields) or locator_id(locator)
        return RecordError(rid, reason, detail, locator)

    def _row(self, row: dict[str | None, object], locator: Locator) -> Record | RecordError:
        rid = locator_id(locator)
        cells = [value for value in row.values() if isinstance(value, str)]
        if any(_has_surrogates(cell) for cell in cells):
            return RecordError(rid, Reason.UNDECODABLE, "the row is not UTF-8", locator)
        named = {key: value for key, value in row.items() if key is not None}
        return from_mapping(named, self.fields, locator)


@dataclass(frozen=True)
class _Broken:
    """A CSV file whose header cannot be read: one error for the file."""

    line: int
    detail: str

    def at(self, path: Path) -> RecordError:
        locator = Locator(str(path), self.line)
        return RecordError(locator_id(locator), Reason.INVALID_RECORD, self.detail, locator)


def _span(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


def _named(header: list[str], row: list[str]) -> dict[str | None, object]:
    """A row by column name, as csv.DictReader gives it (extra cells under None)."""
    named: dict[str | None, object] = dict.fromkeys(header)
    named.update(zip(header, row, strict=False))
    if len(row) > len(header):
        named[None] = row[len(header) :]
    return named


def _head_id(chunk: Chunk, header: list[str], fields: FieldMap) -> str | None:
    """The id (or url) the first line of a broken record shows, if it can be read (a cell
    cut short at the end of a long line's start does not count)."""
    if _has_surrogates(chunk.head):
        return None
    try:
        rows = parse(chunk.head, len(chunk.head) + 1, strict=False)
    except csv.Error:
        return None
    if not rows:
        return None
    cells = rows[0][1][:-1] if chunk.head_cut else rows[0][1]
    named = _named(header, cells)
    for key in (fields.id, fields.url):
        value = named.get(key)
        if isinstance(value, str) and value.strip() and "\n" not in value:
            return value.strip()
    return None


def _has_surrogates(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
