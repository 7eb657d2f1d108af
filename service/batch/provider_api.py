"""What a provider's batch API offers a provider-batch run: submit, poll, read results.

One implementation per provider (`provider_openai.py`, `provider_anthropic.py`). Each
speaks through the provider's SDK over an explicit `httpx.AsyncClient` (SDK retries off)
and under our one retry policy (`service.backends.retry`). A server without a batch API
(an OpenAI-compatible `base_url` such as Ollama or vLLM answers 404) raises `NoBatchAPI`
at submission, so the run can go synchronous instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol, TypeVar

import httpx

from service.backends.retry import Sleep, call_with_retries
from service.config import BackendConfig
from service.errors import BackendError, ConfigError, SummarizerError
from service.pipeline import Pipeline

T = TypeVar("T")

BATCH_KINDS = ("openai", "anthropic")
NO_API_STATUS = frozenset({404, 405, 501})
"""Answers of a server that does not implement the batch endpoints."""
MAX_PROBLEM = 300
DOWNLOAD_TIMEOUT_S = 600.0
"""Timeout of one result download (a results file can hold hundreds of megabytes)."""
TOKEN_KEY = "summarizer_submission"
"""The metadata key of the token set on a batch (OpenAI)."""
CLOCK_SKEW = timedelta(minutes=10)
"""How much earlier than our clock says a batch may be dated by the provider's clock."""
MAX_LISTED = 1000
"""At most this many of the provider's recent batches are looked through by `find`."""

Phase = Literal["running", "ended", "failed", "gone"]


class NoBatchAPI(SummarizerError):
    """The backend's server has no batch endpoints (e.g. an OpenAI-compatible server)."""

    code = "no_batch_api"


@dataclass(frozen=True)
class BatchLimits:
    """The most requests and bytes one batch may hold."""

    max_requests: int
    max_bytes: int


@dataclass(frozen=True)
class BatchStatus:
    """Where a submitted batch stands.

    `phase`: "running" (not finished), "ended" (results can be read; some requests may
    have failed or expired), "failed" (the batch as a whole was rejected: no results) or
    "gone" (the provider no longer knows the batch).
    """

    id: str
    phase: Phase
    status: str
    counts: dict[str, int] = field(default_factory=dict)
    detail: str = ""
    result_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResultEntry:
    """One request's result: the provider's response body, or why there is none."""

    custom_id: str
    body: dict[str, Any] | None = None
    problem: str | None = None


class BatchAPI(Protocol):
    """A provider's batch endpoints, as a provider-batch run uses them."""

    provider: str
    limits: BatchLimits

    def entry(self, custom_id: str, body: str) -> bytes:
        """One request of a batch, serialised: `body` is the JSON of the request body."""
        ...

    async def submit(self, entries: list[bytes], token: str) -> BatchStatus:
        """Create a batch of these entries, marked with `token` where the provider keeps
        metadata; raise NoBatchAPI when the server has none."""
        ...

    async def find(
        self, token: str, since: datetime, requests: int, exclude: frozenset[str]
    ) -> BatchStatus | None:
        """The batch an interrupted run created for `token` at or after `since`, with
        `requests` requests and an id not in `exclude`; None when there is none."""
        ...

    async def status(self, batch_id: str) -> BatchStatus:
        """The batch's current status."""
        ...

    def results(self, status: BatchStatus) -> AsyncIterator[ResultEntry]:
        """The results of an ended batch, in the provider's order."""
        ...


def batch_backend(pipeline: Pipeline, requested: str | None) -> tuple[str, BackendConfig]:
    """The backend whose batch API the run uses: the requested one, else the chain's first."""
    name = pipeline.chain_for(requested)[0]
    config = pipeline.settings.backends.get(name)
    if config is None or config.kind not in BATCH_KINDS:
        kind = config.kind if config is not None else pipeline.backends[name].kind
        raise ConfigError(
            f"--mode provider-batch needs an openai or anthropic backend; backend {name!r} "
            f"({kind}) has no batch API: name another one with --backend, or use the "
            "synchronous mode"
        )
    return name, config


def open_api(
    name: str,
    config: BackendConfig,
    http_client: httpx.AsyncClient,
    *,
    sleep: Sleep,
    limits: BatchLimits | None = None,
) -> BatchAPI:
    """The batch API of a configured backend."""
    if config.kind == "anthropic":
        from service.batch.provider_anthropic import LIMITS, AnthropicBatches

        return AnthropicBatches(name, config, http_client, sleep=sleep, limits=limits or LIMITS)
    from service.batch.provider_openai import LIMITS as OPENAI_LIMITS
    from service.batch.provider_openai import OpenAIBatches

    return OpenAIBatches(name, config, http_client, sleep=sleep, limits=limits or OPENAI_LIMITS)


async def recent_batches(
    call: Caller, first_page: Callable[[], Awaitable[Any]]
) -> AsyncIterator[Any]:
    """The provider's batches, newest first, page by page (at most MAX_LISTED); none when
    the server has no list endpoint (404)."""
    page = await call.polling(first_page)
    listed = 0
    while page is not None:
        for batch in page.data:
            yield batch
            listed += 1
            if listed >= MAX_LISTED:
                return
        if not page.has_next_page():
            return
        page = await call(page.get_next_page)


def clip(text: object) -> str:
    """A provider's message, cut to a length fit for an output line."""
    return str(text)[:MAX_PROBLEM]


@dataclass
class Caller:
    """Runs one batch-API call under the backend's retry policy."""

    name: str
    config: BackendConfig
    transient: tuple[type[BaseException], ...]
    sleep: Sleep

    async def __call__(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Await `fn()`, retrying what our policy retries; raises BackendError."""
        result, _ = await call_with_retries(
            self.name,
            self.config.retry,
            fn,
            deadline=None,
            key_env=self.config.api_key_env,
            transient=self.transient,
            sleep=self.sleep,
        )
        return result

    async def creating(self, fn: Callable[[], Awaitable[T]], what: str) -> T:
        """Like calling, but a server without the endpoint raises NoBatchAPI."""
        try:
            return await self(fn)
        except BackendError as exc:
            if exc.status in NO_API_STATUS:
                where = self.config.base_url or "the provider"
                raise NoBatchAPI(
                    f"{where} has no batch API ({what} answered HTTP {exc.status})"
                ) from exc
            raise

    async def polling(self, fn: Callable[[], Awaitable[T]]) -> T | None:
        """Like calling, but None when the provider answers 404 (the batch is gone)."""
        try:
            return await self(fn)
        except BackendError as exc:
            if exc.status == 404:
                return None
            raise
