"""Offset lookups in log time: which mentions start inside a sentence, an event's sentences.

The extractor asks, for every sentence, which dates, places and offsets it holds;
filtering the whole list each time is quadratic in a long article. Answers are the
same lists, in the same order, as the filters they replace.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from typing import Generic, Protocol, TypeVar


class _Started(Protocol):
    @property
    def start(self) -> int: ...


T = TypeVar("T", bound=_Started)


class ByStart(Generic[T]):
    """Items with a `start` offset, indexed by it (their order is kept)."""

    def __init__(self, items: Sequence[T]) -> None:
        self.items = list(items)
        self.starts = [item.start for item in self.items]
        self.ordered = all(a <= b for a, b in zip(self.starts, self.starts[1:], strict=False))

    def within(self, start: int, end: int) -> list[T]:
        """The items with `start <= item.start < end`, in order."""
        if not self.ordered:
            return [item for item in self.items if start <= item.start < end]
        return self.items[bisect_left(self.starts, start) : bisect_left(self.starts, end)]

    def within_any(self, spans: Iterable[tuple[int, int]]) -> list[T]:
        """The items starting inside any of `spans`, in order."""
        spans = list(spans)
        if not self.ordered:
            return [item for item in self.items if any(s <= item.start < e for s, e in spans)]
        indices: set[int] = set()
        for start, end in spans:
            indices.update(range(bisect_left(self.starts, start), bisect_left(self.starts, end)))
        return [self.items[index] for index in sorted(indices)]


class Covering:
    """Half-open spans answering "is this offset inside one of them?" in log time."""

    def __init__(self, spans: Iterable[range]) -> None:
        ordered = sorted((span.start, span.stop) for span in spans)
        self.starts = [start for start, _ in ordered]
        self.reach: list[int] = []  # the furthest stop among the spans up to each one
        for _, stop in ordered:
            self.reach.append(max(stop, self.reach[-1]) if self.reach else stop)

    def __contains__(self, offset: int) -> bool:
        count = bisect_right(self.starts, offset)
        return count > 0 and self.reach[count - 1] > offset
