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


def test_log_context_fields_reach_every_record_and_end_with_the_block() -> None:
    from service.logs import bind, context_value, log_context

    def line(msg: str) -> dict[str, object]:
        record = logging.makeLogRecord({"msg": msg, "levelname": "INFO", "name": "x"})
        parsed: dict[str, object] = json.loads(JsonFormatter().format(record))
        return parsed

    with log_context(request_id="req-1"):
        bind(client="desk")
        inside = line("inside")
        assert context_value("client") == "desk"
    outside = line("outside")
    assert inside["request_id"] == "req-1" and inside["client"] == "desk"
    assert "request_id" not in outside and "client" not in outside
    assert context_value("request_id") is None


def test_configure_silences_the_debug_records_of_http_and_sdk_libraries() -> None:
    from tests.reliability.logcapture import json_logs

    with json_logs("DEBUG") as stream:
        logging.getLogger("service.x").debug("kept", extra={"n": 1})
        for name in ("httpx", "openai", "slack_sdk", "python_multipart"):
            logging.getLogger(name).info("request body: secret words")
    assert [json.loads(line)["message"] for line in stream.getvalue().splitlines()] == ["kept"]
