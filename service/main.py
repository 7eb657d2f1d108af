"""The HTTP application: `create_app(settings)` builds everything; nothing happens at import."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service import __version__
from service.api import meta, problems, summaries
from service.api.limits import BodyLimitMiddleware
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


def create_app(
    settings: Settings | None = None, backends: dict[str, Backend] | None = None
) -> FastAPI:
    """Build the app, its backends and its pipeline from `settings` (or given backends)."""
    settings = settings or load_settings()
    backends = backends if backends is not None else build_backends(settings)
    pipeline = Pipeline(settings, backends)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        log.info(
            "backends ready",
            extra={"default_chain": settings.chain, "configured": sorted(backends)},
        )
        if settings.chain == [OFFLINE]:
            log.info("serving with the offline backend only; " + SWITCH_HINT)
        yield
        if slack_bot is not None:
            await slack_bot.aclose()  # drain the Slack work in flight before the backends go
        await close_backends(backends)

    app = FastAPI(
        title="Newsroom event summarizer",
        version=__version__,
        description="Validated, source-grounded event summaries of news articles.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.pipeline = pipeline
    problems.install(app)
    app.include_router(summaries.router)
    app.include_router(meta.router)
    slack_bot = mount_slack(app, pipeline)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    return app
