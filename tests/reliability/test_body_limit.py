"""A 10 MB request body is refused with 413 while it streams: the service reads at most
its limit and never holds the whole body in memory (tracemalloc peak per request)."""

from __future__ import annotations

import tracemalloc
from collections.abc import AsyncIterator

import httpx
import pytest

from service.config import Settings
from service.main import create_app
from tests.reliability.report import record
from tests.support.fakes import ScriptedBackend, draft

MB = 1024 * 1024
BODY = 10 * MB
CHUNK = b"a" * (64 * 1024)


class Stream:
    """A request body of BODY bytes sent in CHUNKs, counting what the service pulled.

    Each chunk is freed once the service lets go of it: the traced peak is what the
    service holds, plus one chunk.
    """

    def __init__(self) -> None:
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.sent < BODY:
            self.sent += len(CHUNK)
            yield CHUNK[:-1] + b"a"  # a new object, as a server reading a socket gets


@pytest.mark.parametrize(
    ("how", "declared"),
    [("chunked", None), ("honest_length", str(BODY)), ("lying_length", "100")],
)
async def test_a_10_mb_body_is_refused_with_bounded_memory(how: str, declared: str | None) -> None:
    settings = Settings()  # the default limit: 2 MiB
    backend = ScriptedBackend([draft()])
    settings.chain = [backend.name]
    app = create_app(settings, backends={backend.name: backend})
    headers = {"content-type": "application/json"}
    if declared is not None:
        headers["content-length"] = declared
    stream = Stream()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        await client.get("/healthz")  # build the middleware stack before measuring
        tracemalloc.start()
        try:
            response = await client.post("/v1/summaries", content=stream, headers=headers)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"
    assert response.json()["limit_bytes"] == settings.max_body_bytes
    assert backend.requests == []
    assert stream.sent <= settings.max_body_bytes + len(CHUNK)  # stopped reading at the limit
    assert peak < settings.max_body_bytes + 1 * MB, peak  # the limit's worth, not 10 MB
    record(
        f"body_10mb_refused_{how}",
        body_bytes=BODY,
        declared_content_length=declared,
        limit_bytes=settings.max_body_bytes,
        bytes_read_by_service=stream.sent,
        tracemalloc_peak_mb=round(peak / MB, 2),
        status=response.status_code,
    )
