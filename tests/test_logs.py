"""Logs carry ids, hashes and counts: never the article, the prompt or a key."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
import respx

from service.logs import JsonFormatter
from tests.backends import asgi_client, fixture, llm_settings

SENTINEL_TEXT = "Zanzibar-sentinel-7781 said the convoy was ambushed near the river."
SENTINEL_KEY = "sk-sentinel-key-4242"


def test_json_formatter_writes_one_object_with_the_extra_fields() -> None:
    record = logging.makeLogRecord({"msg": "summary made", "levelname": "INFO", "name": "x",
                                    "backend": "offline", "attempts": 1})  # fmt: skip
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "summary made"
    assert line["backend"] == "offline" and line["attempts"] == 1


@respx.mock
async def test_no_article_text_prompt_or_key_in_the_logs_of_any_path(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL_KEY)
    settings = llm_settings(chain=["gpt", "offline"], http_attempts=2, max_attempts=2)
    bad = fixture("openai_chat_completion_tool_calls.json")
    bad["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = '{"headline": 1}'
    respx.post("https://api.openai.com/v1/chat/completions").mock(
        side_effect=[
            httpx.Response(500, json={"error": {"message": "boom", "type": "server_error"}}),
            httpx.Response(200, json=bad),
            httpx.Response(200, json=bad),
            httpx.Response(401, json=fixture("openai_401_invalid_api_key.json")["body"]),
        ]
    )
    caplog.set_level(logging.DEBUG)
    async with asgi_client(settings) as c:
        for backend in ("gpt", "gpt", None):
            body = {"text": SENTINEL_TEXT, "published_at": "2025-01-09"}
            if backend:
                body["backend"] = backend
            await c.post("/v1/summaries", json=body)
        await c.post("/v1/summaries", json={"text": SENTINEL_TEXT, "colour": "red"})
    logged = "\n".join(
        f"{r.getMessage()} {json.dumps(vars(r), default=str)}" for r in caplog.records
    )
    assert caplog.records, "the paths above do log"
    assert "Zanzibar-sentinel-7781" not in logged
    assert "ambushed near the river" not in logged
    assert SENTINEL_KEY not in logged
    assert "<<<ARTICLE" not in logged
