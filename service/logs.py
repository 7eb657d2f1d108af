"""Structured JSON logs. Records carry ids, hashes, counts and timings: never article
text, prompts or secrets (callers pass only those in `extra`).

A log context (`log_context`, `bind`) adds fields such as the request id to every record
logged while it is active, in the task that set it and in the tasks that task starts.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

_STANDARD = set(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}
NOISY = (
    "httpx",
    "httpx2",
    "httpcore",
    "hpack",
    "openai",
    "anthropic",
    "instructor",
    "slack_sdk",
    "slack_bolt",
    "aiohttp",
    "multipart",
    "python_multipart",
)
"""Libraries whose debug records may carry request bodies, prompts or URLs: WARNING and up."""

_CONTEXT: ContextVar[Mapping[str, Any]] = ContextVar("log_context", default=MappingProxyType({}))


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Add `fields` to every record logged inside the block."""
    token = _CONTEXT.set(MappingProxyType({**_CONTEXT.get(), **fields}))
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def bind(**fields: Any) -> None:
    """Add `fields` to the current log context, until the enclosing `log_context` ends."""
    _CONTEXT.set(MappingProxyType({**_CONTEXT.get(), **fields}))


def context_value(name: str) -> Any:
    """A field of the current log context (None when unset)."""
    return _CONTEXT.get().get(name)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the log context and the
    `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update(_CONTEXT.get())
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                payload[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            payload["error_type"] = record.exc_info[0].__name__
        return json.dumps(payload, default=str, ensure_ascii=False)


def configure(level: str = "INFO") -> None:
    """Send the service's logs to stderr as JSON lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
