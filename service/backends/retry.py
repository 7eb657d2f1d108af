"""Our one retry layer for upstream HTTP calls (SDK clients are built with max_retries=0).

Retried: connection errors and timeouts, HTTP 408, 409, 429 and 5xx (Anthropic's 529
included), with capped exponential backoff and full jitter. A `retry-after-ms` or
`retry-after` header (seconds or an HTTP date) is honoured up to
`RetryPolicy.max_retry_after_s`; a longer one fails fast with `BackendUnavailable`.
Never retried, because a repeat cannot succeed: every other 4xx (400, 401, 403, 404,
422 ...), 501 (not implemented), and a 429 whose error code is "insufficient_quota"
(OpenAI's answer to an account without credit: a billing matter, not a rate limit).

No sleep ever runs past the request's deadline, and no attempt outlives it: once the
deadline is reached (before a call, instead of a backoff, or during an attempt) we raise
`DeadlineExceeded`, which is not a `BackendError`: the request's time is over, so the
pipeline stops rather than trying the next backend. Anything that is not an HTTP failure
(e.g. `InvalidOutput`) passes through untouched: validation re-asks belong to the pipeline.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx

from service.config import RetryPolicy
from service.errors import BackendError, BackendUnavailable, DeadlineExceeded

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({408, 409, 429})
NEVER_RETRIED_STATUS = frozenset({501})
"""Server errors that a repeat cannot fix: the server does not implement the request."""
QUOTA_CODES = frozenset({"insufficient_quota"})
"""Provider error codes of a 429 that is a billing matter, not a rate limit."""
DEADLINE_EXCEEDED = "deadline exceeded"


class _Failure:
    """A retryable failure of one attempt: its status (None for transport) and hint."""

    def __init__(self, exc: BaseException, status: int | None, retry_after: float | None) -> None:
        self.exc = exc
        self.status = status
        self.retry_after = retry_after

    def describe(self) -> str:
        if self.status is not None:
            return "rate limited" if self.status == 429 else "upstream error"
        if isinstance(self.exc, httpx.TimeoutException | TimeoutError):
            return "timed out"
        if "timeout" in type(self.exc).__name__.lower():  # openai/anthropic APITimeoutError
            return "timed out"
        return "connection failed"


def parse_retry_after(headers: Mapping[str, str], *, now: datetime | None = None) -> float | None:
    """Seconds to wait from `retry-after-ms`, else `retry-after` (seconds or HTTP date)."""
    lowered = {key.lower(): value for key, value in headers.items()}
    ms = lowered.get("retry-after-ms")
    if ms is not None:
        try:
            return max(float(ms) / 1000.0, 0.0)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def backoff_delay(policy: RetryPolicy, attempt: int, rng: random.Random) -> float:
    """Full jitter over a capped exponential: uniform(0, min(max, base * 2**(attempt-1)))."""
    ceiling = min(policy.max_delay_s, policy.base_delay_s * (2 ** (attempt - 1)))
    return rng.uniform(0.0, ceiling)


def _status_of(exc: BaseException) -> tuple[int, Mapping[str, str]] | None:
    """Status and headers of an SDK status error (openai/anthropic APIStatusError) or httpx's."""
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code, exc.response.headers
    status = getattr(exc, "status_code", None)
    response = getattr(exc, "response", None)
    if isinstance(status, int) and response is not None:
        headers: Mapping[str, str] = getattr(response, "headers", None) or {}
        return status, headers
    return None


def _error_field(exc: BaseException, name: str) -> Any:
    """A field of the provider's error object, whether `body` is the envelope or its inside."""
    body: Any = getattr(exc, "body", None)
    if not isinstance(body, dict):
        return None
    inner = body.get("error", body)
    return inner.get(name) if isinstance(inner, dict) else None


def _quota_exhausted(status: int, exc: BaseException) -> bool:
    """A 429 saying the account has no quota left (OpenAI's "insufficient_quota")."""
    if status != 429:
        return False
    return bool({_error_field(exc, "code"), _error_field(exc, "type")} & QUOTA_CODES)


def _retryable_status(status: int, exc: BaseException) -> bool:
    if status in NEVER_RETRIED_STATUS or _quota_exhausted(status, exc):
        return False
    return status in RETRYABLE_STATUS or status >= 500


def _non_retryable_message(status: int, key_env: str | None, exc: BaseException) -> str:
    if _quota_exhausted(status, exc):
        return "quota exhausted: the account has no credit left; check its plan and billing"
    if status == 401:
        where = f"${key_env}" if key_env else "the backend's api_key_env"
        return f"authentication failed: check the API key in {where}"
    if status == 403:
        return "permission denied: the API key may not use this model or endpoint"
    if status == 404:
        return "not found: check the model name and base_url"
    detail = _provider_message(exc)
    if status == 501:
        what = "not implemented by the server: check base_url and mode"
    else:
        what = "request rejected" if 400 <= status < 500 else "unexpected response"
    return f"{what}: {detail}" if detail else what


def _provider_message(exc: BaseException) -> str:
    """The provider's own error message (never for 401/403, which may echo a masked key)."""
    body: Any = getattr(exc, "body", None)
    message: Any = None
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
    text = str(message) if message else ""
    return text[:300]


def _classify(
    exc: BaseException,
    transient: tuple[type[BaseException], ...],
    *,
    backend: str,
    key_env: str | None,
    attempt: int,
) -> _Failure | None:
    """A retryable failure, None for a non-HTTP error; raises for a non-retryable status."""
    status_headers = _status_of(exc)
    if status_headers is not None:
        status, headers = status_headers
        if _retryable_status(status, exc):
            return _Failure(exc, status, parse_retry_after(headers))
        raise BackendError(
            _non_retryable_message(status, key_env, exc),
            backend=backend,
            status=status,
            attempts=attempt,
            retryable=False,
            original=exc,
        ) from exc
    if isinstance(exc, httpx.TransportError) or isinstance(exc, transient):
        return _Failure(exc, None, None)
    return None


async def call_with_retries(
    backend: str,
    policy: RetryPolicy,
    fn: Callable[[], Awaitable[T]],
    *,
    deadline: float | None,
    attempt_timeout: float | None = None,
    key_env: str | None = None,
    transient: tuple[type[BaseException], ...] = (),
    sleep: Sleep = asyncio.sleep,
    rng: random.Random | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[T, int]:
    """Await `fn()` under the policy; return its result and the attempts used.

    `transient` adds SDK connection/timeout exception types to retry (httpx's transport
    errors always are). `deadline` is a `clock()` value; each attempt is also bounded by
    it, and reaching it raises `DeadlineExceeded`. `attempt_timeout` bounds each attempt
    as a whole: one that takes longer fails as "timed out" and is retried.
    """
    rng = rng or random.Random()
    last: _Failure | None = None
    for attempt in range(1, policy.max_attempts + 1):
        remaining = None if deadline is None else deadline - clock()
        if remaining is not None and remaining <= 0:
            raise _deadline_error(backend, attempt - 1, last) from (last.exc if last else None)
        limit = _attempt_limit(remaining, attempt_timeout)
        try:
            async with asyncio.timeout(limit):
                return await fn(), attempt
        except TimeoutError as exc:
            failure = _Failure(exc, None, None)
            if deadline is not None and clock() >= deadline:
                raise _deadline_error(backend, attempt, failure) from exc
        except Exception as exc:
            classified = _classify(
                exc, transient, backend=backend, key_env=key_env, attempt=attempt
            )
            if classified is None:
                raise
            failure = classified
        last = failure
        if failure.retry_after is not None and failure.retry_after > policy.max_retry_after_s:
            raise BackendUnavailable(
                f"{failure.describe()}: retry-after {failure.retry_after:g}s exceeds the "
                f"{policy.max_retry_after_s:g}s cap",
                backend=backend,
                status=failure.status,
                retry_after=failure.retry_after,
                attempts=attempt,
                retryable=True,
                original=failure.exc,
            ) from failure.exc
        if attempt == policy.max_attempts:
            break
        delay = (
            failure.retry_after
            if failure.retry_after is not None
            else backoff_delay(policy, attempt, rng)
        )
        if deadline is not None and clock() + delay >= deadline:
            raise _deadline_error(backend, attempt, failure) from failure.exc
        log.warning(
            "backend %s: %s (status %s), retrying in %.2fs (attempt %d of %d)",
            backend,
            failure.describe(),
            failure.status,
            delay,
            attempt,
            policy.max_attempts,
        )
        await sleep(delay)
    assert last is not None
    raise BackendError(
        f"{last.describe()}: gave up after retries",
        backend=backend,
        status=last.status,
        retry_after=last.retry_after,
        attempts=policy.max_attempts,
        retryable=True,
        original=last.exc,
    ) from last.exc


def _attempt_limit(remaining: float | None, attempt_timeout: float | None) -> float | None:
    """The time one attempt may take: the shorter of what the deadline leaves and the
    attempt timeout."""
    if remaining is None:
        return attempt_timeout
    if attempt_timeout is None:
        return remaining
    return min(remaining, attempt_timeout)


def _deadline_error(backend: str, attempts: int, last: _Failure | None) -> DeadlineExceeded:
    """The request's deadline is reached: say which backend, how far it got and why."""
    message = f"{backend}: {DEADLINE_EXCEEDED} after {attempts} attempt(s)"
    if last is not None:
        status = f", HTTP {last.status}" if last.status is not None else ""
        message += f" (last: {last.describe()}{status})"
    return DeadlineExceeded(message)
