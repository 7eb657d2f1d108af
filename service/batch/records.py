"""What a reader yields: a record to summarise, or an error that still gets an output line."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path, PurePath


class Reason:
    """Stable reason classes of error lines."""

    EMPTY_TEXT = "empty_text"
    UNDECODABLE = "undecodable"
    INVALID_RECORD = "invalid_record"
    TOO_LARGE = "too_large"
    UNSUPPORTED_FORMAT = "unsupported_format"
    BACKEND_FAILED = "backend_failed"
    INVALID_OUTPUT = "invalid_output"
    DEADLINE = "deadline"
    UNREADABLE = "unreadable"
    """The input file (or folder entry) cannot be read: permissions, a broken link, I/O."""
    INTERNAL_ERROR = "internal_error"
    """A defect met on this record (in a reader, a backend or the checks); the detail names
    the exception type only."""


@dataclass(frozen=True)
class Locator:
    """Where a record sits in its input: a file, and a line or byte offset when known.

    Shown as `path:line` for line-based files, `path@offset` for byte offsets (WARC).
    """

    path: str
    line: int | None = None
    offset: int | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.path}:{self.line}"
        return self.path if self.offset is None else f"{self.path}@{self.offset}"


@dataclass(frozen=True)
class Record:
    """One article read from an archive."""

    id: str
    text: str
    locator: Locator
    published_at: str | None = None
    url: str | None = None
    title: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class RecordError:
    """An input record that cannot be summarised; it becomes an error line, never dropped."""

    id: str
    reason: str
    detail: str
    locator: Locator


def normalise_text(text: str) -> str:
    """Collapse runs of white space so that reflowed copies compare equal."""
    return " ".join(text.split())


def text_key(text: str) -> str:
    """Hash of the white-space-normalised text: the key of exact duplicates."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def record_id(source_id: str | None, url: str | None, text: str) -> str:
    """The source's own id, else the url, else `sha256:` of the normalised text."""
    if source_id and source_id.strip():
        return source_id.strip()
    if url and url.strip():
        return url.strip()
    return f"sha256:{text_key(text)}"


def locator_id(locator: Locator) -> str:
    """Id of a record whose own id cannot be read: its place in the input, by the file's
    name (`at:in.jsonl:17`), so that the id does not change with how the path is typed."""
    return f"at:{replace(locator, path=PurePath(locator.path).name)}"


def internal_error(rid: str, exc: BaseException, locator: Locator, what: str) -> RecordError:
    """The error of a record met by a defect: the exception type only, never its message
    (which may quote the text)."""
    detail = f"{what} failed unexpectedly ({type(exc).__name__})"
    return RecordError(rid, Reason.INTERNAL_ERROR, detail, locator)


def where(exc: BaseException) -> str:
    """The innermost frame an exception was raised in (`file:line in function`): a place
    in the code to log, where the exception's message might quote the text."""
    tb = exc.__traceback__
    if tb is None:
        return "unknown"
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code
    return f"{Path(code.co_filename).name}:{tb.tb_lineno} in {code.co_name}"


def defect_fields(exc: BaseException) -> dict[str, str]:
    """What to log of an unexpected exception: its type and where it was raised."""
    return {"error_type": type(exc).__name__, "at": where(exc)}
