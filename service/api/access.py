"""Who may call, how often and how many at once: 401, 429 and 503 before any work is done.

One ASGI middleware, in this order: the API key (`auth`), the key's request rate
(`ratelimit`), then the bound on requests in progress. A request past the bound gets
503 `overloaded` at once, without its body being read: it does not wait in a queue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from service.api.auth import ApiKeys, presented_key
from service.api.problems import send_problem
from service.api.ratelimit import RateLimiter
from service.logs import bind

OVERLOAD_RETRY_AFTER_S = 1


class ConcurrencyGate:
    """Counts requests in progress and refuses those past `limit`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_flight = 0

    def try_enter(self) -> bool:
        """Take a place, or False when all `limit` places are taken."""
        if self.in_flight >= self.limit:
            return False
        self.in_flight += 1
        return True

    def leave(self) -> None:
        """Give the place back."""
        self.in_flight -= 1


@dataclass(frozen=True)
class AccessPolicy:
    """What the middleware enforces, and which paths are exempt from what."""

    keys: ApiKeys
    limiter: RateLimiter | None
    gate: ConcurrencyGate
    open_paths: frozenset[str]
    """Paths served without a key (health, docs, Slack's own signed requests ...)."""
    unbounded_paths: frozenset[str]
    """Paths that do not count against the concurrency bound (health, readiness, metrics)."""


class AccessMiddleware:
    """Applies an `AccessPolicy` to each HTTP request."""

    def __init__(self, app: ASGIApp, policy: AccessPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        policy = self.policy
        if policy.keys.required and path not in policy.open_paths:
            if not await self._admit(scope, send):
                return
        if path in policy.unbounded_paths:
            await self.app(scope, receive, send)
            return
        if not policy.gate.try_enter():
            await send_problem(
                send,
                503,
                "overloaded",
                "Too many requests in progress",
                f"the service is working on {policy.gate.limit} requests, its limit; retry shortly",
                headers={"Retry-After": str(OVERLOAD_RETRY_AFTER_S)},
            )
            return
        try:
            await self.app(scope, receive, send)
        finally:
            policy.gate.leave()

    async def _admit(self, scope: Scope, send: Send) -> bool:
        """Check the key and its rate; answer 401 or 429 and return False when refused."""
        presented = presented_key(scope["headers"])
        client = None if presented is None else self.policy.keys.identify(presented)
        if client is None:
            detail = (
                "this API needs a key: send `Authorization: Bearer <key>` or `X-API-Key: <key>`"
                if presented is None
                else "the API key is not valid"
            )
            await send_problem(
                send,
                401,
                "unauthorized",
                "Missing or invalid API key",
                detail,
                headers={"WWW-Authenticate": 'Bearer realm="summarizer"'},
            )
            return False
        bind(client=client)
        scope.setdefault("state", {})["client"] = client
        limiter = self.policy.limiter
        wait = 0.0 if limiter is None else limiter.acquire(client)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            assert limiter is not None
            await send_problem(
                send,
                429,
                "rate_limited",
                "Too many requests",
                f"the key {client!r} may make {limiter.per_minute} requests a minute; retry "
                f"in {retry_after} s",
                headers={"Retry-After": str(retry_after)},
            )
            return False
        return True
