"""The work behind every entry point: read the article, summarise it, send the card.

Runs after the ack, inside the tracker. Failures become a short, polite message with a
reference id; the log gets that id and the error code, never the article, the
`response_url` or a token.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import aiohttp
from pydantic import ValidationError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from schemas import ArticleIn, EventSummary
from service.article import Article
from service.errors import InputError, SummarizerError
from service.pipeline import Pipeline
from service.slack.card import card_text, render_card
from service.slack.fetch import PageFetcher, check_url
from service.slack.messages import error_text, new_ref
from service.slack.replies import Reply, ReplyFailed
from service.slack.text import Source
from service.slack.tracker import WorkTracker
from service.slack.ttl import TTLMap

log = logging.getLogger(__name__)

NOTIFY_TIMEOUT_S = 5.0
SEND_ERRORS = (SlackApiError, ReplyFailed, aiohttp.ClientError, TimeoutError)
ARTICLE_LIMITS = {"url": 2000, "title": 1000, "source": 200}


@dataclass(frozen=True)
class Job:
    """One request from Slack: what to summarise and where the answer goes."""

    entry: str
    source: Source
    reply: Reply


class Jobs:
    """Summarises what Slack users ask for, in tracked background work."""

    def __init__(
        self,
        pipeline: Pipeline,
        fetcher: PageFetcher,
        tracker: WorkTracker,
        summaries: TTLMap[str, EventSummary],
    ) -> None:
        self.pipeline = pipeline
        self.fetcher = fetcher
        self.tracker = tracker
        self.summaries = summaries

    def submit(self, job: Job) -> bool:
        """Start `job` after the ack; False when shutting down (the caller tells the user)."""
        return self.tracker.start(self.run(job), name=job.entry) is not None

    def refusal(self, job: Job) -> str:
        """The message that `job` cannot be taken while the bot restarts (and its log line)."""
        ref = new_ref()
        _failed(job, ref, "restarting")
        return error_text("restarting", ref)

    async def refuse(self, job: Job) -> None:
        """Tell the user the bot is restarting and cannot take `job` now."""
        await notify(job.reply, self.refusal(job))

    async def run(self, job: Job) -> None:
        """Summarise and answer; every failure ends as a polite message, never a trace."""
        ref = new_ref()
        try:
            async with self.tracker.slot():
                article = await self.article(job.source)
                summary = await self.pipeline.summarize(article)
        except asyncio.CancelledError:
            _failed(job, ref, "interrupted")
            await notify(job.reply, error_text("interrupted", ref))
            raise
        except SummarizerError as exc:
            _failed(job, ref, exc.code)
            await notify(job.reply, error_text(exc.code, ref))
            return
        except Exception as exc:  # noqa: BLE001 - a defect: the user still gets an answer
            _failed(job, ref, "internal_error", error_type=type(exc).__name__)
            await notify(job.reply, error_text("internal_error", ref))
            return
        self.summaries.put(ref, summary)
        try:
            await job.reply.card(render_card(summary, ref), card_text(summary))
        except SEND_ERRORS as exc:
            _failed(job, ref, "reply_failed", slack_error=_send_error(exc))
            return
        log.info(
            "slack summary sent",
            extra={
                "entry": job.entry,
                "ref": ref,
                "article_sha256": summary.article.content_sha256,
                "article_length": summary.article.length,
                "backend": summary.extraction.backend,
                "events": len(summary.events),
                "warnings": len(summary.warnings),
                "latency_ms": summary.extraction.latency_ms,
            },
        )

    async def article(self, source: Source) -> Article:
        """The article to summarise: the message text, or the page behind the link."""
        if source.url is not None:
            page = await self.fetcher.fetch(source.url)
            fields: dict[str, Any] = {
                "text": page.text,
                "url": str(check_url(source.url)),
                "title": page.title,
                "source": page.site,
                "published_at": _iso_date(page.published_at),
            }
        else:
            fields = {"text": source.text or ""}
        for name, limit in ARTICLE_LIMITS.items():
            value = fields.get(name)
            if isinstance(value, str) and len(value) > limit:
                fields[name] = None if name == "url" else value[:limit]
        try:
            body = ArticleIn.model_validate(fields)
        except ValidationError as exc:
            # The reasons only: the values are the article itself.
            reasons = "; ".join(str(error["msg"]) for error in exc.errors())
            raise InputError(f"not an article: {reasons}") from None
        limit = self.pipeline.settings.max_article_chars
        if len(body.text) > limit:
            raise InputError(
                f"the article is longer than {limit} characters", code="article_too_large"
            )
        return Article.from_input(body)


def _iso_date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def _send_error(exc: BaseException) -> str:
    """Slack's error code (e.g. not_in_channel), or the kind of failure."""
    if isinstance(exc, SlackApiError):
        response: Any = exc.response
        try:
            return str(response.get("error", "unknown"))
        except AttributeError:
            return "unknown"
    return type(exc).__name__


def _failed(job: Job, ref: str, code: str, **extra: str) -> None:
    log.warning(
        "slack request failed",
        extra={"entry": job.entry, "ref": ref, "error_code": code, **extra},
    )


async def open_view(client: AsyncWebClient, trigger_id: str, view: dict[str, Any]) -> None:
    """Open a modal; a trigger that expired or a refusal is logged, not raised."""
    try:
        await client.views_open(trigger_id=trigger_id, view=view)
    except SEND_ERRORS as exc:
        log.warning("slack view not opened", extra={"slack_error": _send_error(exc)})


async def notify(reply: Reply, text: str) -> None:
    """Tell the user it failed; a failure to tell them is logged, not raised."""
    try:
        async with asyncio.timeout(NOTIFY_TIMEOUT_S):
            await reply.error(text)
    except SEND_ERRORS as exc:
        log.warning("slack error reply not delivered", extra={"slack_error": _send_error(exc)})
