"""The fake LLM server against the real 'openai' and 'anthropic' backends, through the pipeline.

Each scripted answer must reach the service as the matching provider behaviour: a checked
summary, a retried or final HTTP error, a re-ask with the exact feedback, or a timeout.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from typer.testing import CliRunner

from service.article import Article
from service.backends.anthropic import AnthropicBackend
from service.backends.base import Backend
from service.backends.openai import OpenAIBackend
from service.cli import app as cli
from service.config import Settings
from service.errors import BackendError, BackendUnavailable, DeadlineExceeded, ExtractionFailed
from service.main import create_app
from service.pipeline import Pipeline
from tests.backends import FakeSleep
from tests.support.fake_llm import (
    CHAT,
    MESSAGES,
    REDACTED,
    Endpoint,
    FakeLLM,
    delay,
    disconnect,
    invalid_json,
    ok,
    refusal,
    schema_invalid,
    stall,
    status,
    truncated,
)
from tests.support.fakes import ARTICLE, draft

KEY = "sk-fake-0123456789SECRET"
KEY_ENV = "FAKE_LLM_TEST_KEY"
ENDPOINT: dict[str, Endpoint] = {"openai": CHAT, "anthropic": MESSAGES}
KINDS = ["openai", "anthropic"]


@pytest.fixture
async def fake() -> AsyncIterator[FakeLLM]:
    async with FakeLLM() as server:
        yield server


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
async def run(
    fake: FakeLLM, sleep: FakeSleep, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Callable[..., Any]]:
    """Summarise ARTICLE through one real backend pointed at the fake; sleeps are recorded."""
    monkeypatch.setenv(KEY_ENV, KEY)
    backends: list[Backend] = []

    async def summarize(kind: str, *, settings: dict[str, Any] | None = None, **fields: Any) -> Any:
        fields.setdefault("retry", {"max_attempts": 3, "base_delay_s": 0.5, "max_delay_s": 8})
        config = fake.backend_config(kind, api_key_env=KEY_ENV, **fields)  # type: ignore[arg-type]
        backend_class = OpenAIBackend if kind == "openai" else AnthropicBackend
        backend = backend_class("llm", config, httpx.AsyncClient(), sleep=sleep)
        backends.append(backend)
        service = Settings(backends={"llm": config}, chain=["llm"], **(settings or {}))
        pipeline = Pipeline(service, {"llm": backend})
        return await pipeline.summarize(Article(text=ARTICLE, published=date(2025, 3, 4)))

    yield summarize
    for backend in backends:
        await backend.aclose()


def assert_checked(summary: Any) -> None:
    """The scripted draft came back grounded in ARTICLE."""
    assert summary.headline == draft().headline
    quote = summary.events[0].figures[0].evidence[0]
    assert ARTICLE[quote.start : quote.end] == "arrested 12 protesters"
    assert summary.events[0].figures[0].grounded is True
    assert summary.warnings == []


# -- answers in the shape the request asked for ------------------------------------------


@pytest.mark.parametrize(
    ("mode", "asked"),
    [
        ("tools", lambda b: b["tool_choice"]["function"]["name"] == "SummaryDraft"),
        ("json_schema", lambda b: b["response_format"]["type"] == "json_schema"),
        ("json", lambda b: b["response_format"] == {"type": "json_object"}),
    ],
)
async def test_openai_kind_in_each_mode_gets_a_checked_summary(
    fake: FakeLLM, run: Callable[..., Any], mode: str, asked: Callable[[Any], bool]
) -> None:
    fake.script(CHAT, ok(draft(), usage=(321, 45), model="gpt-4o-2024-08-06"))

    summary = await run("openai", mode=mode)

    assert_checked(summary)
    assert (summary.extraction.backend, summary.extraction.backend_kind) == ("llm", "openai")
    assert summary.extraction.model == "gpt-4o-2024-08-06"
    assert (summary.extraction.input_tokens, summary.extraction.output_tokens) == (321, 45)
    (call,) = fake.calls
    assert call.endpoint == CHAT and asked(call.body) and call.body["model"] == "gpt-4o"
    assert call.headers["authorization"] == REDACTED
    assert KEY not in json.dumps([c.headers for c in fake.calls])


async def test_anthropic_kind_gets_a_tool_use_answer_and_a_checked_summary(
    fake: FakeLLM, run: Callable[..., Any]
) -> None:
    fake.script(MESSAGES, ok(draft(), usage=(654, 98)))

    summary = await run("anthropic")

    assert_checked(summary)
    assert summary.extraction.backend_kind == "anthropic"
    assert summary.extraction.model == "claude-haiku-4-5"  # the request's model, echoed
    assert (summary.extraction.input_tokens, summary.extraction.output_tokens) == (654, 98)
    (call,) = fake.calls
    assert call.body["tool_choice"]["name"] == call.body["tools"][0]["name"] == "SummaryDraft"
    assert call.headers["x-api-key"] == REDACTED and "anthropic-version" in call.headers
    assert fake.count(CHAT) == 0 and fake.count(MESSAGES) == 1


# -- HTTP failures: our retry policy -----------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "headers", "waited"),
    [("openai", {"retry-after": "2"}, 2.0), ("anthropic", {"retry-after-ms": "1500"}, 1.5)],
)
async def test_429_retry_after_is_honoured_then_the_answer_served(
    fake: FakeLLM,
    run: Callable[..., Any],
    sleep: FakeSleep,
    kind: str,
    headers: dict[str, str],
    waited: float,
) -> None:
    fake.script(ENDPOINT[kind], status(429, headers=headers), ok())

    summary = await run(kind)

    assert_checked(summary)
    assert sleep.delays == [waited]
    assert fake.count() == 2 and summary.extraction.upstream_calls == 2


async def test_retry_after_beyond_the_cap_fails_fast(
    fake: FakeLLM, run: Callable[..., Any], sleep: FakeSleep
) -> None:
    fake.script(CHAT, status(429, headers={"retry-after": "300"}))

    with pytest.raises(BackendUnavailable) as caught:
        await run("openai")

    assert (caught.value.status, caught.value.retry_after) == (429, 300)
    assert fake.count() == 1 and sleep.delays == []


async def test_500_is_retried_up_to_the_cap(
    fake: FakeLLM, run: Callable[..., Any], sleep: FakeSleep
) -> None:
    fake.set_default(status(500))

    with pytest.raises(BackendError) as caught:
        await run("openai", retry={"max_attempts": 4, "base_delay_s": 0.5, "max_delay_s": 8})

    assert (caught.value.status, caught.value.attempts, caught.value.retryable) == (500, 4, True)
    assert fake.count() == 4 and len(sleep.delays) == 3


async def test_529_overloaded_is_retried(
    fake: FakeLLM, run: Callable[..., Any], sleep: FakeSleep
) -> None:
    fake.script(MESSAGES, status(529), status(529), ok())

    summary = await run("anthropic")

    assert_checked(summary)
    assert fake.count() == 3 and len(sleep.delays) == 2


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("code", "message"),
    [(400, "request rejected: "), (401, f"authentication failed: check the API key in ${KEY_ENV}")],
)
async def test_4xx_is_not_retried(
    fake: FakeLLM, run: Callable[..., Any], sleep: FakeSleep, kind: str, code: int, message: str
) -> None:
    fake.set_default(status(code))

    with pytest.raises(BackendError) as caught:
        await run(kind)

    assert (caught.value.status, caught.value.retryable, caught.value.attempts) == (code, False, 1)
    assert message in str(caught.value)
    assert fake.count() == 1 and sleep.delays == []


async def test_dropped_connection_is_retried(
    fake: FakeLLM, run: Callable[..., Any], sleep: FakeSleep
) -> None:
    fake.script(CHAT, disconnect(), ok())

    summary = await run("openai")

    assert_checked(summary)
    assert fake.count() == 2 and len(sleep.delays) == 1


# -- bad output: the pipeline re-asks with the exact feedback ----------------------------

FEEDBACK = {
    "invalid_json": (invalid_json(), "Invalid JSON"),
    "schema_invalid": (schema_invalid(), "language: String should match pattern"),
    "truncated": (truncated(), "the output was truncated at max_tokens=4096"),
    "refusal": (refusal("I cannot help."), "the model refused to answer: I cannot help."),
}
ANTHROPIC_FEEDBACK = {"invalid_json": "the answer held no SummaryDraft object"}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", sorted(FEEDBACK))
async def test_bad_output_is_reasked_with_its_errors(
    fake: FakeLLM, run: Callable[..., Any], kind: str, case: str
) -> None:
    bad, expected = FEEDBACK[case]
    if kind == "anthropic":
        expected = ANTHROPIC_FEEDBACK.get(case, expected)
    fake.script(ENDPOINT[kind], bad, ok())

    summary = await run(kind)

    assert_checked(summary)
    assert (summary.extraction.attempts, summary.extraction.reasks) == (2, 1)
    assert fake.count() == 2
    reask = fake.calls[1].body["messages"]
    assert reask[-2]["role"] == "assistant" and reask[-1]["role"] == "user"
    assert expected in reask[-1]["content"]
    if case != "refusal":  # the answer as it came, text or the tool_use input
        raw = bad.text if kind == "openai" or case == "invalid_json" else json.dumps(bad.obj)
        assert reask[-2]["content"] == raw


async def test_output_invalid_every_time_fails_after_the_attempt_cap(
    fake: FakeLLM, run: Callable[..., Any]
) -> None:
    fake.set_default(schema_invalid())

    with pytest.raises(ExtractionFailed) as caught:
        await run("openai", settings={"max_attempts": 3})

    assert caught.value.attempts == 3 and fake.count() == 3
    assert any(e.startswith("language: String should match pattern") for e in caught.value.errors)


# -- time: delays, stalls, timeouts and the deadline -------------------------------------


async def test_a_delayed_answer_is_waited_for(fake: FakeLLM, run: Callable[..., Any]) -> None:
    fake.script(CHAT, delay(0.3, then=ok()))

    summary = await run("openai")

    assert_checked(summary)
    assert summary.extraction.latency_ms >= 300


async def test_a_stall_is_cut_by_the_attempt_timeout_and_retried(
    fake: FakeLLM, run: Callable[..., Any]
) -> None:
    fake.set_default(stall())
    started = time.monotonic()

    with pytest.raises(BackendError, match="timed out: gave up after retries"):
        await run("anthropic", timeout_s=0.3, retry={"max_attempts": 2, "base_delay_s": 0})

    assert fake.count() == 2
    assert time.monotonic() - started < 5


async def test_a_stall_is_cut_by_the_request_deadline(
    fake: FakeLLM, run: Callable[..., Any]
) -> None:
    fake.script(CHAT, stall())
    started = time.monotonic()

    with pytest.raises(DeadlineExceeded):
        await run("openai", timeout_s=30, settings={"request_deadline_s": 0.5})

    assert fake.count() == 1
    assert time.monotonic() - started < 5


# -- the service's own edges, and the fake itself ----------------------------------------


async def test_http_api_maps_a_failing_upstream_to_502(fake: FakeLLM) -> None:
    fake.set_default(status(503))
    retry = {"max_attempts": 2, "base_delay_s": 0, "max_delay_s": 0}
    settings = Settings(backends={"gpt": fake.backend_config("openai", retry=retry)}, chain=["gpt"])

    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
    ):
        response = await client.post("/v1/summaries", json={"text": ARTICLE})

    assert response.status_code == 502
    assert response.json()["code"] == "backend_failed"
    assert fake.count(CHAT) == 2


def test_threaded_server_serves_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeLLM() as fake:
        fake.script(CHAT, invalid_json(), ok())
        config = fake.backend_config("openai", mode="json_schema")
        monkeypatch.setenv("SUMMARIZER_BACKENDS", json.dumps({"llm": config.model_dump()}))
        monkeypatch.setenv("SUMMARIZER_CHAIN", '["llm"]')
        args = ["summarize", "-", "--published-at", "2025-03-04"]
        result = CliRunner().invoke(cli, args, input=ARTICLE)

        assert result.exit_code == 0, result.output
        extraction = json.loads(result.stdout)["extraction"]
        assert (extraction["backend"], extraction["attempts"]) == ("llm", 2)
        assert fake.count(CHAT) == 2


def test_threaded_server_counts_captures_and_resets() -> None:
    with FakeLLM() as fake:
        fake.script(MESSAGES, status(401))
        url = fake.anthropic_base_url + "/v1/messages"
        denied = httpx.post(url, json={"model": "m"}, headers={"x-api-key": KEY})
        garbled = httpx.post(url, content=b"{not json", headers={"x-api-key": KEY})
        listed = httpx.get(fake.base_url + "/models")

        assert denied.status_code == 401
        error = denied.json()["error"]
        assert error == {"type": "authentication_error", "message": "invalid x-api-key"}
        assert denied.headers["request-id"].startswith("req_")
        assert garbled.status_code == 400
        assert garbled.json()["error"]["type"] == "invalid_request_error"
        assert listed.json()["object"] == "list"
        assert fake.count(MESSAGES) == 2 and fake.count(CHAT) == 0
        assert [c.body for c in fake.calls] == [{"model": "m"}, None]
        assert all(c.headers["x-api-key"] == REDACTED for c in fake.calls)
        fake.script(CHAT, status(500))
        fake.reset()
        assert fake.calls == [] and fake.pending(CHAT) == 0


async def test_concurrent_delayed_requests_are_served_in_parallel() -> None:
    async with FakeLLM(default=delay(0.2, then=ok())) as fake:
        started = time.monotonic()
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=128)) as client:
            body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}]}
            replies = await asyncio.gather(
                *(client.post(fake.base_url + "/chat/completions", json=body) for _ in range(128))
            )
        elapsed = time.monotonic() - started

    assert {r.status_code for r in replies} == {200}
    assert json.loads(replies[0].json()["choices"][0]["message"]["content"]) == ok().obj
    assert fake.count(CHAT) == 128
    assert elapsed < 128 * 0.2 / 2  # one at a time would take 25.6 s


async def test_answers_follow_the_request_and_the_provider_shapes(fake: FakeLLM) -> None:
    function = {"type": "function", "function": {"name": "Other"}}
    chat = {"model": "gpt-4o", "messages": [], "tools": [function], "tool_choice": function}
    messages = {"model": "claude-x", "messages": [], "tools": [{"name": "Other"}]}
    fake.script(CHAT, truncated(), refusal("No."))
    fake.script(MESSAGES, truncated(), refusal("No."))
    full = ok().text
    async with httpx.AsyncClient() as client:
        cut, declined = [
            (await client.post(fake.base_url + "/chat/completions", json=chat)).json()
            for _ in range(2)
        ]
        stopped, refused = [
            (await client.post(fake.anthropic_base_url + "/v1/messages", json=messages)).json()
            for _ in range(2)
        ]

    assert cut["object"] == "chat.completion" and cut["choices"][0]["finish_reason"] == "length"
    (tool_call,) = cut["choices"][0]["message"]["tool_calls"]
    assert tool_call["function"]["name"] == "Other"
    arguments = tool_call["function"]["arguments"]
    assert full is not None and full.startswith(arguments) and len(arguments) < len(full)
    with pytest.raises(json.JSONDecodeError):
        json.loads(arguments)
    refusal_message = {"role": "assistant", "content": None, "refusal": "No."}
    assert declined["choices"][0]["message"] == refusal_message
    assert cut["usage"]["total_tokens"] == sum(fake.usage)
    (block,) = stopped["content"]
    assert (stopped["type"], stopped["stop_reason"]) == ("message", "max_tokens")
    assert block["type"] == "tool_use"
    assert block["name"] == "Other" and stopped["model"] == "claude-x"
    whole = ok().obj
    assert whole is not None and block["input"] == {k: whole[k] for k in block["input"]}
    assert "headline" in block["input"] and "events" not in block["input"]  # cut in events
    assert refused["stop_reason"] == "refusal"
    assert refused["content"] == [{"type": "text", "text": "No."}]
    assert (refused["usage"]["input_tokens"], refused["usage"]["output_tokens"]) == fake.usage


def test_backend_config_points_each_kind_at_the_server() -> None:
    fake = FakeLLM()
    fake.port = 8123
    openai = fake.backend_config("openai", mode="json")
    anthropic = fake.backend_config("anthropic", model="claude-x")
    assert (openai.base_url, openai.mode) == ("http://127.0.0.1:8123/v1", "json")
    assert openai.api_key_env is None  # a keyless local server: the placeholder key is sent
    assert (anthropic.base_url, anthropic.model) == ("http://127.0.0.1:8123", "claude-x")
