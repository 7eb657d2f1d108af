"""HTTP mode as Slack sees it: signed requests to /slack/events on the service's FastAPI app."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import httpx
import pytest

from service.config import Settings
from service.errors import BackendError, ConfigError
from service.logs import JsonFormatter
from service.main import create_app
from tests.slack.fakeslack import BOT_USER_ID, FakeSlack
from tests.slack.harness import JSON, REF, post, slack_service, valid_blocks
from tests.slack.payloads import (
    BOT_TOKEN,
    CHANNEL,
    FORM,
    SIGNING_SECRET,
    button_body,
    command_body,
    event_body,
    mention,
    shortcut_body,
    signed_headers,
)
from tests.support.fakes import ARTICLE, ScriptedBackend, draft


def tampered(body: str) -> str:
    index = body.index("text=") + 5
    return body[:index] + ("X" if body[index] != "X" else "Y") + body[index + 1 :]


SIGNATURE_CASES: dict[str, dict[str, Any]] = {
    "valid": {},
    "wrong secret": {"secret": "another-apps-signing-secret-value"},
    "timestamp 6 min old": {"timestamp": -360},
    "timestamp 6 min ahead": {"timestamp": 360},
    "one byte tampered": {"tamper": True},
    "no signature": {"drop": "x-slack-signature"},
    "no timestamp": {"drop": "x-slack-request-timestamp"},
    "no headers": {"drop": "both"},
    "garbage timestamp": {"timestamp_text": "yesterday"},
}


@pytest.mark.parametrize("case", list(SIGNATURE_CASES))
async def test_only_correctly_signed_requests_are_accepted(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack, case: str
) -> None:
    spec = SIGNATURE_CASES[case]
    backend = ScriptedBackend([draft()])
    body = command_body(ARTICLE, fake_slack.response_url("sig"))
    stamp = int(time.time()) + spec.get("timestamp", 0)
    headers = signed_headers(
        body, secret=spec.get("secret", SIGNING_SECRET), timestamp=stamp, content_type=FORM
    )
    if "timestamp_text" in spec:
        headers["x-slack-request-timestamp"] = spec["timestamp_text"]
    for name in ("x-slack-signature", "x-slack-request-timestamp"):
        if spec.get("drop") in (name, "both"):
            del headers[name]
    sent = tampered(body) if spec.get("tamper") else body
    async with slack_service(monkeypatch, fake_slack, backend) as client:
        response = await client.post("/slack/events", content=sent, headers=headers)
        if case == "valid":
            await fake_slack.wait_for(lambda: len(fake_slack.responses) == 1)
    if case == "valid":
        assert response.status_code == 200
        assert len(backend.requests) == 1
        return
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"
    assert backend.requests == [] and fake_slack.calls == [] and fake_slack.responses == []


async def test_ack_comes_within_3_s_while_the_backend_takes_20_s(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack
) -> None:
    backend = ScriptedBackend([20.0])
    started = time.perf_counter()
    async with slack_service(
        monkeypatch, fake_slack, backend, SLACK_DRAIN_TIMEOUT_S="0.5"
    ) as client:
        sent = time.perf_counter()
        response = await post(client, command_body(ARTICLE, fake_slack.response_url("slow")))
        acked_in = time.perf_counter() - sent
        assert response.status_code == 200
        assert response.text.startswith("Summarising")
        await fake_slack.wait_for(lambda: len(backend.requests) == 1)
    # Shutdown drained: the 20 s job was cancelled after 0.5 s and the user was told.
    assert acked_in < 3.0
    assert time.perf_counter() - started < 15.0
    [(_, answer)] = fake_slack.responses
    assert answer["response_type"] == "ephemeral"
    assert "I restarted before finishing" in answer["text"] and REF.search(answer["text"])


@pytest.mark.parametrize("visibility", ["in_channel", "ephemeral"])
async def test_command_with_text_posts_the_card_through_response_url(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack, visibility: str
) -> None:
    async with slack_service(
        monkeypatch, fake_slack, ScriptedBackend([draft()]), SLACK_COMMAND_RESPONSE=visibility
    ) as client:
        response = await post(client, command_body(ARTICLE, fake_slack.response_url("cmd")))
        assert response.status_code == 200
        await fake_slack.wait_for(lambda: len(fake_slack.responses) == 1)
    [(key, answer)] = fake_slack.responses
    assert key == "cmd" and answer["response_type"] == visibility
    blocks = valid_blocks(answer["blocks"])
    assert blocks[0]["text"]["text"] == "Ministry says police arrested 12 protesters in Lyon"
    assert answer["text"] == "Summary: Ministry says police arrested 12 protesters in Lyon"


async def test_empty_command_answers_with_usage_and_does_no_work(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack
) -> None:
    backend = ScriptedBackend([draft()])
    async with slack_service(monkeypatch, fake_slack, backend) as client:
        response = await post(client, command_body("  ", fake_slack.response_url("empty")))
    assert response.status_code == 200
    assert "/summarize https://" in response.text
    assert "<" not in response.text  # '&lt;article text&gt;': not Slack markup
    assert backend.requests == [] and fake_slack.responses == []


async def test_a_bare_mention_gets_the_usage_privately_in_the_thread(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack
) -> None:
    backend = ScriptedBackend([draft()])
    event = mention(f"<@{BOT_USER_ID}>", ts="1736400000.000700")
    async with slack_service(monkeypatch, fake_slack, backend) as client:
        await post(client, event_body(event, "Ev0BARE001"), JSON)
        await fake_slack.wait_for(lambda: bool(fake_slack.calls_to("chat.postEphemeral")))
    [call] = fake_slack.calls_to("chat.postEphemeral")
    assert call.params["user"] == "U0REPORTER" and call.params["thread_ts"] == "1736400000.000700"
    assert "Summarize this message" in call.params["text"]
    assert backend.requests == [] and fake_slack.calls_to("chat.postMessage") == []


async def test_one_retry_storm_gives_one_summary(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack
) -> None:
    backend = ScriptedBackend([draft()])
    body = event_body(mention(f"<@{BOT_USER_ID}> {ARTICLE}"), "Ev0STORM01")
    async with slack_service(monkeypatch, fake_slack, backend) as client:
        statuses = [(await post(client, body, JSON)).status_code]
        for retry in (1, 2, 3):
            response = await post(
                client,
                body,
                JSON,
                **{"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"},
            )
            statuses.append(response.status_code)
        await fake_slack.wait_for(lambda: len(fake_slack.calls_to("chat.postMessage")) == 1)
    assert statuses == [200, 200, 200, 200]
    assert len(backend.requests) == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


async def test_mention_answers_in_the_thread(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack
) -> None:
    event = mention(f"<@{BOT_USER_ID}> {ARTICLE}", ts="1736400000.000900", thread_ts="1736399999.1")
    async with slack_service(monkeypatch, fake_slack, ScriptedBackend([draft()])) as client:
        await post(client, event_body(event, "Ev0THREAD1"), JSON)
        await fake_slack.wait_for(lambda: bool(fake_slack.calls_to("chat.postMessage")))
    [call] = fake_slack.calls_to("chat.postMessage")
    assert call.params["channel"] == CHANNEL and call.params["thread_ts"] == "1736399999.1"
    assert call.params["unfurl_links"] is False
    assert call.authorization == f"Bearer {BOT_TOKEN}"
    valid_blocks(call.params["blocks"])


async def test_shortcut_summarises_the_message_in_its_thread(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack
) -> None:
    backend = ScriptedBackend([draft()])
    async with slack_service(monkeypatch, fake_slack, backend) as client:
        response = await post(client, shortcut_body(ARTICLE, fake_slack.response_url("sc")))
        assert response.status_code == 200
        await fake_slack.wait_for(lambda: bool(fake_slack.calls_to("chat.postMessage")))
    [call] = fake_slack.calls_to("chat.postMessage")
    assert call.params["thread_ts"] == "1736400000.000100"
    assert backend.requests[0].article.text == ARTICLE


async def test_shortcut_where_the_bot_is_absent_answers_the_user_alone(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack
) -> None:
    fake_slack.failures["chat.postMessage"] = "not_in_channel"
    async with slack_service(monkeypatch, fake_slack, ScriptedBackend([draft()])) as client:
        await post(client, shortcut_body(ARTICLE, fake_slack.response_url("sc2")))
        await fake_slack.wait_for(lambda: len(fake_slack.responses) == 1)
    [(_, answer)] = fake_slack.responses
    assert answer["response_type"] == "ephemeral"
    assert "invite me" in json.dumps(answer["blocks"][-1])
    valid_blocks(answer["blocks"])


async def test_the_button_opens_the_full_json(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack
) -> None:
    async with slack_service(monkeypatch, fake_slack, ScriptedBackend([draft()])) as client:
        await post(client, command_body(ARTICLE, fake_slack.response_url("j")))
        await fake_slack.wait_for(lambda: len(fake_slack.responses) == 1)
        button = fake_slack.responses[0][1]["blocks"][-1]["elements"][0]
        response = await post(client, button_body(button["value"], fake_slack.response_url("b")))
        assert response.status_code == 200
        await fake_slack.wait_for(lambda: bool(fake_slack.calls_to("views.open")))
    [call] = fake_slack.calls_to("views.open")
    view = call.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    text = "".join(b["text"]["text"].strip("`") for b in view["blocks"])
    restored = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert json.loads(restored)["headline"] == draft().headline
    assert call.params["trigger_id"] == "13345224609.738474920.8088930838d88f008e1"


@pytest.mark.parametrize(
    ("text", "outcome", "reason"),
    [
        ("12345 67 -- 89", None, "does not look like an article"),
        ("http://169.254.169.254/latest/meta-data/", None, "private or internal address"),
        ("ftp://files.example/story.txt", None, "public http:// and https:// pages"),
        (ARTICLE, BackendError("HTTP 500", backend="scripted", status=500), "model failed"),
    ],
)
async def test_failures_get_a_short_polite_message_with_a_reference(
    monkeypatch: pytest.MonkeyPatch,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    text: str,
    outcome: BackendError | None,
    reason: str,
) -> None:
    caplog.set_level(logging.INFO)
    backend = ScriptedBackend([outcome or draft()])
    async with slack_service(monkeypatch, fake_slack, backend) as client:
        await post(client, command_body(text, fake_slack.response_url("err")))
        await fake_slack.wait_for(lambda: len(fake_slack.responses) == 1)
    [(_, answer)] = fake_slack.responses
    assert answer["response_type"] == "ephemeral" and "blocks" not in answer
    message = answer["text"]
    assert message.startswith("Sorry, I couldn't summarise that: ") and reason in message
    assert len(message) < 200 and "Traceback" not in message
    match = REF.search(message)
    assert match is not None
    failures = [r for r in caplog.records if r.getMessage() == "slack request failed"]
    assert [getattr(r, "ref", None) for r in failures] == [match.group(1)]
    assert getattr(failures[0], "error_code", "")


async def test_logs_hold_no_token_signature_response_url_or_article(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_article = ARTICLE.replace("Lyon", "Zyxwvut-town")
    response_url = fake_slack.response_url("hooks-T0NEWS-B0-secretpath")
    signatures = []
    async with slack_service(monkeypatch, fake_slack, ScriptedBackend([draft()])) as client:
        for body, kind in (
            (command_body(secret_article, response_url), FORM),
            (shortcut_body(secret_article, response_url), FORM),
            (event_body(mention(f"<@{BOT_USER_ID}> {secret_article}"), "Ev0LOGS001"), JSON),
        ):
            headers = signed_headers(body, content_type=kind)
            signatures.append(headers["x-slack-signature"])
            await client.post("/slack/events", content=body, headers=headers)
        bad = signed_headers("x", secret="wrong-secret-value", content_type=FORM)
        signatures.append(bad["x-slack-signature"])
        await client.post("/slack/events", content=secret_article, headers=bad)
        await fake_slack.wait_for(lambda: len(fake_slack.responses) >= 1)
        await fake_slack.wait_for(lambda: len(fake_slack.calls_to("chat.postMessage")) == 2)
    formatter = JsonFormatter()
    logged = "\n".join(formatter.format(record) for record in caplog.records)
    assert "slack summary sent" in logged and "slack request refused" in logged
    for leak in (BOT_TOKEN, SIGNING_SECRET, response_url, "secretpath", "Zyxwvut", *signatures):
        assert leak not in logged, leak


async def test_url_verification_challenge_is_answered(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack
) -> None:
    body = json.dumps(
        {
            "token": "x",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }  # fmt: skip
    )
    async with slack_service(monkeypatch, fake_slack, ScriptedBackend([draft()])) as client:
        response = await post(client, body, JSON)
    assert response.status_code == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in response.text


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "slack bot: off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to serve it"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN}, "slack bot: off (set SLACK_SIGNING_SECRET to serve it"),
        (
            {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET},
            "slack bot: on (HTTP mode at /slack/events)",
        ),
    ],
)
async def test_start_up_log_says_whether_the_bot_is_on(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    env: dict[str, str],
    expected: str,
) -> None:
    caplog.set_level(logging.INFO)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app = create_app(Settings())
    messages = [r.getMessage() for r in caplog.records if r.getMessage().startswith("slack bot")]
    assert len(messages) == 1 and messages[0].startswith(expected)
    assert BOT_TOKEN not in caplog.text and SIGNING_SECRET not in caplog.text
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        response = await client.post("/slack/events", content=b"{}")
    assert response.status_code == (401 if "on (" in expected else 404)


def test_an_invalid_setting_stops_start_up_without_echoing_the_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-user-token-not-a-bot-token")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    with pytest.raises(ConfigError) as caught:
        create_app(Settings())
    assert "SLACK_BOT_TOKEN" in str(caught.value) and "xoxb-" in str(caught.value)
    assert "xoxp-user-token" not in str(caught.value)
