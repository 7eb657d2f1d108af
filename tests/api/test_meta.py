"""Health, backends, schemas and the OpenAPI document."""

from __future__ import annotations

import httpx
import pytest

from service.config import BackendConfig, Settings
from service.main import create_app


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-shown")
    return Settings(
        backends={"gpt": BackendConfig(kind="openai", model="gpt-4o-mini")},
        chain=["gpt", "offline"],
    )


async def get(settings: Settings, path: str) -> httpx.Response:
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        return await c.get(path)


async def test_healthz(settings: Settings) -> None:
    response = await get(settings, "/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


async def test_backends_lists_names_chain_and_no_secret(settings: Settings) -> None:
    response = await get(settings, "/v1/backends")
    body = response.json()
    assert body["default_chain"] == ["gpt", "offline"]
    by_name = {item["name"]: item for item in body["backends"]}
    assert by_name["gpt"]["kind"] == "openai" and by_name["gpt"]["key_present"] is True
    assert by_name["offline"]["key_present"] is None
    assert "sk-test-not-shown" not in response.text


async def test_event_schema_is_served(settings: Settings) -> None:
    schema = (await get(settings, "/v1/schemas/event")).json()
    assert schema["title"] == "Event"
    assert schema["additionalProperties"] is False
    assert {"event_type", "sub_event_type", "when", "where", "figures"} <= set(schema["properties"])
    assert "neutralised" in str(schema)


async def test_unknown_schema_is_404_problem(settings: Settings) -> None:
    response = await get(settings, "/v1/schemas/nope")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


async def test_openapi_and_docs(settings: Settings) -> None:
    spec = (await get(settings, "/openapi.json")).json()
    assert "/v1/summaries" in spec["paths"]
    assert "ArticleIn" in spec["components"]["schemas"]
    assert (await get(settings, "/docs")).status_code == 200
