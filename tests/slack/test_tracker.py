"""Work in flight is kept, bounded and drained; seen ids and kept summaries expire."""

from __future__ import annotations

import asyncio

from service.slack.tracker import DrainReport, WorkTracker
from service.slack.ttl import TTLMap


async def test_drain_waits_for_work_that_finishes_in_time() -> None:
    tracker = WorkTracker(max_concurrent=2)
    done: list[int] = []

    async def work(n: int) -> None:
        await asyncio.sleep(0.05 * n)
        done.append(n)

    for n in (1, 2, 3):
        assert tracker.start(work(n), name=f"w{n}") is not None
    assert tracker.in_flight == 3
    assert await tracker.drain(timeout_s=5) == DrainReport(finished=3, cancelled=0)
    assert sorted(done) == [1, 2, 3] and tracker.in_flight == 0


async def test_drain_cancels_late_work_which_can_say_so() -> None:
    tracker = WorkTracker(max_concurrent=2)
    told: list[str] = []

    async def slow() -> None:
        try:
            await asyncio.sleep(20)
        except asyncio.CancelledError:
            told.append("interrupted")
            raise

    tracker.start(slow(), name="slow")
    await asyncio.sleep(0)
    assert await tracker.drain(timeout_s=0.05) == DrainReport(finished=0, cancelled=1)
    assert told == ["interrupted"]


async def test_no_new_work_while_draining() -> None:
    tracker = WorkTracker(max_concurrent=1)
    await tracker.drain(timeout_s=0)

    async def work() -> None:
        raise AssertionError("must not run")

    assert tracker.start(work(), name="late") is None
    assert tracker.in_flight == 0


async def test_concurrency_is_bounded_by_the_slots() -> None:
    tracker = WorkTracker(max_concurrent=2)
    running = 0
    peak = 0

    async def work() -> None:
        nonlocal running, peak
        async with tracker.slot():
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.02)
            running -= 1

    for n in range(6):
        tracker.start(work(), name=str(n))
    await tracker.drain(timeout_s=5)
    assert peak == 2


def test_ttl_map_expires_and_stays_bounded() -> None:
    now = [0.0]
    seen = TTLMap[str, bool](max_items=3, ttl_s=10, clock=lambda: now[0])
    assert seen.add("a", True) and not seen.add("a", True)
    for key in "bcd":
        seen.add(key, True)
    assert len(seen) == 3 and seen.get("a") is None  # the oldest went first
    now[0] = 11
    assert len(seen) == 0 and seen.add("b", True)
