"""Work accepted from Slack runs after the ack, tracked until done and drained on shutdown.

A restart does not silently drop what users asked for: shutdown stops taking new work,
waits up to a deadline for the work in flight, then cancels the rest; each piece of work
tells its user when it is cancelled (see `jobs`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DrainReport:
    """What shutdown found in flight: finished in time, or cancelled."""

    finished: int
    cancelled: int


class WorkTracker:
    """Runs background work with bounded concurrency and keeps every task until it ends."""

    def __init__(self, max_concurrent: int) -> None:
        self._slots = asyncio.Semaphore(max_concurrent)
        self._tasks: set[asyncio.Task[None]] = set()
        self.closing = False

    @property
    def in_flight(self) -> int:
        """Work started and not yet finished (queued for a slot included)."""
        return len(self._tasks)

    def slot(self) -> asyncio.Semaphore:
        """One of the `max_concurrent` slots, for the heavy part of a piece of work."""
        return self._slots

    def start(self, work: Coroutine[Any, Any, None], *, name: str) -> asyncio.Task[None] | None:
        """Run `work` in the background and track it; None (coroutine closed) while closing."""
        if self.closing:
            work.close()
            return None
        task = asyncio.get_running_loop().create_task(work, name=f"slack:{name}")
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            log.error(
                "slack work failed unexpectedly",
                extra={"task": task.get_name(), "error_type": type(error).__name__},
            )

    async def drain(self, timeout_s: float) -> DrainReport:
        """Stop taking work, wait up to `timeout_s` for the work in flight, cancel the rest."""
        self.closing = True
        pending = set(self._tasks)
        if not pending:
            return DrainReport(finished=0, cancelled=0)
        _, late = await asyncio.wait(pending, timeout=timeout_s)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late)
        return DrainReport(finished=len(pending) - len(late), cancelled=len(late))
