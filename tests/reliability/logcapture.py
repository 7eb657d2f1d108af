"""The service's own JSON logging, captured in a buffer and undone afterwards."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from service import logs


@contextmanager
def json_logs(level: str = "DEBUG") -> Iterator[io.StringIO]:
    """`logs.configure(level)`, writing to the yielded buffer; the logging setup before
    it (root handlers and level, the libraries' levels) is restored on exit."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    libraries = {name: logging.getLogger(name).level for name in logs.NOISY}
    stream = io.StringIO()
    logs.configure(level)
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    try:
        yield stream
    finally:
        root.handlers[:], root_level = saved
        root.setLevel(root_level)
        for name, library_level in libraries.items():
            logging.getLogger(name).setLevel(library_level)
