"""Provider faults through the HTTP API: real backends (SDK, instructor, our retry policy,
the circuit breakers) against the scripted FakeLLM. Each scenario records its figures
(`UPDATE_RESULTS=1` writes bench/results/reliability.json)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from tests.reliability.llm_app import KEY, KEY_ENV, ManualClock, app_client, llm_config
from tests.reliability.report import record
from tests.support.fake_llm import (
    CHAT,
    MESSAGES,
    FakeLLM,
    invalid_json,
    ok,
    schema_invalid,
    stall,
    status,
)
from tests.support.fakes import ARTICLE

BODY = {"text": ARTICLE, "published_at": "2025-03-04"}
SUMMARIES = "/v1/summaries"


@pytest.fixture(autouse=True)
def _provider_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)


@pytest.fixture
async def fake() -> AsyncIterator[FakeLLM]:
    async with FakeLLM() as server:
        yield server


async def test_429_with_a_short_retry_after_waits_then_succeeds(fake: FakeLLM) -> None:
    fake.script(CHAT, status(429, headers={"retry-after": "2"}), ok())
    async with app_client({"gpt": llm_config(fake)}, ["gpt"]) as client:
        started = time.perf_counter()
        response = await client.post(SUMMARIES, json=BODY)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    first, second = fake.calls
    waited = second.at - first.at
    assert waited >= 2.0 and elapsed >= 2.0
    assert response.json()["extraction"]["upstream_calls"] == 2
    record(
        "429_retry_after_2s_then_200",
        status=response.status_code,
        upstream_calls=fake.count(),
        waited_between_calls_s=round(waited, 3),
        elapsed_s=round(elapsed, 3),
    )


async def test_429_with_a_long_retry_after_fails_fast_with_503(fake: FakeLLM) -> None:
    fake.set_default(status(429, headers={"retry-after": "300"}))
    async with app_client({"gpt": llm_config(fake)}, ["gpt"]) as client:
        started = time.perf_counter()
        first = await client.post(SUMMARIES, json=BODY)
        elapsed = time.perf_counter() - started
        started = time.perf_counter()
        again = await client.post(SUMMARIES, json=BODY)
        elapsed_again = time.perf_counter() - started
        ready = await client.get("/readyz")
    assert first.status_code == 503 and first.json()["code"] == "backend_unavailable"
    assert first.headers["retry-after"] == "300"
    assert elapsed < 1.0
    # The provider asked for 300 s: the circuit stays open that long, no call is made.
    assert again.status_code == 503 and int(again.headers["retry-after"]) > 290
    assert fake.count() == 1
    assert ready.status_code == 503 and ready.json()["backends"] == {"gpt": "open"}
    record(
        "429_retry_after_300s_fails_fast",
        status=first.status_code,
        retry_after_header=first.headers["retry-after"],
        elapsed_s=round(elapsed, 3),
        second_request_elapsed_s=round(elapsed_again, 3),
        upstream_calls=fake.count(),
    )


async def test_a_backend_always_500_stays_within_the_upstream_call_cap(fake: FakeLLM) -> None:
    fake.set_default(status(500))
    retry = {"max_attempts": 6, "base_delay_s": 0.0, "max_delay_s": 0.0}
    configs = {
        "gpt": llm_config(fake, retry=retry),
        "claude": llm_config(fake, "anthropic", retry=retry),
    }
    async with app_client(configs, ["gpt", "claude"], max_upstream_calls=8) as client:
        response = await client.post(SUMMARIES, json=BODY)
    problem = response.json()
    assert response.status_code == 502
    assert problem["code"] == "upstream_call_cap" and problem["backend"] == "claude"
    # 6 retries of the first backend, then the second gets what is left of the 8.
    assert (fake.count(CHAT), fake.count(MESSAGES)) == (6, 2)
    record(
        "backend_always_500",
        status=response.status_code,
        upstream_calls=fake.count(),
        max_upstream_calls=8,
        attempts_allowed_without_cap=12,
    )


@pytest.mark.parametrize(
    ("code", "message"),
    [(400, "request rejected: Invalid value"), (401, f"check the API key in ${KEY_ENV}")],
)
async def test_a_config_error_makes_exactly_one_call(
    fake: FakeLLM, code: int, message: str
) -> None:
    fake.set_default(status(code))
    async with app_client({"gpt": llm_config(fake)}, ["gpt"]) as client:
        first = await client.post(SUMMARIES, json=BODY)
        calls = fake.count()
        for _ in range(5):
            await client.post(SUMMARIES, json=BODY)
        ready = await client.get("/readyz")
    problem = first.json()
    assert first.status_code == 502 and calls == 1
    assert problem["upstream_status"] == code and message in problem["detail"]
    assert KEY not in first.text
    # Not a matter of availability: the circuit stays closed, each request makes one call.
    assert fake.count() == 6 and ready.json()["backends"] == {"gpt": "closed"}
    record(f"http_{code}_config_error", status=first.status_code, upstream_calls=calls)


async def test_a_stalled_backend_ends_at_the_request_deadline(fake: FakeLLM) -> None:
    fake.set_default(stall())
    config = llm_config(fake, timeout_s=60)
    async with app_client({"gpt": config}, ["gpt"], request_deadline_s=2) as client:
        started = time.perf_counter()
        response = await client.post(SUMMARIES, json=BODY)
        elapsed = time.perf_counter() - started
    assert response.status_code == 504 and response.json()["code"] == "deadline_exceeded"
    assert 1.9 <= elapsed < 3.0
    record(
        "stall_60s_deadline_2s",
        status=response.status_code,
        elapsed_s=round(elapsed, 3),
        deadline_s=2,
        upstream_calls=fake.count(),
    )


async def test_the_attempt_timeout_bounds_each_attempt(fake: FakeLLM) -> None:
    fake.set_default(stall())
    retry = {"max_attempts": 2, "base_delay_s": 0.0, "max_delay_s": 0.0}
    config = llm_config(fake, timeout_s=0.5, retry=retry)
    async with app_client({"gpt": config}, ["gpt"], request_deadline_s=30) as client:
        started = time.perf_counter()
        response = await client.post(SUMMARIES, json=BODY)
        elapsed = time.perf_counter() - started
    assert response.status_code == 502 and "timed out" in response.json()["detail"]
    assert fake.count() == 2 and 1.0 <= elapsed < 2.5


async def test_invalid_json_once_gets_one_reask(fake: FakeLLM) -> None:
    fake.script(CHAT, invalid_json(), ok())
    async with app_client({"gpt": llm_config(fake)}, ["gpt"]) as client:
        response = await client.post(SUMMARIES, json=BODY)
    extraction = response.json()["extraction"]
    assert response.status_code == 200
    assert (extraction["attempts"], extraction["reasks"], fake.count()) == (2, 1, 2)
    reask = fake.calls[1].body["messages"]
    assert reask[-2]["role"] == "assistant" and reask[-1]["role"] == "user"
    record(
        "invalid_json_once",
        status=response.status_code,
        reasks=extraction["reasks"],
        upstream_calls=fake.count(),
    )


async def test_always_schema_invalid_stops_at_the_cap_with_tokens(fake: FakeLLM) -> None:
    fake.set_default(schema_invalid(usage=(1000, 200)))
    async with app_client(
        {"gpt": llm_config(fake)}, ["gpt"], max_attempts=5, max_upstream_calls=4
    ) as client:
        response = await client.post(SUMMARIES, json=BODY)
    problem = response.json()
    assert response.status_code == 502 and problem["code"] == "extraction_failed"
    assert fake.count() == 4  # max_attempts would allow 5: the call cap stopped it
    assert (problem["input_tokens"], problem["output_tokens"]) == (4000, 800)
    assert any("language" in error for error in problem["errors"])
    record(
        "always_schema_invalid",
        status=response.status_code,
        upstream_calls=fake.count(),
        max_upstream_calls=4,
        input_tokens=problem["input_tokens"],
        output_tokens=problem["output_tokens"],
    )


async def test_primary_down_fallback_serves_then_primary_recovers(fake: FakeLLM) -> None:
    clock = ManualClock()
    breaker = {"failure_threshold": 2, "cooldown_s": 30, "max_cooldown_s": 300}
    retry = {"max_attempts": 1, "base_delay_s": 0.0, "max_delay_s": 0.0}
    configs = {
        "primary": llm_config(fake, retry=retry, breaker=breaker),
        "fallback": llm_config(fake, "anthropic"),
    }
    fake.set_default(status(503), CHAT)
    async with app_client(configs, ["primary", "fallback"], clock=clock) as client:
        down = [await client.post(SUMMARIES, json=BODY) for _ in range(3)]
        calls_while_down = fake.count(CHAT)
        ready = (await client.get("/readyz")).json()
        gauge = (await client.get("/metrics")).text
        fake.set_default(ok(), CHAT)
        clock.advance(29)
        still_open = await client.post(SUMMARIES, json=BODY)
        clock.advance(1)
        recovered = await client.post(SUMMARIES, json=BODY)
        after = (await client.get("/readyz")).json()
    served_by = [r.json()["extraction"]["backend"] for r in down]
    assert [r.status_code for r in down] == [200, 200, 200]
    assert served_by == ["fallback"] * 3
    assert all(r.json()["extraction"]["backends_failed"] == ["primary"] for r in down)
    assert "primary (backend_unavailable)" in down[2].json()["warnings"][0]["message"]
    assert calls_while_down == 2  # the third request skipped the open primary
    assert ready["backends"] == {"primary": "open", "fallback": "closed"}
    assert 'summarizer_backend_circuit_state{backend="primary"} 1.0' in gauge
    assert still_open.json()["extraction"]["backend"] == "fallback"
    assert recovered.json()["extraction"]["backend"] == "primary"
    assert recovered.json()["extraction"]["backends_failed"] == []
    assert after["backends"]["primary"] == "closed" and fake.count(CHAT) == 3
    record(
        "primary_down_fallback_serves",
        requests_served_by_fallback=len(down) + 1,
        primary_calls_while_down=calls_while_down,
        failure_threshold=2,
        cooldown_s=30,
        primary_serves_again_after_s=30,
    )


async def test_an_article_over_the_token_limit_gets_413_before_any_call(fake: FakeLLM) -> None:
    text = "Ouagadougou-Bobo-Dioulasso " * 400  # 10,800 characters, some 2,800 tokens
    async with app_client({"gpt": llm_config(fake)}, ["gpt"], max_article_tokens=2000) as client:
        started = time.perf_counter()
        response = await client.post(SUMMARIES, json={"text": text})
        elapsed = time.perf_counter() - started
    problem = response.json()
    assert response.status_code == 413 and problem["code"] == "article_too_large"
    assert "o200k_base estimate" in problem["detail"] and "limit is 2000" in problem["detail"]
    assert fake.count() == 0
    record(
        "article_over_token_limit",
        status=response.status_code,
        upstream_calls=fake.count(),
        article_chars=len(text),
        max_article_tokens=2000,
        elapsed_s=round(elapsed, 3),
    )
