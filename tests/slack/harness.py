"""The service with the bot on in HTTP mode, and what the tests send it and read back."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from slack_sdk.models.blocks import Block

from service.backends.base import Backend, ExtractionRequest, RawExtraction
from service.config import Settings
from service.main import create_app
from tests.slack.fakesite import FakeSite
from tests.slack.fakeslack import FakeSlack
from tests.slack.payloads import BOT_TOKEN, FORM, SIGNING_SECRET, signed_headers

JSON = "application/json"
REF = re.compile(r"\(ref `([0-9a-f]{8})`\)")


@asynccontextmanager
async def slack_service(
    monkeypatch: pytest.MonkeyPatch, fake: FakeSlack, backend: Backend, **env: str
) -> AsyncIterator[httpx.AsyncClient]:
    """The service with the bot on in HTTP mode, its lifespan running, and a client."""
    values = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        **env,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    settings.chain = [backend.name]
    app = create_app(settings, backends={backend.name: backend})
    async with LifespanManager(app, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def post(
    client: httpx.AsyncClient, body: str, content_type: str = FORM, **headers: str
) -> httpx.Response:
    """POST a correctly signed request to /slack/events."""
    signed = signed_headers(body, content_type=content_type)
    return await client.post("/slack/events", content=body, headers={**signed, **headers})


def valid_blocks(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The blocks, after checking each one with slack_sdk's Block Kit models."""
    for raw in blocks:
        parsed = Block.parse(raw)
        assert parsed is not None
        parsed.validate_json()
    return blocks


def fetch_env(site: FakeSite) -> dict[str, str]:
    """Settings that let the bot fetch the fake site: a loopback address, a random port."""
    return {"SLACK_FETCH_ALLOW_PRIVATE": "true", "SLACK_FETCH_ALLOWED_PORTS": str(site.port)}


class Recording:
    """A backend that passes every request on to `inner` and keeps it."""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.name, self.kind, self.model = inner.name, inner.kind, inner.model
        self.requests: list[ExtractionRequest] = []

    async def extract(self, request: ExtractionRequest) -> RawExtraction:
        self.requests.append(request)
        return await self.inner.extract(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
