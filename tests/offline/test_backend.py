"""The offline backend as the service sees it: registry, protocol and pipeline."""

from __future__ import annotations

from datetime import date

import httpx

from service.article import Article
from service.backends.base import ExtractionRequest, create_backend
from service.backends.offline import OfflineBackend
from service.config import BackendConfig, Settings
from service.pipeline import Pipeline
from service.prompts import render


async def test_registry_builds_the_offline_kind() -> None:
    async with httpx.AsyncClient() as client:
        backend = create_backend("local", BackendConfig(kind="offline"), client)
    assert isinstance(backend, OfflineBackend)
    assert (backend.name, backend.kind, backend.model) == ("local", "offline", "rules-v1")
    await backend.aclose()


async def test_extract_returns_a_draft_with_one_call_and_no_tokens(
    backend: OfflineBackend, sample_article: Article
) -> None:
    raw = await backend.extract(ExtractionRequest(article=sample_article,
                                                  prompt=render(sample_article)))  # fmt: skip
    assert raw.model == "rules-v1"
    assert (raw.usage.calls, raw.usage.input_tokens, raw.usage.output_tokens) == (1, 0, 0)
    assert len(raw.draft.events) == 3


async def test_pipeline_with_the_offline_backend_returns_a_clean_summary(
    backend: OfflineBackend, sample_text: str
) -> None:
    pipeline = Pipeline(Settings(), {"offline": backend})
    summary = await pipeline.summarize(Article(text=sample_text, published=date(2025, 1, 9)))
    assert summary.warnings == []
    assert summary.extraction.backend_kind == "offline"
    assert summary.events[0].figures[0].evidence[0].start is not None
