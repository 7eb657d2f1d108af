"""Socket Mode: the same bot over a WebSocket to a fake Slack, acked in time, drained on stop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl

import pytest

from service.config import Settings
from service.errors import ConfigError
from service.pipeline import Pipeline
from service.slack.settings import SlackSettings
from service.slack.socket_mode import serve_socket_mode
from service.slack.tracker import DrainReport
from tests.slack.fakeslack import BOT_USER_ID, FakeSlack
from tests.slack.payloads import APP_TOKEN, BOT_TOKEN, command_body, event_body, mention
from tests.support.fakes import ARTICLE, ScriptedBackend, draft


def pipeline_of(backend: ScriptedBackend) -> Pipeline:
    settings = Settings()
    settings.chain = [backend.name]
    return Pipeline(settings, {backend.name: backend})


def settings_for(fake: FakeSlack, **overrides: Any) -> SlackSettings:
    return SlackSettings(
        app_token=APP_TOKEN, bot_token=BOT_TOKEN, api_url=fake.api_url, **overrides
    )


@asynccontextmanager
async def socket_bot(
    fake: FakeSlack, backend: ScriptedBackend, **overrides: Any
) -> AsyncIterator[asyncio.Task[DrainReport]]:
    """The bot connected over Socket Mode; stopped (and drained) on exit."""
    stop = asyncio.Event()
    task = asyncio.create_task(
        serve_socket_mode(settings_for(fake, **overrides), pipeline_of(backend), stop)
    )
    await fake.wait_for(lambda: bool(fake.sockets) or task.done())
    yield task
    stop.set()
    await asyncio.wait_for(task, 30)


def command_envelope(envelope_id: str, response_url: str) -> dict[str, Any]:
    payload = dict(parse_qsl(command_body(ARTICLE, response_url)))
    return {
        "envelope_id": envelope_id,
        "payload": payload,
        "type": "slash_commands",
        "accepts_response_payload": True,
    }


def event_envelope(envelope_id: str, retry: int) -> dict[str, Any]:
    import json

    body = json.loads(event_body(mention(f"<@{BOT_USER_ID}> {ARTICLE}"), "Ev0SOCKET1"))
    return {
        "envelope_id": envelope_id,
        "payload": body,
        "type": "events_api",
        "accepts_response_payload": False,
        "retry_attempt": retry,
        "retry_reason": "timeout" if retry else "",
    }


async def test_a_command_over_socket_mode_is_acked_then_answered(fake_slack: FakeSlack) -> None:
    backend = ScriptedBackend([0.5])
    async with socket_bot(fake_slack, backend) as task:
        assert not task.done()
        assert fake_slack.calls_to("apps.connections.open")
        sent = time.perf_counter()
        await fake_slack.push(command_envelope("env-cmd-1", fake_slack.response_url("sock")))
        await fake_slack.wait_for(lambda: bool(fake_slack.acks), timeout=3)
        acked_in = time.perf_counter() - sent
        await fake_slack.wait_for(lambda: len(fake_slack.responses) == 1)
    [ack] = fake_slack.acks
    assert ack["envelope_id"] == "env-cmd-1" and acked_in < 3
    assert ack["payload"]["text"].startswith("Summarising")
    [(key, answer)] = fake_slack.responses
    assert key == "sock" and answer["blocks"][0]["type"] == "header"
    assert task.result() == DrainReport(finished=0, cancelled=0)


async def test_stopping_waits_for_the_work_in_flight(fake_slack: FakeSlack) -> None:
    backend = ScriptedBackend([1.0])
    async with socket_bot(fake_slack, backend) as task:
        await fake_slack.push(command_envelope("env-cmd-2", fake_slack.response_url("drain")))
        await fake_slack.wait_for(lambda: len(backend.requests) == 1)
        assert fake_slack.responses == []
    # The bot stopped only after the summary in flight was delivered.
    assert task.result() == DrainReport(finished=1, cancelled=0)
    [(_, answer)] = fake_slack.responses
    assert answer["blocks"][0]["text"]["text"] == draft().headline


async def test_redelivered_events_over_socket_mode_are_answered_once(
    fake_slack: FakeSlack,
) -> None:
    backend = ScriptedBackend([draft()])
    async with socket_bot(fake_slack, backend):
        for retry in range(4):
            await fake_slack.push(event_envelope(f"env-ev-{retry}", retry))
        await fake_slack.wait_for(lambda: len(fake_slack.acks) == 4)
        await fake_slack.wait_for(lambda: bool(fake_slack.calls_to("chat.postMessage")))
    assert {ack["envelope_id"] for ack in fake_slack.acks} == {f"env-ev-{n}" for n in range(4)}
    assert len(backend.requests) == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


@pytest.mark.parametrize(
    ("method", "variable"),
    [("auth.test", "SLACK_BOT_TOKEN"), ("apps.connections.open", "SLACK_APP_TOKEN")],
)
async def test_a_refused_token_stops_start_up_with_a_clear_error(
    fake_slack: FakeSlack, method: str, variable: str
) -> None:
    fake_slack.failures[method] = "invalid_auth"
    with pytest.raises(ConfigError) as caught:
        await serve_socket_mode(
            settings_for(fake_slack), pipeline_of(ScriptedBackend([draft()])), asyncio.Event()
        )
    assert str(caught.value) == f"Slack refused {variable} (invalid_auth)"
    assert fake_slack.sockets == []


async def test_socket_mode_needs_both_tokens() -> None:
    settings = SlackSettings(bot_token=BOT_TOKEN)
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN"):
        await serve_socket_mode(settings, pipeline_of(ScriptedBackend([draft()])), asyncio.Event())
