"""The 'anthropic' backend against respx fakes of the Messages API (recorded shapes)."""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from schemas import SummaryDraft
from service.backends.anthropic import EMPTY_ANSWER, AnthropicBackend
from service.backends.base import InvalidOutput, create_backend
from service.errors import BackendError, ConfigError
from tests.backends import (
    ARTICLE_TEXT,
    NONCE,
    SECRET,
    FakeSleep,
    config,
    error_response,
    expected_draft,
    fixture,
    prompt,
    request,
    sent_json,
)

MESSAGES_URL = "https://api.anthropic.com/v1/messages"


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def backend(
    http: httpx.AsyncClient, sleep: FakeSleep, monkeypatch: pytest.MonkeyPatch
) -> AnthropicBackend:
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    return AnthropicBackend("claude", config("anthropic"), http, sleep=sleep, rng=random.Random(7))


def ok(name: str = "anthropic_messages_tool_use.json") -> httpx.Response:
    return httpx.Response(200, json=fixture(name))


@respx.mock
async def test_tool_use_request_and_result(backend: AnthropicBackend) -> None:
    route = respx.post(MESSAGES_URL).mock(return_value=ok())

    result = await backend.extract(request())

    assert route.call_count == 1
    sent = route.calls[0].request
    assert sent.url.path == "/v1/messages"
    assert sent.headers["x-api-key"] == SECRET
    assert "anthropic-version" in sent.headers
    body = sent_json(route.calls[0])
    assert body["model"] == "claude-haiku-4-5"
    assert (body["max_tokens"], body["temperature"]) == (2048, 0)
    assert body["system"] == prompt().system
    (message,) = body["messages"]
    assert message["role"] == "user"
    assert f"<<<ARTICLE {NONCE}>>>\n{ARTICLE_TEXT}" in message["content"]
    (tool,) = body["tools"]
    assert tool["name"] == "SummaryDraft"
    schema = SummaryDraft.model_json_schema()
    assert tool["input_schema"]["properties"].keys() == schema["properties"].keys()
    assert body["tool_choice"]["type"] == "tool"
    assert body["tool_choice"]["name"] == "SummaryDraft"

    assert result.draft == expected_draft()
    assert result.model == "claude-haiku-4-5-20251001"
    assert (result.usage.input_tokens, result.usage.output_tokens, result.usage.calls) == (
        2120,
        498,
        1,
    )


@respx.mock
async def test_reask_sends_previous_answer_and_errors(backend: AnthropicBackend) -> None:
    route = respx.post(MESSAGES_URL).mock(return_value=ok())
    errors = ("events[0].when.date: String should match pattern '^\\d{4}(-\\d{2}(-\\d{2})?)?$'",)

    await backend.extract(request(feedback=errors, previous_output=None))

    body = sent_json(route.calls[0])
    assert body["system"] == prompt().system
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["user", "assistant", "user"]
    assert body["messages"][1]["content"] == EMPTY_ANSWER  # the API refuses empty text
    assert f"- {errors[0]}" in body["messages"][2]["content"]
    assert f"<<<ARTICLE {NONCE}>>>" in body["messages"][2]["content"]


def test_missing_key_is_a_config_error(http: httpx.AsyncClient) -> None:
    with pytest.raises(ConfigError, match="ANTHROPIC_API_KEY"):
        create_backend("claude", config("anthropic"), http)


@respx.mock
async def test_529_overloaded_then_success(backend: AnthropicBackend, sleep: FakeSleep) -> None:
    route = respx.post(MESSAGES_URL).mock(
        side_effect=[error_response("anthropic_529_overloaded.json"), ok()]
    )

    result = await backend.extract(request())

    assert route.call_count == 2
    assert len(sleep.delays) == 1 and 0 <= sleep.delays[0] <= 0.5
    assert result.usage.calls == 2
    assert result.draft == expected_draft()


@respx.mock
async def test_429_with_retry_after_sleeps_that_long_then_succeeds(
    backend: AnthropicBackend, sleep: FakeSleep
) -> None:
    message = "Number of request tokens has exceeded your per-minute rate limit"
    body = {"type": "error", "error": {"type": "rate_limit_error", "message": message}}
    limited = httpx.Response(429, headers={"retry-after": "7"}, json=body)
    route = respx.post(MESSAGES_URL).mock(side_effect=[limited, ok()])

    result = await backend.extract(request())

    assert route.call_count == 2
    assert sleep.delays == [7.0]
    assert result.usage.calls == 2
    assert result.draft == expected_draft()


@respx.mock
async def test_read_timeout_then_success(backend: AnthropicBackend, sleep: FakeSleep) -> None:
    route = respx.post(MESSAGES_URL).mock(side_effect=[httpx.ReadTimeout("timed out"), ok()])

    result = await backend.extract(request())

    assert route.call_count == 2
    assert len(sleep.delays) == 1 and 0 <= sleep.delays[0] <= 0.5
    assert result.usage.calls == 2
    assert result.draft == expected_draft()


def test_max_output_tokens_of_the_config_is_public(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    backend = create_backend("claude", config("anthropic", max_output_tokens=1024), http)

    assert isinstance(backend, AnthropicBackend)
    assert (backend.name, backend.kind) == ("claude", "anthropic")
    assert backend.model == "claude-haiku-4-5"
    assert backend.max_output_tokens == 1024


@respx.mock
async def test_connection_error_then_success(backend: AnthropicBackend) -> None:
    route = respx.post(MESSAGES_URL).mock(side_effect=[httpx.ConnectError("refused"), ok()])

    result = await backend.extract(request())

    assert route.call_count == 2
    assert result.usage.calls == 2


@respx.mock
async def test_401_names_the_env_var_never_the_key(
    backend: AnthropicBackend, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = {
        "type": "error",
        "error": {"type": "authentication_error", "message": "invalid x-api-key"},
        "request_id": "req_011CSHoEeqs5C35K2UUqR7Fz",
    }
    route = respx.post(MESSAGES_URL).mock(return_value=httpx.Response(401, json=body))

    with pytest.raises(BackendError) as caught:
        await backend.extract(request())

    assert route.call_count == 1
    assert caught.value.status == 401
    assert "check the API key in $ANTHROPIC_API_KEY" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert SECRET not in caplog.text
    assert "Five assailants" not in caplog.text


@respx.mock
async def test_max_tokens_stop_is_invalid_output_saying_truncated(
    backend: AnthropicBackend,
) -> None:
    respx.post(MESSAGES_URL).mock(return_value=ok("anthropic_messages_max_tokens.json"))

    with pytest.raises(InvalidOutput) as caught:
        await backend.extract(request())

    (message,) = caught.value.errors
    assert "truncated at max_tokens=2048" in message
    assert caught.value.raw is not None and '"headline"' in caught.value.raw
    assert caught.value.usage.output_tokens == 256


@respx.mock
async def test_refusal_stop_is_invalid_output_saying_refused(backend: AnthropicBackend) -> None:
    respx.post(MESSAGES_URL).mock(return_value=ok("anthropic_messages_refusal.json"))

    with pytest.raises(InvalidOutput) as caught:
        await backend.extract(request())

    assert caught.value.errors[0].startswith("the model refused to answer")
    assert caught.value.raw is None


@respx.mock
async def test_schema_invalid_tool_input_names_the_field(backend: AnthropicBackend) -> None:
    body = fixture("anthropic_messages_tool_use.json")
    body["content"][0]["input"]["events"][0]["figures"][0]["kind"] = "killed_or_maybe"
    respx.post(MESSAGES_URL).mock(return_value=httpx.Response(200, json=body))

    with pytest.raises(InvalidOutput) as caught:
        await backend.extract(request())

    (error,) = caught.value.errors
    assert error.startswith("events[0].figures[0].kind: Input should be 'killed', 'injured'")
    assert caught.value.raw is not None and "killed_or_maybe" in caught.value.raw


@respx.mock
async def test_text_without_tool_use_is_invalid_output(backend: AnthropicBackend) -> None:
    body = fixture("anthropic_messages_tool_use.json")
    body["content"] = [{"type": "text", "text": "Here is a summary: the army repelled it."}]
    body["stop_reason"] = "end_turn"
    respx.post(MESSAGES_URL).mock(return_value=httpx.Response(200, json=body))

    with pytest.raises(InvalidOutput) as caught:
        await backend.extract(request())

    assert caught.value.errors == [
        "the answer held no SummaryDraft object: return exactly one, as specified"
    ]
    assert caught.value.raw == "Here is a summary: the army repelled it."
