"""Access control and limits as a client sees them: 401, 429 and 503 problem+json."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from service.api.auth import ApiKeys, presented_key
from service.api.ratelimit import RateLimiter
from service.config import Settings, load_settings
from service.errors import ConfigError
from service.main import OPEN_API_WARNING, create_app
from tests.support.fakes import ARTICLE, ScriptedBackend, draft

PROBLEM = "application/problem+json"
DESK_KEY = "desk-key-0123456789abcdef"
DATA_KEY = "data-key-fedcba9876543210"
KEYS = {"desk": DESK_KEY, "data": DATA_KEY}


@asynccontextmanager
async def service(
    backend: ScriptedBackend | None = None, **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """The app over a scripted backend, its lifespan running."""
    backend = backend or ScriptedBackend([draft()])
    config = Settings(**settings)
    config.chain = [backend.name]
    app = create_app(config, backends={backend.name: backend})
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


async def summarize(client: httpx.AsyncClient, **headers: str) -> httpx.Response:
    return await client.post("/v1/summaries", json={"text": ARTICLE}, headers=headers)


async def test_without_keys_the_api_is_open_and_startup_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    async with service() as client:
        assert (await summarize(client)).status_code == 200
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warnings] == [OPEN_API_WARNING]


async def test_with_keys_startup_names_them_without_their_values(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    async with service(api_keys=KEYS):
        pass
    [record] = [r for r in caplog.records if r.getMessage() == "API keys required"]
    assert record.__dict__["api_key_names"] == ["data", "desk"]
    assert DESK_KEY not in json.dumps(record.__dict__, default=str)
    assert OPEN_API_WARNING not in caplog.text


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "needs a key"),
        ({"Authorization": "Bearer not-a-key-of-ours-at-all"}, "not valid"),
        ({"X-API-Key": DESK_KEY[:-1]}, "not valid"),
        ({"Authorization": f"Basic {DESK_KEY}"}, "needs a key"),
        ({"Authorization": "Bearer "}, "needs a key"),
    ],
)
async def test_missing_or_wrong_key_is_401_with_a_bearer_challenge(
    headers: dict[str, str], detail: str
) -> None:
    backend = ScriptedBackend([draft()])
    async with service(backend, api_keys=KEYS) as client:
        response = await summarize(client, **headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert body["code"] == "unauthorized" and detail in body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    assert DESK_KEY not in response.text
    assert backend.requests == []  # refused before any work


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": f"Bearer {DESK_KEY}"},
        {"authorization": f"bearer  {DESK_KEY} "},
        {"X-API-Key": DATA_KEY},
    ],
)
async def test_a_valid_key_in_either_header_is_served(headers: dict[str, str]) -> None:
    async with service(api_keys=KEYS) as client:
        response = await summarize(client, **headers)
    assert response.status_code == 200, response.text


async def test_probes_docs_and_metrics_need_no_key_unless_asked() -> None:
    async with service(api_keys=KEYS) as client:
        for path in ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"):
            assert (await client.get(path)).status_code == 200, path
        assert (await client.get("/v1/backends")).status_code == 401
        assert (await client.get("/v1/schemas/event")).status_code == 401
    async with service(api_keys=KEYS, metrics_need_key=True) as client:
        assert (await client.get("/metrics")).status_code == 401
        ok = await client.get("/metrics", headers={"X-API-Key": DESK_KEY})
        assert ok.status_code == 200


async def test_over_the_rate_is_429_with_retry_after_per_key() -> None:
    async with service(api_keys=KEYS, rate_limit_per_minute=2) as client:
        desk = {"X-API-Key": DESK_KEY}
        statuses = [(await summarize(client, **desk)).status_code for _ in range(2)]
        refused = await summarize(client, **desk)
        other = await summarize(client, **{"X-API-Key": DATA_KEY})
    assert statuses == [200, 200]
    assert refused.status_code == 429
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["code"] == "rate_limited"
    assert 25 <= int(refused.headers["retry-after"]) <= 30  # one token comes back in 30 s
    assert "desk" in refused.json()["detail"]
    assert other.status_code == 200  # each key has its own bucket


async def test_rate_limit_zero_is_off() -> None:
    async with service(api_keys=KEYS, rate_limit_per_minute=0) as client:
        statuses = {(await summarize(client, **{"X-API-Key": DESK_KEY})).status_code
                    for _ in range(5)}  # fmt: skip
    assert statuses == {200}


def test_token_bucket_refills_at_the_rate_and_tells_the_wait() -> None:
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    assert all(limiter.acquire("a") == 0.0 for _ in range(60))  # a burst of a minute's worth
    assert limiter.acquire("a") == pytest.approx(1.0)
    now[0] = 0.5
    assert limiter.acquire("a") == pytest.approx(0.5)
    now[0] = 1.0
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("b") == 0.0


async def test_past_the_concurrency_bound_a_request_gets_503_at_once() -> None:
    slow = ScriptedBackend([1.5])
    async with service(slow, max_concurrent_requests=2) as client:
        held = [asyncio.create_task(summarize(client)) for _ in range(2)]
        while len(slow.requests) < 2:
            await asyncio.sleep(0.01)
        started = time.perf_counter()
        refused = await summarize(client)
        refused_in = time.perf_counter() - started
        waited = any(task.done() for task in held)
        probe = await client.get("/readyz")
        served = [await task for task in held]
        after = await summarize(client)
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["code"] == "overloaded"
    assert not waited and refused_in < 1.0  # not queued behind the 1.5 s requests
    assert probe.status_code == 200  # probes are not bounded
    assert [r.status_code for r in served] == [200, 200]
    assert after.status_code == 200  # places are given back


def test_presented_key_reads_bearer_then_x_api_key() -> None:
    assert presented_key([(b"authorization", b"Bearer abc")]) == "abc"
    assert presented_key([(b"x-api-key", b" abc ")]) == "abc"
    assert presented_key([(b"authorization", b"Token abc")]) is None
    keys = ApiKeys({"desk": load_settings(api_keys=KEYS).api_keys["desk"]})
    assert keys.identify(DESK_KEY) == "desk" and keys.identify(DATA_KEY) is None


def test_keys_come_from_the_environment_as_json_and_from_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"data": DATA_KEY}), encoding="utf-8")
    monkeypatch.setenv("SUMMARIZER_API_KEYS", json.dumps({"desk": DESK_KEY}))
    monkeypatch.setenv("SUMMARIZER_API_KEYS_FILE", str(path))
    settings = load_settings()
    assert {name: key.get_secret_value() for name, key in settings.api_keys.items()} == KEYS
    assert DESK_KEY not in repr(settings)


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"desk": "short-key"}, "at least 16 characters"),
        ({"desk": DESK_KEY, "data": DESK_KEY}, "are the same key"),
        ({"bad name": DESK_KEY}, "API key name"),
        ({"desk": f" {DESK_KEY}"}, "surrounding spaces"),
    ],
)
def test_unsafe_keys_are_refused_without_showing_them(keys: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(api_keys=keys)
    assert message in str(caught.value)
    for value in keys.values():
        assert value.strip() not in str(caught.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read it"),
        ("{not json", "not a UTF-8 JSON file"),
        ('["a", "b"]', "JSON object of name: key"),
        (json.dumps({"desk": DATA_KEY}), "configured twice"),
    ],
)
def test_a_bad_keys_file_is_a_config_error(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "keys.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(api_keys={"desk": DESK_KEY}, api_keys_file=path)
    assert message in str(caught.value)
    assert DATA_KEY not in str(caught.value)
