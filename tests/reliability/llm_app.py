"""The app with real LLM backends pointed at a FakeLLM, behind an in-process HTTP client.

Backends are built here rather than by the app, so that a test can hand them an injected
clock (for the circuit breaker) while everything else runs for real: the provider SDKs,
instructor, our retry policy, the pipeline and the HTTP layer.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Literal

import httpx
from asgi_lifespan import LifespanManager

from service.backends.anthropic import AnthropicBackend
from service.backends.base import Backend
from service.backends.offline import OfflineBackend
from service.backends.openai import OpenAIBackend
from service.config import BackendConfig, Settings
from service.main import create_app
from tests.support.fake_llm import FakeLLM

KEY_ENV = "FAKE_PROVIDER_KEY"
KEY = "sk-fake-reliability-0123456789"
FAST_RETRY = {"max_attempts": 3, "base_delay_s": 0.01, "max_delay_s": 0.05}


class ManualClock:
    """A monotonic clock moved by hand (the breakers' cooldowns)."""

    def __init__(self) -> None:
        self.now = time.monotonic()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def llm_config(
    fake: FakeLLM, kind: Literal["openai", "anthropic"] = "openai", **fields: Any
) -> BackendConfig:
    """A backend of `kind` at the fake, with the key from KEY_ENV and quick retries."""
    fields.setdefault("retry", FAST_RETRY)
    return fake.backend_config(kind, api_key_env=KEY_ENV, **fields)


def build(
    configs: dict[str, BackendConfig], clock: Callable[[], float] | None = None
) -> dict[str, Backend]:
    """The backends of `configs`, each with its own pooled client, as the app builds them."""
    backends: dict[str, Backend] = {}
    for name, config in configs.items():
        if config.kind == "offline":
            backends[name] = OfflineBackend(name, config.model)
            continue
        client = httpx.AsyncClient(
            timeout=httpx.Timeout(config.timeout_s, connect=min(10.0, config.timeout_s))
        )
        kind = OpenAIBackend if config.kind == "openai" else AnthropicBackend
        backends[name] = kind(name, config, client, clock=clock)
    return backends


@asynccontextmanager
async def app_client(
    configs: dict[str, BackendConfig],
    chain: list[str],
    *,
    clock: Callable[[], float] | None = None,
    **settings: Any,
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client to the app serving `configs` with `chain` as the default chain."""
    service = Settings(backends=configs, chain=chain, rate_limit_per_minute=0, **settings)
    app = create_app(service, build(service.backends, clock))
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://service", timeout=120
        ) as client:
            yield client
