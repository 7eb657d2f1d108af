"""Health, backends and JSON Schemas."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from schemas import SCHEMA_VERSION, ArticleIn, Event, EventSummary
from service.api.deps import PipelineDep, SettingsDep
from service.errors import NotFound

router = APIRouter()

SCHEMAS: dict[str, type[BaseModel]] = {
    "event": Event,
    "summary": EventSummary,
    "article": ArticleIn,
}


class Health(BaseModel):
    """Liveness."""

    status: str
    version: str


class BackendInfo(BaseModel):
    """One configured backend, as clients see it (no secrets)."""

    name: str
    kind: str
    model: str
    base_url: str | None
    in_default_chain: bool
    key_present: bool | None


class Backends(BaseModel):
    """Configured backends and the default chain."""

    default_chain: list[str]
    backends: list[BackendInfo]


@router.get("/healthz", tags=["health"])
async def healthz() -> Health:
    """The process is up."""
    from service import __version__

    return Health(status="ok", version=__version__)


@router.get("/v1/backends", tags=["backends"])
async def list_backends(settings: SettingsDep, pipeline: PipelineDep) -> Backends:
    """The backends a request may name, and the chain used when it names none."""
    items = []
    for name in sorted(pipeline.backends):
        config = settings.backends[name]
        key = None if config.api_key_env is None else config.api_key() is not None
        items.append(
            BackendInfo(
                name=name,
                kind=config.kind,
                model=config.model,
                base_url=config.base_url,
                in_default_chain=name in settings.chain,
                key_present=key,
            )
        )
    return Backends(default_chain=list(settings.chain), backends=items)


@router.get(
    "/v1/schemas/{name}",
    tags=["schemas"],
    responses={
        404: {
            "description": "No schema of that name",
            "content": {"application/problem+json": {"schema": {"type": "object"}}},
        }
    },
)
async def get_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of the contract: `event`, `summary` or `article`."""
    model = SCHEMAS.get(name)
    if model is None:
        raise NotFound(f"no schema {name!r}; known: {', '.join(sorted(SCHEMAS))}")
    schema = model.model_json_schema()
    schema["$comment"] = f"schema version {SCHEMA_VERSION}"
    return schema
