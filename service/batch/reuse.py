"""Reusing an earlier answer for a copy of its text, grounded again in the copy's own text.

An exact duplicate (the same text up to white space) or a near-duplicate reuses the answer
of the record first summarised; unless the texts are byte-identical, the answer is checked
again against the copy (`Pipeline.accept`, no backend call), so that its offsets point
into the copy and a quote the copy lacks is flagged.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from schemas import SummaryDraft, WarningCode
from service.article import Article
from service.backends.base import RawExtraction
from service.batch.records import Record
from service.pipeline import Pipeline

DRAFT_FIELDS = ("headline", "summary", "language", "events")
"""The fields of a summary that make its draft."""
REUSED_CALLS = 1
"""`calls` reported for a re-checked reused answer: the contract counts at least one."""


def recheck(pipeline: Pipeline, summary: dict[str, Any], article: Article) -> dict[str, Any] | None:
    """An earlier answer grounded and checked against `article`, with no backend call.

    Quotes the new text lacks become ungrounded warnings. None (summarise anew) when
    the backend that made the answer is not configured in this run, or when one of
    its figures is not written in the new text (an updated toll is a new answer).
    """
    extraction = summary.get("extraction", {})
    backend = pipeline.backends.get(extraction.get("backend"))
    if backend is None:
        return None
    try:
        draft = SummaryDraft.model_validate({k: summary.get(k) for k in DRAFT_FIELDS})
    except ValidationError:
        return None  # an unreadable earlier answer: summarised anew
    raw = RawExtraction(draft=draft, model=extraction.get("model") or backend.model)
    checked, _hard = pipeline.accept(backend, article, raw, calls=REUSED_CALLS)
    line = checked.model_dump(mode="json")
    if _figure_issues(line) > _figure_issues(summary):
        return None
    return line


def copy_line(
    pipeline: Pipeline, primary: dict[str, Any], rid: str, article: Article, record: Record
) -> dict[str, Any] | None:
    """The line of an exact duplicate (same text up to white space) with its own offsets.

    A byte-identical copy (or a failed primary) is copied; a reflowed copy gets the
    primary's answer re-checked against its own text. None when that cannot be done.
    """
    if primary["status"] != "ok" or content_sha256(primary) == article.sha256:
        return reuse(primary, rid, article, record)
    summary = recheck(pipeline, primary["summary"], article)
    if summary is None:
        return None
    line = {"id": rid, "status": "ok", "duplicate_of": primary["id"], "summary": summary}
    return {**line, "text_sha256": primary.get("text_sha256")}


def _figure_issues(summary: dict[str, Any]) -> int:
    """How many figures of a summary are flagged as not written in their evidence."""
    warnings = summary.get("warnings") or []
    return sum(1 for w in warnings if w.get("code") == WarningCode.FIGURE_NOT_IN_EVIDENCE)


def content_sha256(line: dict[str, Any]) -> str | None:
    """SHA-256 of the text an output line's summary was grounded in."""
    summary = line.get("summary")
    article = summary.get("article") if isinstance(summary, dict) else None
    return article.get("content_sha256") if isinstance(article, dict) else None


def reuse(primary: dict[str, Any], rid: str, article: Article, record: Record) -> dict[str, Any]:
    """The line of a duplicate: the primary's outcome, with this record's own article facts."""
    line: dict[str, Any] = {"id": rid, "status": primary["status"], "duplicate_of": primary["id"]}
    if primary["status"] == "ok":
        summary = dict(primary["summary"])
        summary["article"] = {
            **summary.get("article", {}),
            "id": article.id,
            "content_sha256": article.sha256,
            "length": len(article.text),
            "published_at": article.published_iso,
            "url": article.url,
            "title": article.title,
            "source": article.source,
        }
        line["summary"] = summary
    else:
        line.update(reason=primary.get("reason"), detail=primary.get("detail"))
        line["locator"] = str(record.locator)
    return {**line, "text_sha256": primary.get("text_sha256")}
