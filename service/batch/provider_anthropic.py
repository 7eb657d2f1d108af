"""Anthropic Message Batches: Messages API requests in one call, results as JSONL.

Submit: `POST /v1/messages/batches` with `requests: [{custom_id, params}]`, where
`params` is the body of a Messages API request. Poll: `GET /v1/messages/batches/{id}`
(`processing_status` in_progress / canceling / ended). Results: the batch's
`results_url`, one line per request: `{"custom_id", "result": {"type": "succeeded",
"message"} | {"type": "errored", "error"} | {"type": "expired"} | {"type": "canceled"}}`.

A batch carries no metadata: an interrupted submission is found in
`GET /v1/messages/batches` (newest first) as the batch created since then with as many
requests and not already known. A wrong match costs no correctness: results are matched
by custom_id, and the requests left without one go through the synchronous path.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from functools import partial
from typing import Any

import anthropic
import httpx

from service.backends._llm import resolve_api_key
from service.backends.retry import Sleep
from service.batch.provider_api import (
    CLOCK_SKEW,
    DOWNLOAD_TIMEOUT_S,
    BatchLimits,
    BatchStatus,
    Caller,
    Phase,
    ResultEntry,
    clip,
    recent_batches,
)
from service.config import BackendConfig

LIMITS = BatchLimits(max_requests=100_000, max_bytes=256 * 1024 * 1024 - 64 * 1024)
"""100,000 requests and 256 MB per batch, less room for the request's envelope."""
PHASES: dict[str, Phase] = {"in_progress": "running", "canceling": "running", "ended": "ended"}


class AnthropicBatches:
    """Anthropic's Message Batches API for one backend."""

    provider = "anthropic"

    def __init__(
        self,
        name: str,
        config: BackendConfig,
        http_client: httpx.AsyncClient,
        *,
        sleep: Sleep,
        limits: BatchLimits = LIMITS,
    ) -> None:
        self.limits = limits
        self._sdk = anthropic.AsyncAnthropic(
            api_key=resolve_api_key(name, config),
            base_url=config.base_url,
            max_retries=0,
            timeout=config.timeout_s,
            http_client=http_client,
        )
        self._call = Caller(name, config, (anthropic.APIConnectionError,), sleep)

    def entry(self, custom_id: str, body: str) -> bytes:
        """One element of the batch's `requests` list, serialised."""
        return f'{{"custom_id": {json.dumps(custom_id)}, "params": {body}}}'.encode()

    async def submit(self, entries: list[bytes], token: str) -> BatchStatus:
        """Create the batch in one request (Anthropic keeps no metadata: `token` is unused)."""
        del token
        requests: list[Any] = [json.loads(entry) for entry in entries]
        batch = await self._call.creating(
            partial(self._sdk.messages.batches.create, requests=requests), "the batch creation"
        )
        return _status(batch)

    async def find(
        self, token: str, since: datetime, requests: int, exclude: frozenset[str]
    ) -> BatchStatus | None:
        """The oldest unknown batch created since `since` with `requests` requests."""
        del token
        oldest = since - CLOCK_SKEW
        found = None
        listing = partial(self._sdk.messages.batches.list, limit=100)
        async for batch in recent_batches(self._call, listing):
            if batch.created_at < oldest:
                break
            counts = batch.request_counts
            total = sum(counts.model_dump().values()) if counts is not None else 0
            if batch.id not in exclude and total == requests:
                found = batch  # listed newest first: the last match is the oldest
        return _status(found) if found is not None else None

    async def status(self, batch_id: str) -> BatchStatus:
        """The batch's status; phase "gone" when the provider no longer knows it."""
        batch = await self._call.polling(partial(self._sdk.messages.batches.retrieve, batch_id))
        if batch is None:
            return BatchStatus(batch_id, "gone", "not found", detail="the provider answered 404")
        return _status(batch)

    async def results(self, status: BatchStatus) -> AsyncIterator[ResultEntry]:
        """The lines of the batch's results file."""
        download = partial(
            self._sdk.messages.batches.results, status.id, timeout=DOWNLOAD_TIMEOUT_S
        )
        lines = await self._call(download)
        async for line in lines:
            yield _entry(line.to_dict(mode="json"))


def _status(batch: Any) -> BatchStatus:
    counts = batch.request_counts
    return BatchStatus(
        id=batch.id,
        phase=PHASES.get(batch.processing_status, "running"),
        status=batch.processing_status,
        counts=counts.model_dump() if counts is not None else {},
        result_files=(batch.results_url,) if batch.results_url else (),
    )


def _entry(line: dict[str, Any]) -> ResultEntry:
    custom_id = str(line.get("custom_id", ""))
    result = line.get("result")
    kind = result.get("type") if isinstance(result, dict) else None
    if kind == "succeeded" and isinstance(result, dict):
        message = result.get("message")
        if isinstance(message, dict):
            return ResultEntry(custom_id, body=message)
        return ResultEntry(custom_id, problem="errored: the result holds no message")
    if kind == "errored" and isinstance(result, dict):
        error = result.get("error")
        inner = error.get("error", error) if isinstance(error, dict) else {}
        kind_of = inner.get("type", "error") if isinstance(inner, dict) else "error"
        message = inner.get("message", "") if isinstance(inner, dict) else ""
        return ResultEntry(custom_id, problem=clip(f"errored: {kind_of}: {message}"))
    return ResultEntry(custom_id, problem=str(kind or "no result"))
