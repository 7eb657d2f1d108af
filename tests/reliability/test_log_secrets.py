"""Sentinel secrets and a sentinel article pushed through every path; the logs, at DEBUG,
must not contain any of them.

Paths: success, re-ask, every error status of the API (401, 413, 422, 429, 502, 503,
504, 404), a provider that echoes the article and the key in its error bodies, the Slack
bot in HTTP mode (a signed command and a forged one) and the batch command. Secrets: a
client API key, a wrong key, the provider key, Slack's signing secret, bot token,
signatures and `response_url`, and the prompt's own wording.
"""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from typer.testing import CliRunner

from service.cli import app as cli
from service.config import BreakerPolicy, RetryPolicy, Settings
from service.main import create_app
from tests.reliability.logcapture import json_logs
from tests.reliability.report import record
from tests.slack.fakeslack import FakeSlack
from tests.slack.payloads import FORM, command_body, signed_headers
from tests.support.fake_llm import (
    CHAT,
    FakeLLM,
    delay,
    invalid_json,
    ok,
    schema_invalid,
    status,
)
from tests.support.fakes import ARTICLE

SENTINEL = "Zanzibar-sentinel-article-5531"
TEXT = f"{ARTICLE} {SENTINEL} was seen near the harbour."
CLIENT_KEY = "sk-client-sentinel-7a9f2c4e1b"
WRONG_KEY = "sk-wrong-sentinel-3e8d0b6f5a"
PROVIDER_KEY = "sk-provider-sentinel-9c1d7e2a4f"
PROVIDER_KEY_ENV = "SENTINEL_PROVIDER_KEY"
SIGNING_SECRET = "slack-signing-sentinel-0f9e8d7c6b5a"
BOT_TOKEN = "xoxb-1111-2222-slacksentinelbottoken"
RESPONSE_KEY = "hook-sentinel-4d2c9b"
PROMPT_WORDING = ("You are a careful news desk editor", "<<<ARTICLE", "previous answer failed")
KEYS = {"desk": CLIENT_KEY, "data": CLIENT_KEY[::-1], "ops": CLIENT_KEY.upper()}


def echo(code: int, **headers: str) -> Any:
    """A provider error whose body quotes the article and the key it was sent."""
    message = f"Could not process {TEXT!r} with key {PROVIDER_KEY}"
    error = {"message": message, "type": "server_error", "param": None, "code": None}
    return status(code, headers=headers, body={"error": error})


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """The service's own logging at DEBUG, into a buffer; restored afterwards."""
    monkeypatch.setenv(PROVIDER_KEY_ENV, PROVIDER_KEY)
    with json_logs("DEBUG") as stream:
        yield stream


def settings_for(fake: FakeLLM, **overrides: Any) -> Settings:
    retry = RetryPolicy(max_attempts=2, base_delay_s=0.0, max_delay_s=0.0)
    # The paths of one app share a backend: its circuit must not open between them (each
    # path needs its scripted replies consumed in order).
    breaker = BreakerPolicy(failure_threshold=1000)
    gpt = fake.backend_config("openai", api_key_env=PROVIDER_KEY_ENV, retry=retry, breaker=breaker)
    values: dict[str, Any] = {"backends": {"gpt": gpt}, "chain": ["gpt"], "max_attempts": 2}
    return Settings(**{**values, **overrides})


@asynccontextmanager
async def client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with LifespanManager(app, shutdown_timeout=30):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


async def api_paths(fake: FakeLLM, statuses: dict[str, int]) -> None:
    """Every answer of the API, with the sentinel article and keys."""
    desk = {"Authorization": f"Bearer {CLIENT_KEY}"}
    article = {"text": TEXT, "published_at": "2025-03-04"}
    settings = settings_for(
        fake, api_keys=KEYS, rate_limit_per_minute=0, max_body_bytes=4096, max_article_chars=1000
    )
    async with client_for(settings) as client:

        async def post(name: str, body: Any = article, **headers: str) -> None:
            sent = {**desk, **headers}
            if isinstance(body, bytes):
                response = await client.post("/v1/summaries", content=body, headers=sent)
            else:
                response = await client.post("/v1/summaries", json=body, headers=sent)
            statuses[name] = response.status_code

        fake.script(CHAT, ok())
        await post("success")
        fake.script(CHAT, invalid_json(f'{{"headline": "{SENTINEL}'), ok())
        await post("reask")
        await post("missing_key", Authorization="")
        await post("wrong_key", Authorization=f"Bearer {WRONG_KEY}")
        await post("invalid_request", {**article, "colour": SENTINEL})
        await post("not_json", f"{TEXT} {{".encode(), **{"content-type": "application/json"})
        await post("body_too_large", {**article, "text": TEXT * 40})
        await post("article_too_large", {**article, "text": (TEXT + " ") * 8})
        await post("unknown_backend", {**article, "backend": SENTINEL})
        fake.script(CHAT, echo(500), echo(500))
        await post("backend_500_echo")
        fake.script(CHAT, echo(400))
        await post("backend_400_echo")
        bad = {"headline": SENTINEL, "language": "english", "summary": TEXT}
        fake.script(CHAT, schema_invalid(bad), schema_invalid(bad))
        await post("extraction_failed")
        response = await client.get(f"/v1/schemas/{SENTINEL}", headers=desk)
        statuses["schema_not_found"] = response.status_code
        # Last: a retry-after beyond the cap opens the backend's circuit for that long.
        fake.script(CHAT, echo(429, **{"retry-after": "300"}))
        await post("backend_429_long_retry_after")


async def limit_paths(fake: FakeLLM, statuses: dict[str, int]) -> None:
    """429, 503 overloaded and 504 on a small service."""
    settings = settings_for(
        fake,
        api_keys=KEYS,
        rate_limit_per_minute=1,
        max_concurrent_requests=1,
        request_deadline_s=1.0,
    )
    article = {"text": TEXT}
    async with client_for(settings) as client:

        async def post(key: str) -> int:
            headers = {"X-API-Key": key}
            return (await client.post("/v1/summaries", json=article, headers=headers)).status_code

        fake.script(CHAT, delay(0.4, then=ok()))
        calls = fake.count(CHAT)
        held = asyncio.create_task(post(KEYS["desk"]))
        while fake.count(CHAT) == calls:
            await asyncio.sleep(0.01)
        statuses["overloaded"] = await post(KEYS["data"])
        statuses["held_success"] = await held
        statuses["rate_limited"] = await post(KEYS["desk"])
        fake.script(CHAT, delay(3.0, then=ok()))
        statuses["deadline"] = await post(KEYS["ops"])


async def slack_paths(fake: FakeLLM, statuses: dict[str, int], signatures: list[str]) -> None:
    """A signed /summarize of the sentinel article, and a forged one."""
    slack = FakeSlack()
    await slack.start()
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": slack.api_url}  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        try:
            async with client_for(settings_for(fake, api_keys=KEYS)) as client:
                body = command_body(TEXT, slack.response_url(RESPONSE_KEY))
                headers = signed_headers(body, secret=SIGNING_SECRET, content_type=FORM)
                forged = signed_headers(body, secret="not-the-secret", content_type=FORM)
                signatures += [headers["x-slack-signature"], forged["x-slack-signature"]]
                fake.script(CHAT, ok())
                response = await client.post("/slack/events", content=body, headers=headers)
                statuses["slack_command"] = response.status_code
                await slack.wait_for(lambda: len(slack.responses) >= 1)
                response = await client.post("/slack/events", content=body, headers=forged)
                statuses["slack_forged"] = response.status_code
        finally:
            await slack.stop()
    assert any(RESPONSE_KEY in url for url, _ in slack.responses)


def batch_path(fake: FakeLLM, tmp_path: Path, statuses: dict[str, int]) -> str:
    """`summarizer batch` over the sentinel article and an unusable record."""
    source = tmp_path / "in.jsonl"
    rows = [{"id": "r1", "text": TEXT}, {"id": "r2", "text": TEXT, "published_at": SENTINEL}]
    source.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    gpt = settings_for(fake).backends["gpt"].model_dump(mode="json")
    env = {"SUMMARIZER_BACKENDS": json.dumps({"gpt": gpt}), "SUMMARIZER_CHAIN": '["gpt"]'}
    fake.set_default(ok())
    result = CliRunner().invoke(cli, ["batch", str(source), "-o", str(out)], env=env)
    statuses["batch"] = result.exit_code
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted((line["id"], line["status"]) for line in lines) == [("r1", "ok"), ("r2", "error")]
    return result.stderr


def test_no_secret_or_article_text_reaches_the_logs_on_any_path(
    captured: io.StringIO, tmp_path: Path
) -> None:
    statuses: dict[str, int] = {}
    signatures: list[str] = []
    started = time.perf_counter()
    with FakeLLM() as fake:

        async def http() -> None:
            await api_paths(fake, statuses)
            await limit_paths(fake, statuses)
            await slack_paths(fake, statuses, signatures)

        asyncio.run(http())
        batch_stderr = batch_path(fake, tmp_path, statuses)
    assert statuses == {
        "success": 200,
        "reask": 200,
        "missing_key": 401,
        "wrong_key": 401,
        "invalid_request": 422,
        "not_json": 422,
        "body_too_large": 413,
        "article_too_large": 413,
        "unknown_backend": 422,
        "backend_500_echo": 502,
        "backend_400_echo": 502,
        "backend_429_long_retry_after": 503,
        "extraction_failed": 502,
        "schema_not_found": 404,
        "overloaded": 503,
        "held_success": 200,
        "rate_limited": 429,
        "deadline": 504,
        "slack_command": 200,
        "slack_forged": 401,
        "batch": 3,
    }
    logged = captured.getvalue() + batch_stderr
    lines = captured.getvalue().splitlines()
    messages = {json.loads(line)["message"] for line in lines}
    assert {"summary made", "summary failed", "request done", "slack request refused"} <= messages
    secrets = [SENTINEL, "seen near the harbour", CLIENT_KEY, WRONG_KEY, PROVIDER_KEY,
               SIGNING_SECRET, BOT_TOKEN, RESPONSE_KEY, *signatures, *PROMPT_WORDING,
               *KEYS.values()]  # fmt: skip
    hits = {secret: logged.count(secret) for secret in secrets if secret in logged}
    assert hits == {}
    record(
        "log_secrets_sentinel",
        paths=len(statuses),
        statuses=sorted(set(statuses.values())),
        log_lines=len(lines),
        secrets_checked=len(secrets),
        hits=sum(hits.values()),
        seconds=round(time.perf_counter() - started, 1),
    )
