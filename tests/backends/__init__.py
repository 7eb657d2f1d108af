"""Helpers for the LLM backend tests: a synthetic article, its prompt, recorded-shape fixtures,
and an app with an OpenAI backend behind an in-process client (end-to-end and log tests).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from schemas import SummaryDraft
from service.article import Article
from service.backends.base import ExtractionRequest
from service.config import BackendConfig, RetryPolicy, Settings
from service.main import create_app
from service.prompts import RenderedPrompt, render

PROVIDERS = Path(__file__).resolve().parents[1] / "fixtures" / "providers"

ARTICLE_TEXT = (
    "BAMAKO, 9 January 2025 (Wire) - The Malian army said it repelled an attack on its post "
    'in Sévaré on Wednesday evening. "Five assailants were neutralised," the General Staff said '
    "in a statement, adding that two soldiers were wounded.\n"
)
NONCE = "5eed0f5eed0f5eed"
SECRET = "sk-test-0123456789abcdefSECRET"


def fixture(name: str) -> Any:
    """A JSON fixture from tests/fixtures/providers/."""
    return json.loads((PROVIDERS / name).read_text(encoding="utf-8"))


def expected_draft() -> SummaryDraft:
    """The draft every success fixture carries."""
    return SummaryDraft.model_validate(fixture("summary_draft.json"))


def prompt() -> RenderedPrompt:
    """The rendered prompt of the synthetic article, with a fixed nonce."""
    article = Article(text=ARTICLE_TEXT, published=date(2025, 1, 9), language="en")
    return render(article, nonce=NONCE)


def request(**overrides: Any) -> ExtractionRequest:
    """An extraction request for the synthetic article."""
    article = Article(text=ARTICLE_TEXT, published=date(2025, 1, 9), language="en")
    fields: dict[str, Any] = {"article": article, "prompt": prompt(), "max_output_tokens": 2048}
    fields.update(overrides)
    return ExtractionRequest(**fields)


def config(kind: str, **overrides: Any) -> BackendConfig:
    """A backend config with fast, deterministic retries."""
    fields: dict[str, Any] = {
        "kind": kind,
        "model": "gpt-4o" if kind == "openai" else "claude-haiku-4-5",
        "retry": {"max_attempts": 3, "base_delay_s": 0.5, "max_delay_s": 8.0},
    }
    fields.update(overrides)
    return BackendConfig.model_validate(fields)


def error_response(name: str, **header_overrides: str) -> httpx.Response:
    """An error fixture ({status, headers, body}) as an httpx response."""
    data = fixture(name)
    headers = {**data.get("headers", {"content-type": "application/json"}), **header_overrides}
    return httpx.Response(data["status"], headers=headers, json=data["body"])


def sent_json(route_call: Any) -> Any:
    """The JSON body of a request captured by respx."""
    return json.loads(route_call.request.content)


class FakeSleep:
    """Records the delays it is asked to sleep, without sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def llm_settings(
    *, chain: Sequence[str] = ("gpt",), http_attempts: int = 3, **settings: Any
) -> Settings:
    """Settings with one OpenAI backend 'gpt' (gpt-4o) retrying `http_attempts` times, at once.

    `settings` are further Settings fields (max_attempts, request_deadline_s ...).
    """
    retry = RetryPolicy(max_attempts=http_attempts, base_delay_s=0.0, max_delay_s=0.0)
    gpt = BackendConfig(kind="openai", model="gpt-4o", retry=retry)
    return Settings(backends={"gpt": gpt}, chain=list(chain), **settings)


@asynccontextmanager
async def asgi_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app built from `settings`, in process.

    The app's lifespan runs, so its backends' HTTP clients are closed afterwards.
    """
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client
