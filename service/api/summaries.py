"""POST /v1/summaries: one article in, its checked summary out."""

from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import APIRouter

from schemas import ArticleIn, EventSummary
from service.api.deps import PipelineDep, SettingsDep
from service.api.metrics import MetricsDep
from service.api.problems import PROBLEM
from service.article import Article
from service.errors import BackendError, ExtractionFailed, InputError, SummarizerError

router = APIRouter(prefix="/v1", tags=["summaries"])
log = logging.getLogger(__name__)

_PROBLEM_DOC: dict[str, Any] = {"content": {PROBLEM: {}}}
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or invalid API key", **_PROBLEM_DOC},
    413: {"description": "Body or article too large", **_PROBLEM_DOC},
    422: {"description": "Not a usable article", **_PROBLEM_DOC},
    429: {"description": "Over the API key's rate (see Retry-After)", **_PROBLEM_DOC},
    502: {"description": "The backend failed after retries", **_PROBLEM_DOC},
    503: {
        "description": "No backend available, or too many requests in progress (see Retry-After)",
        **_PROBLEM_DOC,
    },
    504: {"description": "Deadline exceeded", **_PROBLEM_DOC},
}


@router.post("/summaries", responses=ERRORS)
async def create_summary(
    body: ArticleIn, pipeline: PipelineDep, settings: SettingsDep, metrics: MetricsDep
) -> EventSummary:
    """Summarise one article synchronously."""
    if len(body.text) > settings.max_article_chars:
        raise InputError(
            f"the article has {len(body.text)} characters; the limit is "
            f"{settings.max_article_chars}",
            code="article_too_large",
        )
    article = Article.from_input(body)
    started = time.perf_counter()
    try:
        summary = await pipeline.summarize(article, body.backend)
    except SummarizerError as exc:
        metrics.observe_failure(exc)
        log.warning("summary failed", extra=_failure_fields(article, exc, started))
        raise
    metrics.observe_summary(summary.extraction)
    log.info(
        "summary made",
        extra={
            "article_sha256": article.sha256,
            "article_length": len(article.text),
            "backend": summary.extraction.backend,
            "backends_failed": summary.extraction.backends_failed,
            "attempts": summary.extraction.attempts,
            "reasks": summary.extraction.reasks,
            "upstream_calls": summary.extraction.upstream_calls,
            "input_tokens": summary.extraction.input_tokens,
            "output_tokens": summary.extraction.output_tokens,
            "latency_ms": summary.extraction.latency_ms,
            "events": len(summary.events),
            "warnings": len(summary.warnings),
        },
    )
    return summary


def _failure_fields(article: Article, exc: SummarizerError, started: float) -> dict[str, Any]:
    """What a failure log says: codes and counts, never the message (it may quote the
    article or a provider's answer)."""
    fields: dict[str, Any] = {
        "article_sha256": article.sha256,
        "article_length": len(article.text),
        "error_code": exc.code,
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    if isinstance(exc, BackendError):
        fields.update(backend=exc.backend, attempts=exc.attempts, upstream_status=exc.status)
    elif isinstance(exc, ExtractionFailed):
        fields.update(
            backend=exc.backend,
            attempts=exc.attempts,
            input_tokens=exc.usage.input_tokens,
            output_tokens=exc.usage.output_tokens,
        )
    return fields
