"""Operations: /readyz, /metrics, request ids and the request log line."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from service.api.ops import CircuitState, circuit_state
from service.config import Settings
from service.errors import BackendError, BackendUnavailable
from service.main import create_app
from tests.reliability.logcapture import json_logs as capture_json_logs
from tests.support.fakes import ARTICLE, ScriptedBackend, draft, invalid

PROBLEM = "application/problem+json"


@dataclass
class BreakerBackend(ScriptedBackend):
    """A scripted backend with a circuit breaker whose state the test sets."""

    state: str = "closed"

    def circuit_state(self) -> str:
        return self.state


@asynccontextmanager
async def served(
    *backends: ScriptedBackend, **settings: Any
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The app over scripted backends (the first ones in the chain), lifespan running."""
    config = Settings(**settings)
    config.chain = [backend.name for backend in backends]
    app = create_app(config, backends={b.name: b for b in backends})
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield app, client


@asynccontextmanager
async def service(*backends: ScriptedBackend, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app over scripted backends."""
    async with served(*backends, **settings) as (_, client):
        yield client


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus exposition, by name and sorted labels."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """The service's JSON logging at DEBUG, in a buffer."""
    with capture_json_logs() as stream:
        yield stream


async def test_readyz_lists_the_chain_and_is_ready() -> None:
    async with service(BreakerBackend([draft()], name="gpt"), ScriptedBackend([draft()])) as c:
        response = await c.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "backends": {"gpt": "closed", "scripted": "closed"},
    }


async def test_readyz_is_503_only_when_every_chain_backend_is_open() -> None:
    primary = BreakerBackend([draft()], name="gpt", state="open")
    fallback = BreakerBackend([draft()], name="claude", state="half_open")
    async with service(primary, fallback) as client:
        one_open = await client.get("/readyz")
        fallback.state = "open"
        all_open = await client.get("/readyz")
    assert one_open.status_code == 200
    assert one_open.json()["backends"] == {"gpt": "open", "claude": "half_open"}
    assert all_open.status_code == 503
    assert all_open.headers["content-type"] == PROBLEM
    assert all_open.json()["code"] == "no_backend_available"


async def test_readyz_is_503_while_draining_and_the_api_still_serves() -> None:
    async with served(ScriptedBackend([draft()])) as (app, client):
        app.state.readiness.begin_drain()
        ready = await client.get("/readyz")
        answer = await client.post("/v1/summaries", json={"text": ARTICLE})
    assert ready.status_code == 503 and ready.json()["code"] == "shutting_down"
    assert answer.status_code == 200


def test_circuit_hook_reads_circuit_state_or_available_and_defaults_to_closed() -> None:
    class OnlyAvailable:
        def __init__(self, up: bool) -> None:
            self.up = up

        def available(self) -> bool:
            return self.up

    assert circuit_state(object()) is CircuitState.CLOSED
    assert circuit_state(OnlyAvailable(False)) is CircuitState.OPEN
    assert circuit_state(OnlyAvailable(True)) is CircuitState.CLOSED
    assert circuit_state(BreakerBackend([], state="half_open")) is CircuitState.HALF_OPEN


async def test_metrics_count_requests_calls_tokens_and_breaker_state() -> None:
    primary = BreakerBackend(
        [
            draft(),
            BackendError("boom", backend="gpt", status=500, attempts=3),
            invalid(["headline: bad"]),
            invalid(["headline: bad"]),
            BackendUnavailable("slow down", backend="gpt", retry_after=300.0),
        ],
        name="gpt",
        state="half_open",
    )
    async with service(primary, max_attempts=2) as client:
        statuses = [
            (await client.post("/v1/summaries", json={"text": ARTICLE})).status_code
            for _ in range(4)
        ]
        await client.get("/v1/schemas/nope")
        text = (await client.get("/metrics")).text
    assert statuses == [200, 502, 502, 503]
    found = samples(text)
    route = (("method", "POST"), ("route", "/v1/summaries"))

    def requests(status: str) -> float:
        return found[("summarizer_http_requests_total", (*route, ("status", status)))]

    assert (requests("200"), requests("502"), requests("503")) == (1, 2, 1)
    not_found = (("method", "GET"), ("route", "/v1/schemas/{name}"), ("status", "404"))
    assert found[("summarizer_http_requests_total", not_found)] == 1
    assert found[("summarizer_http_request_duration_seconds_count", route)] == 4

    def calls(outcome: str) -> float:
        key = ("summarizer_upstream_calls_total", (("backend", "gpt"), ("outcome", outcome)))
        return found[key]

    # 1 answer; 3 failed HTTP attempts; 2 invalid answers (the cap); 1 refused at once
    assert (calls("answered"), calls("failed"), calls("unavailable")) == (3, 3, 1)
    tokens = {d: found[("summarizer_tokens_total", (("backend", "gpt"), ("direction", d)))]
              for d in ("input", "output")}  # fmt: skip
    assert tokens == {"input": 100 + 2 * 80, "output": 50 + 2 * 20}
    assert found[("summarizer_backend_circuit_state", (("backend", "gpt"),))] == 2
    assert found[("summarizer_http_requests_in_flight", ())] == 1  # the scrape itself


async def test_two_apps_keep_their_own_metrics() -> None:
    async with (
        service(ScriptedBackend([draft()])) as first,
        service(ScriptedBackend([draft()])) as second,
    ):
        await first.post("/v1/summaries", json={"text": ARTICLE})
        text = (await second.get("/metrics")).text
    assert 'route="/v1/summaries"' not in text


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("desk-7f3a:b2/c+d=e.f_g", True),
        ("x" * 129, False),
        ("has space", False),
        ("<script>", False),
        ("", False),
    ],
)
async def test_request_id_is_kept_when_sane_else_generated(sent: str, kept: bool) -> None:
    async with service(ScriptedBackend([draft()])) as client:
        ok = await client.get("/healthz", headers={"X-Request-ID": sent})
        problem = await client.get("/v1/schemas/nope", headers={"X-Request-ID": sent})
    returned = ok.headers["x-request-id"]
    if kept:
        assert returned == sent
    else:
        assert returned != sent and len(returned) == 32 and int(returned, 16) >= 0
    assert problem.json()["request_id"] == problem.headers["x-request-id"]


async def test_an_unexpected_500_carries_its_request_id_and_is_counted() -> None:
    broken = ScriptedBackend([draft()])
    async with served(broken) as (app, client):
        app.state.pipeline.summarize = None  # a defect: calling it raises TypeError
        response = await client.post(
            "/v1/summaries", json={"text": ARTICLE}, headers={"X-Request-ID": "req-500"}
        )
        text = (await client.get("/metrics")).text
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req-500"
    assert response.json()["request_id"] == "req-500"
    assert 'route="/v1/summaries",status="500"' in text


async def test_every_record_of_a_request_carries_its_id(json_logs: io.StringIO) -> None:
    failing = ScriptedBackend([BackendError("boom", backend="scripted", status=500)])
    async with service(failing, api_keys={"desk": "desk-key-0123456789abcdef"}) as client:
        await client.post(
            "/v1/summaries",
            json={"text": ARTICLE},
            headers={"X-Request-ID": "req-42", "X-API-Key": "desk-key-0123456789abcdef"},
        )
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    mine = [line for line in lines if line.get("request_id") == "req-42"]
    messages = {line["message"] for line in mine}
    assert {"backend failed", "summary failed", "request done"} <= messages
    [done] = [line for line in mine if line["message"] == "request done"]
    assert done["route"] == "/v1/summaries" and done["status"] == 502
    assert done["client"] == "desk" and done["latency_ms"] >= 0
    [failed] = [line for line in mine if line["message"] == "summary failed"]
    assert failed["error_code"] == "backend_failed" and failed["upstream_status"] == 500
    assert len(failed["article_sha256"]) == 64 and failed["article_length"] == len(ARTICLE)
    assert all("desk-key-0123456789abcdef" not in line for line in json_logs.getvalue().split())


async def test_summary_log_line_has_backend_attempts_tokens_and_latency(
    json_logs: io.StringIO,
) -> None:
    async with service(ScriptedBackend([invalid(["headline: bad"]), draft()])) as client:
        await client.post("/v1/summaries", json={"text": ARTICLE})
    [made] = [
        json.loads(line) for line in json_logs.getvalue().splitlines() if '"summary made"' in line
    ]
    assert made["backend"] == "scripted" and made["attempts"] == 2 and made["reasks"] == 1
    assert (made["input_tokens"], made["output_tokens"]) == (180, 70)
    assert made["latency_ms"] >= 0 and len(made["request_id"]) == 32


async def test_sigterm_drains_then_hands_the_signal_to_the_previous_handler() -> None:
    grace_s = 0.3
    received: list[tuple[int, float]] = []

    def server_handler(signum: int, _: object) -> None:
        received.append((signum, time.monotonic()))

    previous = signal.signal(signal.SIGTERM, server_handler)
    try:
        async with served(ScriptedBackend([draft()]), shutdown_grace_s=grace_s) as (_, client):
            assert (await client.get("/readyz")).status_code == 200
            sent = time.monotonic()
            os.kill(os.getpid(), signal.SIGTERM)
            await asyncio.sleep(0.01)
            draining = await client.get("/readyz")
            still_served = await client.post("/v1/summaries", json={"text": ARTICLE})
            async with asyncio.timeout(5):
                while not received:
                    await asyncio.sleep(0.02)
        assert signal.getsignal(signal.SIGTERM) is server_handler  # given back at shutdown
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert draining.status_code == 503 and draining.json()["code"] == "shutting_down"
    assert still_served.status_code == 200
    [(signum, handed_over)] = received
    assert signum == signal.SIGTERM
    assert handed_over - sent >= grace_s  # the server is told only after the grace
