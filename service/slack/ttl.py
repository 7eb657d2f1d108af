"""A bounded map whose entries expire: seen event ids, summaries behind a card's button."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class TTLMap(Generic[K, V]):
    """At most `max_items` entries, each kept `ttl_s` seconds; the oldest go first."""

    def __init__(
        self, max_items: int, ttl_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_items = max_items
        self.ttl_s = ttl_s
        self._clock = clock
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def __len__(self) -> int:
        self._expire()
        return len(self._items)

    def get(self, key: K) -> V | None:
        """The live value of `key`, or None."""
        self._expire()
        item = self._items.get(key)
        return item[1] if item is not None else None

    def put(self, key: K, value: V) -> None:
        """Store `value` under `key` for `ttl_s` seconds from now."""
        self._expire()
        self._items.pop(key, None)
        self._items[key] = (self._clock() + self.ttl_s, value)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def add(self, key: K, value: V) -> bool:
        """Store `value` unless `key` is live already; True when it was new."""
        self._expire()
        if key in self._items:
            return False
        self.put(key, value)
        return True

    def _expire(self) -> None:
        now = self._clock()
        while self._items:
            key, (expires, _) = next(iter(self._items.items()))
            if expires > now:
                break
            del self._items[key]
