"""The outermost layer of every HTTP request: its id, its log context, its metrics and
its one log line.

The request id is the caller's `X-Request-ID` when it is sane (1-128 characters of
letters, digits and `._:/+=-`), else a new one; it comes back in the `X-Request-ID`
header, in problem+json bodies and in every record logged while the request runs.
The log line names the route, status, latency and client (an API key's name): never a
query string, a header value or a body.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Sequence

from starlette.datastructures import MutableHeaders
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.metrics import Metrics
from service.logs import context_value, log_context

log = logging.getLogger("service.api")

HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/+=-]{0,127}")
UNMATCHED = "unmatched"


def request_id_of(scope: Scope) -> str:
    """The caller's request id when sane, else a new random one."""
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _SANE_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Request id, log context, metrics and the request's log line."""

    def __init__(
        self,
        app: ASGIApp,
        metrics: Metrics,
        routes: Sequence[BaseRoute],
        quiet_paths: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes
        self.quiet_paths = quiet_paths
        """Paths logged at DEBUG (probes and scrapes)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        status = 500  # what the client gets if the app raises before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        started = time.perf_counter()
        self.metrics.in_flight.inc()
        with log_context(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                self.metrics.in_flight.dec()
                self._done(scope, status, time.perf_counter() - started)

    def _done(self, scope: Scope, status: int, seconds: float) -> None:
        route = self._route(scope)
        method: str = scope["method"]
        self.metrics.observe_request(route, method, status, seconds)
        level = logging.DEBUG if scope["path"] in self.quiet_paths else logging.INFO
        log.log(
            level,
            "request done",
            extra={
                "method": method,
                "route": route,
                "status": status,
                "latency_ms": round(seconds * 1000, 1),
                "client": context_value("client"),
            },
        )

    def _route(self, scope: Scope) -> str:
        """The route template (low cardinality), also for requests refused before routing."""
        route = scope.get("route")
        path = getattr(route, "path", None)
        if isinstance(path, str):
            return path
        for candidate in self.routes:
            match, _ = candidate.matches(scope)
            if match is Match.FULL:
                return str(getattr(candidate, "path", UNMATCHED))
        return UNMATCHED
