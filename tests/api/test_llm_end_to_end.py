"""The whole path with an LLM backend: HTTP in, respx fake of the provider, checked JSON out.

Each scenario asserts what the client sees (status, code, attempts) and how many calls
reached the provider.
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx

from tests.backends import ARTICLE_TEXT, SECRET, asgi_client, fixture, llm_settings

URL = "https://api.openai.com/v1/chat/completions"


def tool_reply(arguments: str, finish_reason: str = "tool_calls") -> httpx.Response:
    body = copy.deepcopy(fixture("openai_chat_completion_tool_calls.json"))
    body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = arguments
    body["choices"][0]["finish_reason"] = finish_reason
    return httpx.Response(200, json=body)


def valid_reply() -> httpx.Response:
    return httpx.Response(200, json=fixture("openai_chat_completion_tool_calls.json"))


@pytest.fixture
async def client(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    async with asgi_client(llm_settings(chain=["gpt"], http_attempts=3, max_attempts=3)) as c:
        yield c


async def post(client: httpx.AsyncClient, **extra: Any) -> httpx.Response:
    body = {"text": ARTICLE_TEXT, "published_at": "2025-01-09", **extra}
    return await client.post("/v1/summaries", json=body)


@respx.mock
async def test_invalid_json_once_is_reasked_with_the_error_then_served(
    client: httpx.AsyncClient,
) -> None:
    route = respx.post(URL).mock(side_effect=[tool_reply('{"headline": "cut'), valid_reply()])
    response = await post(client)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["extraction"]["attempts"] == 2 and body["extraction"]["reasks"] == 1
    assert body["extraction"]["backend"] == "gpt" and body["extraction"]["model"].startswith(
        "gpt-4o"
    )
    assert route.call_count == 2
    reask = json.loads(route.calls[1].request.content)["messages"]
    assert reask[-2]["role"] == "assistant" and "failed validation" in reask[-1]["content"]
    figures = body["events"][0]["figures"]
    assert all(f["grounded"] for f in figures)
    assert body["warnings"] == []


@respx.mock
async def test_output_cut_by_the_length_limit_is_reasked(client: httpx.AsyncClient) -> None:
    route = respx.post(URL).mock(side_effect=[tool_reply('{"headline": "Mal', "length"),
                                              valid_reply()])  # fmt: skip
    response = await post(client)
    assert response.status_code == 200
    assert route.call_count == 2
    assert "max_tokens" in json.loads(route.calls[1].request.content)["messages"][-1]["content"]


@respx.mock
async def test_schema_invalid_output_every_time_is_502_after_the_attempt_cap(
    client: httpx.AsyncClient,
) -> None:
    route = respx.post(URL).mock(return_value=tool_reply('{"headline": "x", "language": "French"}'))
    response = await post(client)
    assert response.status_code == 502
    body = response.json()
    assert body["code"] == "extraction_failed" and body["attempts"] == 3
    assert route.call_count == 3
    assert any("language" in error for error in body["errors"])
    assert body["input_tokens"] == 3 * 1843  # the usage of each failed answer is counted


@respx.mock
async def test_refusal_is_reported_not_served(client: httpx.AsyncClient) -> None:
    respx.post(URL).mock(
        return_value=httpx.Response(200, json=fixture("openai_chat_completion_refusal.json"))
    )
    response = await post(client)
    assert response.status_code == 502
    assert "refus" in " ".join(response.json()["errors"]).lower()


@respx.mock
async def test_bad_key_is_one_call_and_a_502_that_never_shows_the_key(
    client: httpx.AsyncClient,
) -> None:
    data = fixture("openai_401_invalid_api_key.json")
    route = respx.post(URL).mock(return_value=httpx.Response(401, json=data["body"]))
    response = await post(client)
    assert response.status_code == 502
    assert response.json()["upstream_status"] == 401
    assert route.call_count == 1
    assert SECRET not in response.text and "OPENAI_API_KEY" in response.json()["detail"]


@respx.mock
async def test_long_retry_after_fails_fast_with_503(client: httpx.AsyncClient) -> None:
    data = fixture("openai_429_rate_limit.json")
    headers = {**data["headers"], "retry-after": "300", "retry-after-ms": "300000"}
    route = respx.post(URL).mock(return_value=httpx.Response(429, headers=headers,
                                                             json=data["body"]))  # fmt: skip
    response = await post(client)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "300"
    assert route.call_count == 1


@respx.mock
async def test_short_retry_after_is_waited_then_served(client: httpx.AsyncClient) -> None:
    data = fixture("openai_429_rate_limit.json")
    headers = {**data["headers"], "retry-after": "1", "retry-after-ms": "20"}
    route = respx.post(URL).mock(
        side_effect=[httpx.Response(429, headers=headers, json=data["body"]), valid_reply()]
    )
    response = await post(client)
    assert response.status_code == 200
    assert route.call_count == 2
    assert response.json()["extraction"]["attempts"] == 1


@respx.mock
async def test_server_errors_exhaust_retries_then_the_chain_falls_back_to_offline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    settings = llm_settings(chain=["gpt", "offline"], http_attempts=2)
    route = respx.post(URL).mock(return_value=httpx.Response(500, json={"error": {
        "message": "The server had an error", "type": "server_error", "param": None,
        "code": None}}))  # fmt: skip
    async with asgi_client(settings) as c:
        response = await post(c)
    assert response.status_code == 200
    body = response.json()
    assert body["extraction"]["backend"] == "offline"
    assert body["extraction"]["backends_failed"] == ["gpt"]
    assert body["warnings"][0]["code"] == "backend_fallback"
    assert route.call_count == 2


@pytest.mark.parametrize("chain", [["gpt"], ["gpt", "offline"]])
@respx.mock
async def test_retry_after_beyond_the_request_deadline_is_504_without_fallback(
    monkeypatch: pytest.MonkeyPatch, chain: list[str]
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    settings = llm_settings(chain=chain, http_attempts=3, request_deadline_s=0.2)
    failing = httpx.Response(500, headers={"retry-after-ms": "400"}, json={"error": {
        "message": "The server had an error", "type": "server_error"}})  # fmt: skip
    route = respx.post(URL).mock(side_effect=[failing, valid_reply()])
    async with asgi_client(settings) as c:
        response = await post(c)
    assert response.status_code == 504, response.text
    assert response.json()["code"] == "deadline_exceeded"
    assert route.call_count == 1  # no wait past the deadline, no second call
