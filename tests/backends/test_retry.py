"""The one retry layer: what is retried, how long it waits, when it gives up."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from service.backends.retry import backoff_delay, call_with_retries, parse_retry_after
from service.config import RetryPolicy
from service.errors import BackendError, BackendUnavailable, DeadlineExceeded
from tests.backends import FakeSleep

POLICY = RetryPolicy(max_attempts=4, base_delay_s=1.0, max_delay_s=3.0, max_retry_after_s=30.0)


class StatusError(Exception):
    """Shaped like openai/anthropic APIStatusError: status_code, response, body."""

    def __init__(self, status: int, headers: dict[str, str] | None = None, body: Any = None):
        super().__init__(f"Error code: {status}")
        self.status_code = status
        self.response = httpx.Response(status, headers=headers or {})
        self.body = body


class Script:
    """An upstream call that fails with the given exceptions, then returns 'ok'."""

    def __init__(self, *failures: BaseException) -> None:
        self.failures = list(failures)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "ok"


async def run(script: Script, sleep: FakeSleep, **kwargs: Any) -> tuple[str, int]:
    kwargs.setdefault("deadline", None)
    return await call_with_retries("b", POLICY, script, sleep=sleep, rng=random.Random(1), **kwargs)


def test_retry_after_forms() -> None:
    now = datetime(2025, 1, 9, 12, 0, tzinfo=UTC)
    assert parse_retry_after({"retry-after": "7"}) == 7.0
    assert parse_retry_after({"Retry-After": "1.5"}) == 1.5
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert parse_retry_after({"retry-after-ms": "junk", "retry-after": "9"}) == 9.0
    http_date = format_datetime(now + timedelta(seconds=42), usegmt=True)
    assert parse_retry_after({"retry-after": http_date}, now=now) == 42.0
    assert parse_retry_after({"retry-after": "-3"}) == 0.0
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None


def test_backoff_is_full_jitter_under_a_capped_exponential() -> None:
    rng = random.Random(3)
    for attempt, ceiling in ((1, 1.0), (2, 2.0), (3, 3.0), (6, 3.0)):
        delays = [backoff_delay(POLICY, attempt, rng) for _ in range(200)]
        assert all(0.0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # spread over the whole range


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 529])
async def test_transient_statuses_are_retried(status: int) -> None:
    sleep = FakeSleep()
    script = Script(StatusError(status), StatusError(status))

    assert await run(script, sleep) == ("ok", 3)
    assert len(sleep.delays) == 2


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (400, "request rejected: max_tokens is too large"),
        (401, "authentication failed: check the API key in $MY_KEY"),
        (403, "permission denied"),
        (404, "not found: check the model name and base_url"),
        (422, "request rejected: max_tokens is too large"),
    ],
)
async def test_client_errors_are_never_retried(status: int, message: str) -> None:
    sleep = FakeSleep()
    body = {"error": {"message": "max_tokens is too large", "type": "invalid_request_error"}}
    script = Script(StatusError(status, body=body))

    with pytest.raises(BackendError) as caught:
        await run(script, sleep, key_env="MY_KEY")

    assert script.calls == 1 and sleep.delays == []
    assert caught.value.status == status
    assert caught.value.retryable is False
    assert str(caught.value).startswith(f"b: {message}")


@pytest.mark.parametrize(
    "body",
    [
        {"message": "You exceeded your current quota.", "code": "insufficient_quota"},
        {"error": {"message": "You exceeded your current quota.", "code": "insufficient_quota"}},
        {"error": {"message": "You exceeded your current quota.", "type": "insufficient_quota"}},
    ],
)
async def test_429_insufficient_quota_is_not_retried(body: dict[str, Any]) -> None:
    sleep = FakeSleep()
    script = Script(StatusError(429, {"retry-after": "1"}, body=body))

    with pytest.raises(BackendError) as caught:
        await run(script, sleep)

    assert script.calls == 1 and sleep.delays == []
    error = caught.value
    assert not isinstance(error, BackendUnavailable)
    assert (error.status, error.retryable, error.attempts) == (429, False, 1)
    assert str(error).startswith("b: quota exhausted")


async def test_429_with_another_code_is_still_retried() -> None:
    sleep = FakeSleep()
    body = {"error": {"message": "Rate limit reached", "code": "rate_limit_exceeded"}}
    script = Script(StatusError(429, body=body))

    assert await run(script, sleep) == ("ok", 2)
    assert len(sleep.delays) == 1


async def test_501_is_not_retried() -> None:
    sleep = FakeSleep()
    script = Script(StatusError(501, body={"error": {"message": "tools are not supported"}}))

    with pytest.raises(BackendError) as caught:
        await run(script, sleep)

    assert script.calls == 1 and sleep.delays == []
    assert (caught.value.status, caught.value.retryable) == (501, False)
    assert "not implemented by the server" in str(caught.value)
    assert "tools are not supported" in str(caught.value)


async def test_connection_errors_and_sdk_transient_types_are_retried() -> None:
    class SDKConnectionError(Exception):
        pass

    sleep = FakeSleep()
    script = Script(httpx.ConnectError("refused"), SDKConnectionError("boom"))

    assert await run(script, sleep, transient=(SDKConnectionError,)) == ("ok", 3)


async def test_other_exceptions_pass_through_untouched() -> None:
    sleep = FakeSleep()
    script = Script(ValueError("not an HTTP failure"))

    with pytest.raises(ValueError, match="not an HTTP failure"):
        await run(script, sleep)
    assert script.calls == 1


async def test_exhaustion_reports_last_status_and_attempts() -> None:
    sleep = FakeSleep()
    failures = [StatusError(503, {"retry-after": "2"}) for _ in range(POLICY.max_attempts)]
    script = Script(*failures)

    with pytest.raises(BackendError) as caught:
        await run(script, sleep)

    error = caught.value
    assert not isinstance(error, BackendUnavailable)
    assert script.calls == POLICY.max_attempts == error.attempts
    assert (error.status, error.retry_after, error.retryable) == (503, 2.0, True)
    assert sleep.delays == [2.0, 2.0, 2.0]


async def test_retry_after_beyond_the_cap_fails_fast() -> None:
    sleep = FakeSleep()
    script = Script(StatusError(429, {"retry-after": "31"}))

    with pytest.raises(BackendUnavailable) as caught:
        await run(script, sleep)

    assert script.calls == 1 and sleep.delays == []
    assert (caught.value.retry_after, caught.value.status) == (31.0, 429)


async def test_no_sleep_past_the_deadline() -> None:
    sleep = FakeSleep()
    now = [100.0]
    script = Script(StatusError(429, {"retry-after": "5"}))

    with pytest.raises(DeadlineExceeded, match="deadline exceeded") as caught:
        await run(script, sleep, deadline=104.0, clock=lambda: now[0])

    assert script.calls == 1 and sleep.delays == []
    assert not isinstance(caught.value, BackendError)  # the pipeline must not fall back
    assert str(caught.value) == (
        "b: deadline exceeded after 1 attempt(s) (last: rate limited, HTTP 429)"
    )
    assert isinstance(caught.value.__cause__, StatusError)


async def test_expired_deadline_makes_no_call() -> None:
    script = Script()

    with pytest.raises(DeadlineExceeded, match="deadline exceeded") as caught:
        await run(script, FakeSleep(), deadline=1.0, clock=lambda: 2.0)

    assert script.calls == 0
    assert str(caught.value) == "b: deadline exceeded after 0 attempt(s)"


async def test_an_attempt_is_cut_at_the_deadline() -> None:
    loop = asyncio.get_running_loop()

    async def hangs() -> str:
        await asyncio.sleep(30)
        return "late"

    started = loop.time()
    with pytest.raises(DeadlineExceeded, match="deadline exceeded") as caught:
        await call_with_retries(
            "b", POLICY, hangs, deadline=loop.time() + 0.05, clock=loop.time, sleep=FakeSleep()
        )
    assert loop.time() - started < 5
    assert str(caught.value) == "b: deadline exceeded after 1 attempt(s) (last: timed out)"
