"""200 concurrent slow requests against a real `summarizer serve`: the concurrency bound
holds, the requests past it get a quick 503 with Retry-After, none gets a 500, and the
server's memory stays bounded.

The 503s' latency is measured by the server (its request log line) and by the client;
the client's figure includes opening 200 connections at once, shown beside it by the
same burst on /healthz.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.reliability.report import record
from tests.reliability.serve import free_port, start
from tests.support.fake_llm import CHAT, FakeLLM, delay, ok
from tests.support.fakes import ARTICLE

pytestmark = pytest.mark.slow

REQUESTS = 200
BOUND = 16
SUMMARIES = "/v1/summaries"
LLM_DELAY_S = 5.0


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process, in kB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    with FakeLLM(default=delay(LLM_DELAY_S, then=ok()), capture_bodies=False) as server:
        yield server


async def burst(base: str, path: str) -> list[tuple[int, float, str]]:
    """REQUESTS at once, each on its own connection: (status, seconds, problem code).

    POST /v1/summaries with the article the fake's answer is grounded in, or GET `path`.
    """
    limits = httpx.Limits(max_connections=REQUESTS + 10, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def one() -> tuple[int, float, str]:
            started = time.perf_counter()
            if path == SUMMARIES:
                response = await client.post(path, json={"text": ARTICLE})
            else:
                response = await client.get(path)
            seconds = time.perf_counter() - started
            code = response.json().get("code", "") if response.status_code != 200 else ""
            if response.status_code == 503:
                assert response.headers["retry-after"] == "1"
            return response.status_code, seconds, code

        return await asyncio.gather(*(one() for _ in range(REQUESTS)))


def test_200_concurrent_slow_requests_get_served_or_a_quick_503(fake: FakeLLM) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start(
        port,
        SUMMARIZER_BACKENDS=json.dumps({"gpt": fake.backend_config("openai").model_dump()}),
        SUMMARIZER_CHAIN='["gpt"]',
        SUMMARIZER_MAX_CONCURRENT_REQUESTS=str(BOUND),
        SUMMARIZER_SHUTDOWN_GRACE_S="0",
    )
    try:
        fake.script(CHAT, ok())  # the first request warms up without the delay
        warm = httpx.post(base + SUMMARIES, json={"text": ARTICLE}, timeout=30)
        assert warm.status_code == 200, warm.text
        # The same burst on /healthz: what 200 new connections at once cost on this machine.
        probes = [seconds for _, seconds, _ in asyncio.run(burst(base, "/healthz"))]
        before = memory_kb(process.pid)
        fake.reset()
        results = asyncio.run(burst(base, SUMMARIES))
        after = memory_kb(process.pid)
        reached_llm = fake.count(CHAT)
    finally:
        process.terminate()
        stderr = process.communicate(timeout=30)[1]
    statuses = [status for status, _, _ in results]
    refused = [seconds for status, seconds, _ in results if status == 503]
    served = [seconds for status, seconds, _ in results if status == 200]
    server_503_ms = [
        line["latency_ms"]
        for line in map(json.loads, filter(lambda s: s.startswith("{"), stderr.splitlines()))
        if line.get("message") == "request done" and line.get("status") == 503
    ]
    assert set(statuses) <= {200, 503}, sorted(set(statuses))
    assert {code for status, _, code in results if status == 503} == {"overloaded"}
    assert len(served) >= BOUND and reached_llm == len(served)
    assert len(refused) >= REQUESTS - 2 * BOUND  # the bound held while the LLM answered
    assert len(server_503_ms) == len(refused)
    server_p95 = percentile(server_503_ms, 0.95)
    assert server_p95 < 50, server_p95  # answered without waiting for a place
    assert percentile(refused, 0.95) < LLM_DELAY_S  # not queued behind the served ones
    growth_mb = (after["VmHWM"] - before["VmRSS"]) / 1024
    assert growth_mb < 64, growth_mb
    record(
        "overload_200_concurrent_slow_requests",
        requests=REQUESTS,
        concurrency_bound=BOUND,
        llm_delay_s=LLM_DELAY_S,
        served_200=len(served),
        refused_503=len(refused),
        status_500=statuses.count(500),
        server_503_latency_ms_p50=round(statistics.median(server_503_ms), 2),
        server_503_latency_ms_p95=round(server_p95, 2),
        client_503_latency_ms_p95=round(percentile(refused, 0.95) * 1000, 1),
        client_healthz_same_burst_ms_p95=round(percentile(probes, 0.95) * 1000, 1),
        client_200_latency_s_p50=round(statistics.median(served), 2),
        server_rss_before_mb=round(before["VmRSS"] / 1024, 1),
        server_peak_rss_mb=round(after["VmHWM"] / 1024, 1),
        server_peak_growth_mb=round(growth_mb, 1),
    )
