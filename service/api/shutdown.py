"""Graceful shutdown on SIGTERM: unready first, then drain.

On SIGTERM the service marks itself draining (/readyz answers 503) and goes on serving
for `grace_s`, so that a load balancer sees it and sends new requests elsewhere; then it
hands over to the server, which stops accepting connections, finishes the requests in
flight and runs the app's shutdown. A second SIGTERM skips the rest of the grace.

The handler is installed during the app's startup, over the server's own, and only when
a server has installed one (uvicorn does; a test client does not).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from service.api.ops import Readiness

log = logging.getLogger(__name__)

SignalHandler = Callable[[int, FrameType | None], Any]


class DrainOnSigterm:
    """Turns SIGTERM into: unready, `grace_s` of service, then the server's own stop."""

    def __init__(self, readiness: Readiness, grace_s: float) -> None:
        self.readiness = readiness
        self.grace_s = grace_s
        self._previous: SignalHandler | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._handed_over = False

    @property
    def installed(self) -> bool:
        """Whether SIGTERM goes through this drain."""
        return self._previous is not None

    def install(self) -> None:
        """Take over SIGTERM from the server, on the running loop (no-op outside a server)."""
        if threading.current_thread() is not threading.main_thread():
            return
        previous = signal.getsignal(signal.SIGTERM)
        if not callable(previous):
            return  # nobody stops on SIGTERM gracefully here: nothing to drain to
        self._loop = asyncio.get_running_loop()
        self._previous = previous
        signal.signal(signal.SIGTERM, self._on_signal)

    def uninstall(self) -> None:
        """Give SIGTERM back to the server."""
        if self._previous is not None and signal.getsignal(signal.SIGTERM) == self._on_signal:
            signal.signal(signal.SIGTERM, self._previous)
        if self._timer is not None:
            self._timer.cancel()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        # Runs between two bytecodes of the main thread: only flags and a thread-safe call.
        assert self._loop is not None and self._previous is not None
        if self._handed_over:
            self._previous(signum, frame)
            return
        if self.readiness.draining:
            self._loop.call_soon_threadsafe(self._hand_over)
            return
        self.readiness.begin_drain()
        self._loop.call_soon_threadsafe(self._start_grace)

    def _start_grace(self) -> None:
        log.info("SIGTERM: draining", extra={"grace_s": self.grace_s})
        assert self._loop is not None
        self._timer = self._loop.call_later(self.grace_s, self._hand_over)

    def _hand_over(self) -> None:
        if self._handed_over:
            return
        self._handed_over = True
        if self._timer is not None:
            self._timer.cancel()
        log.info("grace over: the server stops accepting and finishes the requests in flight")
        server = getattr(self._previous, "__self__", None)
        if server is not None and hasattr(server, "should_exit"):
            # uvicorn: stop exactly as on the signal, but as a normal exit. Its own handler
            # would re-raise SIGTERM once drained, ending a clean stop with status 143.
            server.should_exit = True
            return
        assert self._previous is not None
        self._previous(signal.SIGTERM, None)
