"""POST /v1/summaries as a client sees it: the summary, or a problem+json with a stable code."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from service.config import Settings
from service.errors import BackendError, BackendUnavailable
from service.main import create_app
from tests.support.fakes import ARTICLE, ScriptedBackend, draft, invalid

PROBLEM = "application/problem+json"


def client_for(*backends: ScriptedBackend, **settings: object) -> httpx.AsyncClient:
    config = Settings(**settings)  # type: ignore[arg-type]
    config.chain = [backend.name for backend in backends]
    app = create_app(config, backends={b.name: b for b in backends})  # type: ignore[misc]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(ScriptedBackend([draft()])) as http:
        yield http


async def test_summary_comes_back_with_grounded_evidence(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/summaries", json={"text": ARTICLE, "published_at": "2025-03-04", "id": "a-1"}
    )
    assert response.status_code == 200
    body = response.json()
    quote = body["events"][0]["figures"][0]["evidence"][0]
    assert ARTICLE[quote["start"] : quote["end"]] == quote["quote"] == "arrested 12 protesters"
    assert body["article"]["id"] == "a-1"
    assert body["extraction"]["backend"] == "scripted"
    assert body["extraction"]["schema_version"] == "1.0.0"
    assert len(body["extraction"]["prompt_version"]) == 12


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   \n\t "}, "text"),
        ({"text": "12345 67 -- 89"}, "text"),
        ({"text": 42}, "text"),
        ({"text": "ok words", "published_at": "yesterday"}, "published_at"),
        ({"text": "ok words", "language": "French"}, "language"),
        ({"text": "ok words", "colour": "red"}, "colour"),
        ({}, "text"),
    ],
)
async def test_unusable_input_is_422_problem(
    client: httpx.AsyncClient, payload: dict[str, object], field: str
) -> None:
    response = await client.post("/v1/summaries", json=payload)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["code"] == "invalid_request" and body["status"] == 422
    assert any(field in map(str, error["loc"]) for error in body["errors"])


async def test_non_json_body_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/summaries", content=b"\xff\xfe not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


async def test_submitted_text_is_not_echoed_in_errors(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/summaries", json={"text": "secret scoop", "colour": 1})
    assert response.status_code == 422
    assert "secret scoop" not in response.text


async def test_unknown_backend_is_422_and_names_the_configured_ones(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/v1/summaries", json={"text": ARTICLE, "backend": "gpt-9"})
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_backend"
    assert "scripted" in response.json()["detail"]


async def test_body_over_the_limit_is_413_even_with_a_lying_content_length() -> None:
    async with client_for(ScriptedBackend([draft()]), max_body_bytes=4096) as http:
        big = b'{"text": "' + b"a" * 10_000 + b'"}'
        honest = await http.post("/v1/summaries", content=big)
        assert honest.status_code == 413 and honest.json()["code"] == "body_too_large"

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(100):
                yield b"a" * 1024

        chunked = await http.post("/v1/summaries", content=chunks())
        assert chunked.status_code == 413
        lying = await http.post("/v1/summaries", content=big, headers={"content-length": "10"})
        assert lying.status_code == 413


async def test_article_over_the_character_limit_is_413() -> None:
    async with client_for(ScriptedBackend([draft()]), max_article_chars=1000) as http:
        response = await http.post("/v1/summaries", json={"text": "word " * 300})
    assert response.status_code == 413
    assert response.json()["code"] == "article_too_large"


async def test_backend_failure_after_retries_is_502_with_attempts() -> None:
    failing = ScriptedBackend([BackendError("server error", backend="scripted", status=500,
                                            attempts=3)])  # fmt: skip
    async with client_for(failing) as http:
        response = await http.post("/v1/summaries", json={"text": ARTICLE})
    assert response.status_code == 502
    body = response.json()
    assert body["code"] == "backend_failed" and body["attempts"] == 3
    assert body["upstream_status"] == 500


async def test_invalid_output_after_reasks_is_502_with_tokens() -> None:
    async with client_for(ScriptedBackend([invalid(["headline: bad"])]), max_attempts=2) as http:
        response = await http.post("/v1/summaries", json={"text": ARTICLE})
    assert response.status_code == 502
    body = response.json()
    assert body["code"] == "extraction_failed" and body["attempts"] == 2
    assert body["errors"] == ["headline: bad"] and body["input_tokens"] == 160


async def test_no_backend_available_is_503_with_retry_after() -> None:
    down = ScriptedBackend([BackendUnavailable("rate limited", backend="scripted",
                                               retry_after=300.0)])  # fmt: skip
    async with client_for(down) as http:
        response = await http.post("/v1/summaries", json={"text": ARTICLE})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "300"
    assert response.json()["code"] == "backend_unavailable"


async def test_deadline_is_504() -> None:
    async with client_for(ScriptedBackend([3.0]), request_deadline_s=0.05) as http:
        response = await http.post("/v1/summaries", json={"text": ARTICLE})
    assert response.status_code == 504
    assert response.json()["code"] == "deadline_exceeded"


async def test_a_defect_is_a_problem_json_500_without_details() -> None:
    from fastapi import FastAPI

    from service.api import problems

    app = FastAPI()
    problems.install(app)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("Zanzibar-sentinel quote from an article")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        response = await http.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "internal_error"
    assert "Zanzibar" not in response.text
