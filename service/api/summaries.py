"""POST /v1/summaries: one article in, its checked summary out."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter

from schemas import ArticleIn, EventSummary
from service.api.deps import PipelineDep, SettingsDep
from service.api.problems import PROBLEM
from service.article import Article
from service.errors import InputError

router = APIRouter(prefix="/v1", tags=["summaries"])
log = logging.getLogger(__name__)

_PROBLEM_DOC: dict[str, Any] = {"content": {PROBLEM: {}}}
ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"description": "Body or article too large", **_PROBLEM_DOC},
    422: {"description": "Not a usable article", **_PROBLEM_DOC},
    502: {"description": "The backend failed after retries", **_PROBLEM_DOC},
    503: {"description": "No backend available (see Retry-After)", **_PROBLEM_DOC},
    504: {"description": "Deadline exceeded", **_PROBLEM_DOC},
}


@router.post("/summaries", responses=ERRORS)
async def create_summary(
    body: ArticleIn, pipeline: PipelineDep, settings: SettingsDep
) -> EventSummary:
    """Summarise one article synchronously."""
    if len(body.text) > settings.max_article_chars:
        raise InputError(
            f"the article has {len(body.text)} characters; the limit is "
            f"{settings.max_article_chars}",
            code="article_too_large",
        )
    article = Article.from_input(body)
    summary = await pipeline.summarize(article, body.backend)
    log.info(
        "summary made",
        extra={
            "article_sha256": article.sha256,
            "article_length": len(article.text),
            "backend": summary.extraction.backend,
            "attempts": summary.extraction.attempts,
            "input_tokens": summary.extraction.input_tokens,
            "output_tokens": summary.extraction.output_tokens,
            "latency_ms": summary.extraction.latency_ms,
            "events": len(summary.events),
            "warnings": len(summary.warnings),
        },
    )
    return summary
