"""The 'openai' backend against respx fakes of the chat completions API (recorded shapes)."""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from schemas import SummaryDraft
from schemas.event import model_facing
from service.backends.base import InvalidOutput, create_backend
from service.backends.openai import OpenAIBackend
from service.errors import BackendError, BackendUnavailable, ConfigError, DeadlineExceeded
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

OPENAI_URL = "https://api.openai.com/v1/chat/completions"
OLLAMA_URL = "http://127.0.0.1:11434/v1/chat/completions"


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
) -> OpenAIBackend:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    return OpenAIBackend("gpt", config("openai"), http, sleep=sleep, rng=random.Random(7))


def ok(name: str = "openai_chat_completion_tool_calls.json") -> httpx.Response:
    return httpx.Response(200, json=fixture(name))


def assert_article_prompt(messages: list[dict[str, str]]) -> None:
    assert messages[0] == {"role": "system", "content": prompt().system}
    assert messages[1]["role"] == "user"
    user = messages[1]["content"]
    assert f"<<<ARTICLE {NONCE}>>>\n{ARTICLE_TEXT}" in user
    assert f"<<<END ARTICLE {NONCE}>>>" in user


@respx.mock
async def test_tools_mode_sends_the_schema_as_a_forced_tool_and_parses_the_call(
    backend: OpenAIBackend,
) -> None:
    route = respx.post(OPENAI_URL).mock(return_value=ok())

    result = await backend.extract(request())

    assert route.call_count == 1
    sent = route.calls[0].request
    assert sent.url.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {SECRET}"
    body = sent_json(route.calls[0])
    assert body["model"] == "gpt-4o"
    assert body["max_tokens"] == 2048
    assert body["temperature"] == 0
    assert len(body["messages"]) == 2
    assert_article_prompt(body["messages"])
    (tool,) = body["tools"]
    assert tool["type"] == "function"
    assert tool["function"]["name"] == "SummaryDraft"
    schema = SummaryDraft.model_json_schema()
    assert tool["function"]["parameters"]["properties"].keys() == schema["properties"].keys()
    assert set(tool["function"]["parameters"]["required"]) == set(schema["required"])
    assert body["tool_choice"] == {"type": "function", "function": {"name": "SummaryDraft"}}
    assert "response_format" not in body

    assert result.draft == expected_draft()
    assert result.model == "gpt-4o-2024-08-06"
    assert (result.usage.input_tokens, result.usage.output_tokens) == (1843, 412)
    assert result.usage.calls == 1


@respx.mock
async def test_json_schema_mode_sends_response_format_and_parses_content(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    backend = OpenAIBackend("gpt", config("openai", mode="json_schema"), http)
    route = respx.post(OPENAI_URL).mock(return_value=ok("openai_chat_completion_json_schema.json"))

    result = await backend.extract(request())

    body = sent_json(route.calls[0])
    assert_article_prompt(body["messages"])
    assert "tools" not in body
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {
            "name": "SummaryDraft",
            "schema": model_facing(SummaryDraft.model_json_schema()),
        },
    }
    assert (body["max_tokens"], body["temperature"]) == (2048, 0)
    assert result.draft == expected_draft()
    assert (result.usage.input_tokens, result.usage.output_tokens, result.usage.calls) == (
        1790,
        405,
        1,
    )


@respx.mock
async def test_ollama_compatible_server_in_json_mode_needs_no_key(
    http: httpx.AsyncClient,
) -> None:
    cfg = config("openai", model="llama3.1", base_url="http://127.0.0.1:11434/v1", mode="json")
    backend = create_backend("local", cfg, http)
    route = respx.post(OLLAMA_URL).mock(
        return_value=httpx.Response(200, json=fixture("ollama_openai_chat_completion.json")["body"])
    )

    result = await backend.extract(request())

    assert isinstance(backend, OpenAIBackend)
    sent = route.calls[0].request
    assert sent.headers["authorization"] == "Bearer not-needed"
    body = sent_json(route.calls[0])
    assert body["model"] == "llama3.1"
    assert body["response_format"] == {"type": "json_object"}
    assert "tools" not in body
    system, user = body["messages"]
    assert system["role"] == "system"
    assert system["content"].startswith(prompt().system)
    assert '"SummaryDraft"' in system["content"]  # instructor appends the JSON Schema
    assert f"<<<ARTICLE {NONCE}>>>\n{ARTICLE_TEXT}" in user["content"]
    assert result.draft == expected_draft()
    assert result.model == "llama3.1"
    assert (result.usage.input_tokens, result.usage.output_tokens, result.usage.calls) == (
        2011,
        455,
        1,
    )


@respx.mock
async def test_reask_sends_previous_answer_and_exact_errors(backend: OpenAIBackend) -> None:
    route = respx.post(OPENAI_URL).mock(return_value=ok())
    errors = ("language: String should match pattern '^[a-z]{2}$'", "events[0].id: Field required")

    await backend.extract(request(feedback=errors, previous_output='{"language": "english"}'))

    assert route.call_count == 1
    messages = sent_json(route.calls[0])["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert_article_prompt(messages)
    assert messages[2]["content"] == '{"language": "english"}'
    reask = messages[3]["content"]
    assert f"<<<ARTICLE {NONCE}>>>" in reask
    for error in errors:
        assert f"- {error}" in reask


def test_max_output_tokens_of_the_config_is_public(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    backend = create_backend("gpt", config("openai", max_output_tokens=1024), http)

    assert isinstance(backend, OpenAIBackend)
    assert (backend.name, backend.kind, backend.model) == ("gpt", "openai", "gpt-4o")
    assert backend.max_output_tokens == 1024


def test_missing_key_without_base_url_is_a_config_error(http: httpx.AsyncClient) -> None:
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        create_backend("gpt", config("openai"), http)


@respx.mock
async def test_429_with_retry_after_sleeps_that_long_then_succeeds(
    backend: OpenAIBackend, sleep: FakeSleep
) -> None:
    limited = error_response("openai_429_rate_limit.json")
    del limited.headers["retry-after-ms"]
    route = respx.post(OPENAI_URL).mock(side_effect=[limited, ok()])

    result = await backend.extract(request())

    assert route.call_count == 2
    assert sleep.delays == [19.0]
    assert result.usage.calls == 2
    assert result.draft == expected_draft()


@respx.mock
async def test_429_prefers_retry_after_ms(backend: OpenAIBackend, sleep: FakeSleep) -> None:
    route = respx.post(OPENAI_URL).mock(
        side_effect=[error_response("openai_429_rate_limit.json"), ok()]
    )

    result = await backend.extract(request())

    assert route.call_count == 2
    assert sleep.delays == [pytest.approx(18.642)]
    assert result.usage.calls == 2


@respx.mock
async def test_429_with_long_retry_after_fails_fast(
    backend: OpenAIBackend, sleep: FakeSleep
) -> None:
    limited = error_response("openai_429_rate_limit.json", **{"retry-after": "300"})
    del limited.headers["retry-after-ms"]
    route = respx.post(OPENAI_URL).mock(side_effect=[limited, ok()])

    with pytest.raises(BackendUnavailable) as caught:
        await backend.extract(request())

    assert route.call_count == 1
    assert sleep.delays == []
    assert caught.value.retry_after == 300
    assert caught.value.status == 429
    assert caught.value.backend == "gpt"


@respx.mock
async def test_500_every_time_exhausts_the_policy(backend: OpenAIBackend, sleep: FakeSleep) -> None:
    route = respx.post(OPENAI_URL).mock(return_value=error_response("openai_500_server_error.json"))

    with pytest.raises(BackendError) as caught:
        await backend.extract(request())

    assert route.call_count == 3  # policy.max_attempts
    assert caught.value.status == 500
    assert caught.value.attempts == 3
    assert caught.value.retryable is True
    assert len(sleep.delays) == 2
    assert 0 <= sleep.delays[0] <= 0.5 and 0 <= sleep.delays[1] <= 1.0  # full jitter, capped


@respx.mock
async def test_read_timeout_is_retried(backend: OpenAIBackend, sleep: FakeSleep) -> None:
    route = respx.post(OPENAI_URL).mock(side_effect=[httpx.ReadTimeout("timed out"), ok()])

    result = await backend.extract(request())

    assert route.call_count == 2
    assert len(sleep.delays) == 1
    assert result.usage.calls == 2


@respx.mock
async def test_retry_never_sleeps_past_the_deadline(
    backend: OpenAIBackend, sleep: FakeSleep
) -> None:
    limited = error_response("openai_429_rate_limit.json")  # asks for 18.6 s
    route = respx.post(OPENAI_URL).mock(side_effect=[limited, ok()])

    with pytest.raises(DeadlineExceeded, match="deadline exceeded") as caught:
        await backend.extract(request(deadline=time.monotonic() + 5.0))

    assert route.call_count == 1
    assert sleep.delays == []
    assert "gpt: deadline exceeded after 1 attempt(s)" in str(caught.value)
    assert not isinstance(caught.value, BackendError)


@respx.mock
async def test_429_insufficient_quota_is_one_call_and_not_retryable(
    backend: OpenAIBackend, sleep: FakeSleep
) -> None:
    quota = {
        "error": {
            "message": "You exceeded your current quota, please check your plan and billing "
            "details.",
            "type": "insufficient_quota",
            "param": None,
            "code": "insufficient_quota",
        }
    }
    route = respx.post(OPENAI_URL).mock(
        side_effect=[httpx.Response(429, headers={"retry-after": "1"}, json=quota), ok()]
    )

    with pytest.raises(BackendError) as caught:
        await backend.extract(request())

    assert route.call_count == 1
    assert sleep.delays == []
    error = caught.value
    assert not isinstance(error, BackendUnavailable)
    assert (error.status, error.retryable, error.attempts) == (429, False, 1)
    assert "quota exhausted" in str(error)


@respx.mock
async def test_501_is_not_retried(backend: OpenAIBackend, sleep: FakeSleep) -> None:
    body = {"error": {"message": "tool calls are not implemented", "type": "server_error"}}
    route = respx.post(OPENAI_URL).mock(side_effect=[httpx.Response(501, json=body), ok()])

    with pytest.raises(BackendError) as caught:
        await backend.extract(request())

    assert route.call_count == 1
    assert sleep.delays == []
    assert (caught.value.status, caught.value.retryable) == (501, False)
    assert "not implemented" in str(caught.value)


@respx.mock
async def test_401_fails_at_once_without_the_key(
    backend: OpenAIBackend, sleep: FakeSleep, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    unauthorized = error_response("openai_401_invalid_api_key.json")
    route = respx.post(OPENAI_URL).mock(return_value=unauthorized)

    with pytest.raises(BackendError) as caught:
        await backend.extract(request())

    assert route.call_count == 1
    assert sleep.delays == []
    error = caught.value
    assert (error.status, error.retryable, error.attempts) == (401, False, 1)
    assert "authentication failed: check the API key in $OPENAI_API_KEY" in str(error)
    assert SECRET not in str(error) and SECRET not in repr(error.args)
    assert SECRET not in caplog.text
    assert "Five assailants" not in caplog.text  # the article never reaches the logs


@respx.mock
async def test_invalid_json_is_invalid_output_with_the_raw_text(backend: OpenAIBackend) -> None:
    body = fixture("openai_chat_completion_tool_calls.json")
    body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = '{"headline": "A'
    route = respx.post(OPENAI_URL).mock(return_value=httpx.Response(200, json=body))

    with pytest.raises(InvalidOutput) as caught:
        await backend.extract(request())

    assert route.call_count == 1
    error = caught.value
    assert error.raw == '{"headline": "A'
    assert len(error.errors) == 1 and error.errors[0].startswith("Invalid JSON: EOF")
    assert (error.usage.input_tokens, error.usage.output_tokens, error.usage.calls) == (
        1843,
        412,
        1,
    )
    assert error.model == "gpt-4o-2024-08-06"


@respx.mock
async def test_schema_invalid_output_names_the_field_paths(backend: OpenAIBackend) -> None:
    draft = fixture("summary_draft.json")
    draft["language"] = "english"
    draft["events"][0]["when"]["date"] = "8 January 2025"
    second = json.loads(json.dumps(draft["events"][0]))
    second.update(id="e2", sub_event_type="Air/drone strike")
    second["when"]["date"] = "2025-01-08"
    draft["events"].append(second)
    raw = json.dumps(draft)
    body = fixture("openai_chat_completion_tool_calls.json")
    body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = raw
    route = respx.post(OPENAI_URL).mock(return_value=httpx.Response(200, json=body))

    with pytest.raises(InvalidOutput) as caught:
        await backend.extract(request())

    assert route.call_count == 1
    errors = caught.value.errors
    assert "language: String should match pattern '^[a-z]{2}$'" in errors
    date_pattern = "'^\\d{4}(-\\d{2}(-\\d{2})?)?$'"
    assert f"events[0].when.date: String should match pattern {date_pattern}" in errors
    assert any(
        e.startswith("events[1]: Value error, sub_event_type 'Air/drone strike' does not belong")
        for e in errors
    )
    assert caught.value.raw == raw


@respx.mock
async def test_refusal_is_invalid_output_saying_the_model_refused(backend: OpenAIBackend) -> None:
    route = respx.post(OPENAI_URL).mock(return_value=ok("openai_chat_completion_refusal.json"))

    with pytest.raises(InvalidOutput) as caught:
        await backend.extract(request())

    assert route.call_count == 1
    assert caught.value.errors == [
        "the model refused to answer: I'm very sorry, but I can't assist with that."
    ]
    assert caught.value.raw is None
    assert caught.value.usage.output_tokens == 12


@respx.mock
async def test_finish_reason_length_is_invalid_output_saying_truncated(
    backend: OpenAIBackend,
) -> None:
    route = respx.post(OPENAI_URL).mock(return_value=ok("openai_chat_completion_length.json"))

    with pytest.raises(InvalidOutput) as caught:
        await backend.extract(request())

    assert route.call_count == 1
    (message,) = caught.value.errors
    assert "truncated at max_tokens=2048" in message
    assert caught.value.raw is not None and caught.value.raw.startswith('{"headline"')
    assert caught.value.usage.output_tokens == 64


@respx.mock
async def test_failed_calls_never_log_the_key_or_the_article(
    backend: OpenAIBackend, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = fixture("openai_chat_completion_tool_calls.json")
    body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = json.dumps(
        {"headline": "Five assailants were neutralised", "summary": "x", "language": "english"}
    )
    respx.post(OPENAI_URL).mock(
        side_effect=[error_response("openai_500_server_error.json"), httpx.Response(200, json=body)]
    )

    with pytest.raises(InvalidOutput):
        await backend.extract(request())

    assert "retrying" in caplog.text  # our own records are there
    assert SECRET not in caplog.text
    assert "Five assailants" not in caplog.text
    assert "Sévaré" not in caplog.text
