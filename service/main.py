"""The HTTP application: `create_app(settings)` builds everything; nothing happens at import.

Layers of a request, outermost first: request context (id, log context, metrics, log
line), then FastAPI's error handling, access control (API key, rate, concurrency bound),
the body limit, and the routes.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp

from service import __version__
from service.api import meta, metrics, ops, problems, summaries
from service.api.access import AccessMiddleware, AccessPolicy, ConcurrencyGate
from service.api.auth import ApiKeys
from service.api.context import RequestContextMiddleware
from service.api.limits import BodyLimitMiddleware
from service.api.metrics import Metrics
from service.api.ops import Readiness
from service.api.ratelimit import RateLimiter
from service.api.shutdown import DrainOnSigterm
from service.backends import build_backends, close_backends
from service.backends.base import Backend
from service.config import OFFLINE, Settings, load_settings
from service.pipeline import Pipeline
from service.slack import mount_http as mount_slack

log = logging.getLogger(__name__)

SWITCH_HINT = (
    "to use an LLM, configure a backend, e.g. "
    'SUMMARIZER_BACKENDS=\'{"gpt": {"kind": "openai", "model": "gpt-4o-mini"}}\' '
    'SUMMARIZER_CHAIN=\'["gpt", "offline"]\' and OPENAI_API_KEY (see README)'
)
OPEN_API_WARNING = "no API keys configured: the API is open to anyone who can reach it"
PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
"""Never bounded by the concurrency limit, logged at DEBUG."""
OPEN_PATHS = frozenset(
    {
        "/healthz",
        "/readyz",
        "/docs",
        "/docs/oauth2-redirect",
        "/redoc",
        "/openapi.json",
        "/slack/events",  # Slack signs its own requests
    }
)
"""Served without an API key (and /metrics unless `metrics_need_key`)."""


class SummarizerApp(FastAPI):
    """FastAPI with the request context outside everything else, so that even an
    unexpected 500 carries its request id and is counted."""

    def build_middleware_stack(self) -> ASGIApp:
        """The usual stack, wrapped in the request context."""
        return RequestContextMiddleware(
            super().build_middleware_stack(),
            self.state.metrics,
            self.router.routes,
            quiet_paths=PROBE_PATHS,
        )


def access_policy(settings: Settings) -> AccessPolicy:
    """API keys, rate limit and concurrency bound from the settings."""
    keys = ApiKeys(settings.api_keys)
    limiter = (
        RateLimiter(settings.rate_limit_per_minute) if settings.rate_limit_per_minute else None
    )
    open_paths = OPEN_PATHS if settings.metrics_need_key else OPEN_PATHS | {"/metrics"}
    return AccessPolicy(
        keys=keys,
        limiter=limiter,
        gate=ConcurrencyGate(settings.max_concurrent_requests),
        open_paths=open_paths,
        unbounded_paths=PROBE_PATHS,
    )


def _log_access(settings: Settings, policy: AccessPolicy) -> None:
    if not policy.keys.required:
        log.warning(OPEN_API_WARNING)
        return
    log.info(
        "API keys required",
        extra={
            "api_key_names": policy.keys.names,
            "rate_limit_per_minute": settings.rate_limit_per_minute,
            "max_concurrent_requests": settings.max_concurrent_requests,
        },
    )


def create_app(
    settings: Settings | None = None, backends: dict[str, Backend] | None = None
) -> FastAPI:
    """Build the app, its backends and its pipeline from `settings` (or given backends)."""
    settings = settings or load_settings()
    backends = backends if backends is not None else build_backends(settings)
    pipeline = Pipeline(settings, backends)
    policy = access_policy(settings)
    readiness = Readiness()
    drain = DrainOnSigterm(readiness, settings.shutdown_grace_s)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        log.info(
            "backends ready",
            extra={"default_chain": settings.chain, "configured": sorted(backends)},
        )
        if settings.chain == [OFFLINE]:
            log.info("serving with the offline backend only; " + SWITCH_HINT)
        _log_access(settings, policy)
        drain.install()
        try:
            yield
        finally:
            drain.uninstall()
            if slack_bot is not None:
                await slack_bot.aclose()  # drain the Slack work in flight before the backends
            await close_backends(backends)

    app = SummarizerApp(
        title="Newsroom event summarizer",
        version=__version__,
        description="Validated, source-grounded event summaries of news articles.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.pipeline = pipeline
    app.state.metrics = Metrics(backends)
    app.state.readiness = readiness
    app.state.access = policy
    problems.install(app)
    app.include_router(summaries.router)
    app.include_router(meta.router)
    app.include_router(ops.router)
    app.include_router(metrics.router)
    slack_bot = mount_slack(app, pipeline)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(AccessMiddleware, policy=policy)
    return app
