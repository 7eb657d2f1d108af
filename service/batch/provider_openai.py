"""The OpenAI Batch API: a JSONL file of chat-completion requests, one batch, two result files.

Submit: `POST /v1/files` (purpose "batch") with lines `{"custom_id", "method": "POST",
"url": "/v1/chat/completions", "body"}`, then `POST /v1/batches` (completion window
24h, the submission token in `metadata`). Find an interrupted submission: that token in
`GET /v1/batches` (newest first). Poll: `GET /v1/batches/{id}`. Results:
`GET /v1/files/{id}/content` of the output file (answered requests) and of the error
file (failed or expired ones); each line is
`{"id", "custom_id", "response": {"status_code", "request_id", "body"}, "error"}`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from functools import partial
from typing import Any, Final

import httpx
import openai

from service.backends._llm import resolve_api_key
from service.backends.retry import Sleep
from service.batch.provider_api import (
    CLOCK_SKEW,
    DOWNLOAD_TIMEOUT_S,
    TOKEN_KEY,
    BatchLimits,
    BatchStatus,
    Caller,
    Phase,
    ResultEntry,
    clip,
    recent_batches,
)
from service.config import BackendConfig

ENDPOINT: Final = "/v1/chat/completions"
LIMITS = BatchLimits(max_requests=50_000, max_bytes=200 * 1024 * 1024)
PHASES: dict[str, Phase] = {
    "validating": "running",
    "in_progress": "running",
    "finalizing": "running",
    "cancelling": "running",
    "completed": "ended",
    "expired": "ended",  # requests answered before expiry are in the output file
    "cancelled": "ended",
    "failed": "failed",
}


class OpenAIBatches:
    """The Batch API of OpenAI (and of servers that copy it) for one backend."""

    provider = "openai"

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
        self._sdk = openai.AsyncOpenAI(
            api_key=resolve_api_key(name, config),
            base_url=config.base_url,
            max_retries=0,
            timeout=config.timeout_s,
            http_client=http_client,  # type: ignore[arg-type]  # DESIGN.md, Known traps
        )
        self._call = Caller(name, config, (openai.APIConnectionError,), sleep)

    def entry(self, custom_id: str, body: str) -> bytes:
        """One line of the input file."""
        head = json.dumps({"custom_id": custom_id, "method": "POST", "url": ENDPOINT})
        return f'{head[:-1]}, "body": {body}}}'.encode()

    async def submit(self, entries: list[bytes], token: str) -> BatchStatus:
        """Upload the input file, then create the batch over it."""
        content = b"\n".join(entries) + b"\n"
        uploaded = await self._call.creating(
            lambda: self._sdk.files.create(
                file=("requests.jsonl", content, "application/jsonl"), purpose="batch"
            ),
            "the file upload",
        )
        batch = await self._call.creating(
            lambda: self._sdk.batches.create(
                input_file_id=uploaded.id,
                endpoint=ENDPOINT,
                completion_window="24h",
                metadata={TOKEN_KEY: token},
            ),
            "the batch creation",
        )
        return _status(batch)

    async def find(
        self, token: str, since: datetime, requests: int, exclude: frozenset[str]
    ) -> BatchStatus | None:
        """The recent batch whose metadata holds `token`, if any."""
        del requests, exclude  # the token tells
        oldest = since - CLOCK_SKEW
        async for batch in recent_batches(self._call, lambda: self._sdk.batches.list(limit=100)):
            if (batch.metadata or {}).get(TOKEN_KEY) == token:
                return _status(batch)
            if datetime.fromtimestamp(batch.created_at, UTC) < oldest:
                return None
        return None

    async def status(self, batch_id: str) -> BatchStatus:
        """The batch's status; phase "gone" when the provider no longer knows it."""
        batch = await self._call.polling(lambda: self._sdk.batches.retrieve(batch_id))
        if batch is None:
            return BatchStatus(batch_id, "gone", "not found", detail="the provider answered 404")
        return _status(batch)

    async def results(self, status: BatchStatus) -> AsyncIterator[ResultEntry]:
        """Lines of the output file, then of the error file."""
        for file_id in status.result_files:
            download = partial(self._sdk.files.content, file_id, timeout=DOWNLOAD_TIMEOUT_S)
            content = await self._call(download)
            for raw in content.content.splitlines():
                entry = _entry(raw)
                if entry is not None:
                    yield entry


def _status(batch: Any) -> BatchStatus:
    counts = batch.request_counts
    errors = [clip(error.message) for error in (batch.errors.data or [])] if batch.errors else []
    files = tuple(f for f in (batch.output_file_id, batch.error_file_id) if f)
    return BatchStatus(
        id=batch.id,
        phase=PHASES.get(batch.status, "running"),
        status=batch.status,
        counts=counts.model_dump() if counts is not None else {},
        detail="; ".join(errors)[:300],
        result_files=files,
    )


def _entry(raw: bytes) -> ResultEntry | None:
    """One result line; None for a line that cannot be read (its request counts as unanswered)."""
    try:
        line = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(line, dict) or not isinstance(line.get("custom_id"), str):
        return None
    custom_id: str = line["custom_id"]
    error = line.get("error")
    if isinstance(error, dict):
        return ResultEntry(custom_id, problem=clip(f"errored: {_describe(error)}"))
    response = line.get("response")
    if not isinstance(response, dict):
        return ResultEntry(custom_id, problem="errored: the result holds no response")
    status = response.get("status_code")
    body = response.get("body")
    if status != 200 or not isinstance(body, dict):
        inner = body.get("error") if isinstance(body, dict) else None
        detail = _describe(inner) if isinstance(inner, dict) else "no body"
        return ResultEntry(custom_id, problem=clip(f"errored: HTTP {status}: {detail}"))
    return ResultEntry(custom_id, body=body)


def _describe(error: dict[str, Any]) -> str:
    code = error.get("code") or error.get("type") or "error"
    message = error.get("message")
    return f"{code}: {message}" if message else str(code)
