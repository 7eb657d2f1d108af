"""One request and token rate limit for a whole batch run, in front of every backend call.

`Throttle` holds two aiolimiter leaky buckets shared by the run:

- requests (`--max-rpm N`): N per minute, drained evenly; the bucket holds one second's
  worth (at least one call), so calls are spread out rather than sent in a burst that
  a provider enforcing its limit per second would refuse;
- tokens (`--max-tpm N`): N per minute, with a bucket of one minute's worth.

Each call is charged its token estimate *before* it is sent, as providers count it
against their limit: the prompt (system and user messages, re-ask feedback and the
previous answer, and the output schema sent as a tool or response format), estimated
as UTF-8 bytes / 4, plus the request's `max_output_tokens`. Bytes rather than characters
so that scripts that take more tokens per character (Cyrillic, Arabic, CJK) are not
under-counted. A call estimated above a minute's budget is charged the whole bucket.

`ThrottledBackend` wraps a backend so that each `extract` waits for both buckets; HTTP
retries inside one call are paced by the backend's own retry policy, not charged again.
The offline backend makes no upstream call and is not limited unless asked.
"""

from __future__ import annotations

import json
import math
from functools import cache

from aiolimiter import AsyncLimiter

from schemas import SummaryDraft
from service.backends.base import Backend, ExtractionRequest, RawExtraction
from service.config import OFFLINE

BYTES_PER_TOKEN = 4
WAIT_SHARE = 0.5
"""Share of the request deadline that calls queued behind the limits may spend waiting."""


@cache
def _schema_bytes() -> int:
    """Size of the output schema that LLM backends send with every call."""
    return len(json.dumps(SummaryDraft.model_json_schema()).encode("utf-8"))


def least_call_tokens(max_output_tokens: int) -> int:
    """The estimate of a call before its article: the output schema plus the output cap."""
    return math.ceil(_schema_bytes() / BYTES_PER_TOKEN) + max_output_tokens


def estimate_tokens(request: ExtractionRequest) -> int:
    """Tokens a call may use: prompt (incl. schema) at 4 bytes per token, plus max output."""
    parts = [request.prompt.system, request.prompt.user, *request.feedback]
    if request.previous_output:
        parts.append(request.previous_output)
    prompt_bytes = sum(len(part.encode("utf-8")) for part in parts) + _schema_bytes()
    return math.ceil(prompt_bytes / BYTES_PER_TOKEN) + request.max_output_tokens


class Throttle:
    """The run's limits on calls per minute and tokens per minute (None: no limit)."""

    def __init__(self, max_rpm: int | None = None, max_tpm: int | None = None) -> None:
        self.max_rpm = max_rpm
        self.max_tpm = max_tpm
        self.requests: AsyncLimiter | None = None
        self.tokens: AsyncLimiter | None = None
        if max_rpm is not None:
            burst = max(1.0, max_rpm / 60)
            self.requests = AsyncLimiter(burst, time_period=burst * 60 / max_rpm)
        if max_tpm is not None:
            self.tokens = AsyncLimiter(max_tpm, time_period=60)
        self.calls = 0
        self.tokens_charged = 0

    @property
    def active(self) -> bool:
        """True when some limit is set."""
        return self.requests is not None or self.tokens is not None

    async def acquire(self, tokens: int) -> None:
        """Wait until one call of `tokens` estimated tokens fits both limits; charge it."""
        if self.requests is not None:
            await self.requests.acquire()
        if self.tokens is not None:
            charge = min(tokens, self.tokens.max_rate)
            await self.tokens.acquire(charge)
        self.calls += 1
        self.tokens_charged += tokens

    def fitting_concurrency(self, concurrency: int, tokens_per_call: int, deadline_s: float) -> int:
        """The most records in flight whose first calls the limits serve within the deadline.

        Waiting for the limiter counts against each record's request deadline, so more
        records in flight than the limits can serve in WAIT_SHARE of it would time out.
        """
        window_min = deadline_s * WAIT_SHARE / 60
        fitting = concurrency
        if self.max_rpm is not None:
            fitting = min(fitting, math.floor(self.max_rpm * window_min))
        if self.max_tpm is not None:
            fitting = min(fitting, math.floor(self.max_tpm * window_min / max(1, tokens_per_call)))
        return max(1, fitting)


class ThrottledBackend:
    """A backend whose every call first waits for the run's throttle."""

    def __init__(self, inner: Backend, throttle: Throttle) -> None:
        self.inner = inner
        self.throttle = throttle
        self.name = inner.name
        self.kind = inner.kind
        self.model = inner.model

    async def extract(self, request: ExtractionRequest) -> RawExtraction:
        """Wait for the limits, then call the wrapped backend."""
        await self.throttle.acquire(estimate_tokens(request))
        return await self.inner.extract(request)

    async def aclose(self) -> None:
        """Close the wrapped backend."""
        await self.inner.aclose()


def throttled(
    backends: dict[str, Backend], throttle: Throttle, *, include_offline: bool = False
) -> dict[str, Backend]:
    """The backends, each behind the throttle (offline ones only with `include_offline`)."""
    if not throttle.active:
        return dict(backends)
    return {
        name: backend
        if backend.kind == OFFLINE and not include_offline
        else ThrottledBackend(backend, throttle)
        for name, backend in backends.items()
    }
