"""Per-client request rate, in process: one token bucket per API key.

A bucket holds up to `per_minute` tokens and refills at `per_minute` a minute; each
request takes one. An empty bucket tells how long until the next token, for Retry-After.
Buckets live in this process: several server processes each allow the full rate.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class TokenBucket:
    """Tokens that refill continuously up to `capacity`."""

    capacity: float
    per_second: float
    tokens: float
    updated: float

    def take(self, now: float) -> float:
        """Take one token: 0.0 when taken, else the seconds until one is there."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.per_second


class RateLimiter:
    """`per_minute` requests a minute per client, in bursts of up to `per_minute`."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}

    def acquire(self, client: str) -> float:
        """Count one request of `client`: 0.0 when allowed, else the seconds to wait."""
        now = self._clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            capacity = float(self.per_minute)
            bucket = TokenBucket(capacity, self.per_minute / 60.0, capacity, now)
            self._buckets[client] = bucket
        return bucket.take(now)
