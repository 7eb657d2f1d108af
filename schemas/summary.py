"""The article in, the summary out."""

from __future__ import annotations

from contextlib import suppress
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, Field, field_validator

from schemas.event import Contract, Event

MAX_TEXT_CHARS = 10_000_000
"""Hard bound of the contract; the service's own limit (`max_article_chars`) is lower."""


def _iso_date_or_datetime(value: object) -> object:
    """Only ISO 8601 text is a publication date (no Unix timestamps, no '2025')."""
    if value is None or isinstance(value, date | datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("published_at must be an ISO 8601 date or date-time string")
    text = value.strip()
    with suppress(ValueError):
        return date.fromisoformat(text)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            "published_at must be an ISO 8601 date (2025-01-09) or date-time "
            "(2025-01-09T08:30:00+00:00)"
        ) from None


PublishedAt = Annotated[datetime | date | None, BeforeValidator(_iso_date_or_datetime)]


class ArticleIn(Contract):
    """An article submitted for summarising."""

    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="The article text.")
    id: str | None = Field(default=None, max_length=200, description="The caller's id.")
    url: str | None = Field(default=None, max_length=2000, description="Where it was published.")
    title: str | None = Field(default=None, max_length=1000, description="The article's title.")
    published_at: PublishedAt = Field(
        default=None,
        description="Publication date or date-time; relative dates are resolved against it.",
    )
    language: str | None = Field(
        default=None,
        pattern=r"^[a-z]{2}$",
        description="ISO 639-1 language of the article; detected when absent.",
    )
    source: str | None = Field(default=None, max_length=200, description="Outlet name.")
    backend: str | None = Field(
        default=None, max_length=64, description="A configured backend name to use."
    )
    output_language: str | None = Field(
        default=None,
        pattern=r"^[a-z]{2}$",
        description="ISO 639-1 language of headline and summary (default: the article's).",
    )

    @field_validator("text")
    @classmethod
    def _has_words(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("text contains NUL bytes: not a text article")
        if not any(ch.isalpha() for ch in value):
            raise ValueError("text has no letters: nothing to summarise")
        return value


class SummaryDraft(Contract):
    """What a backend produces: headline, summary and events, with quotes as evidence."""

    headline: str = Field(
        min_length=1,
        max_length=200,
        description="Neutral headline; a claim stays a claim ('Army says it repelled attack').",
    )
    summary: str = Field(
        min_length=1,
        max_length=1500,
        description="2 to 4 neutral sentences in the output language, attributing claims.",
    )
    language: str = Field(pattern=r"^[a-z]{2}$", description="ISO 639-1 code of the article.")
    events: list[Event] = Field(
        default_factory=list,
        max_length=30,
        description="Events the article reports; empty when it reports none. Never invent one.",
    )


class WarningCode(StrEnum):
    """Stable codes of the warnings a summary may carry."""

    UNGROUNDED = "ungrounded"
    FUZZY_MATCH = "fuzzy_match"
    FIGURE_NOT_IN_EVIDENCE = "figure_not_in_evidence"
    DATE_AFTER_PUBLICATION = "date_after_publication"
    RELATIVE_DATE_UNRESOLVED = "relative_date_unresolved"
    DATE_CORRECTED = "date_corrected"
    PLACE_NOT_RESOLVED = "place_not_resolved"
    BROKEN_LINK = "broken_link"
    DUPLICATE_EVENT_ID = "duplicate_event_id"
    LANGUAGE_MISMATCH = "language_mismatch"
    BACKEND_FALLBACK = "backend_fallback"
    VALIDATION_ERRORS_REMAIN = "validation_errors_remain"
    SUSPECTED_INJECTION = "suspected_injection"
    PROMPT_LEAK = "prompt_leak"
    MARKUP_REMOVED = "markup_removed"
    INVISIBLE_CHARACTERS = "invisible_characters_removed"
    FIGURE_KIND_MISMATCH = "figure_kind_mismatch"
    LOADED_WORDING = "loaded_wording"
    CLAIM_STATUS_UNSUPPORTED = "claim_status_unsupported"


class SummaryWarning(Contract):
    """Something a reader should know about a field."""

    code: WarningCode = Field(description="Stable code of the finding.")
    message: str = Field(max_length=1000, description="What was found, for a reader.")
    path: str | None = Field(
        default=None, max_length=200, description="Where, e.g. 'events[0].figures[1]'."
    )


class ExtractionMeta(Contract):
    """How the summary was made."""

    backend: str = Field(description="Name of the backend that answered.")
    backend_kind: str = Field(description="openai, anthropic or offline.")
    model: str = Field(description="Model that answered, as the provider names it.")
    prompt_version: str = Field(description="Hash of the prompt templates.")
    schema_version: str = Field(description="Version of this contract.")
    attempts: int = Field(ge=1, description="Calls to the backend that answered.")
    reasks: int = Field(ge=0, description="Validation re-asks among those attempts.")
    upstream_calls: int = Field(
        ge=0, description="HTTP calls made for those attempts, retries of our policy included."
    )
    input_tokens: int = Field(ge=0, description="Prompt tokens, re-asks included.")
    output_tokens: int = Field(ge=0, description="Completion tokens, re-asks included.")
    latency_ms: float = Field(ge=0, description="Time from request to checked summary.")
    backends_failed: list[str] = Field(
        default_factory=list, description="Backends tried before, that failed."
    )
    failed_input_tokens: int = Field(
        default=0, ge=0, description="Prompt tokens spent on the backends that failed."
    )
    failed_output_tokens: int = Field(
        default=0, ge=0, description="Completion tokens spent on the backends that failed."
    )
    failed_upstream_calls: int = Field(
        default=0, ge=0, description="HTTP calls made to the backends that failed."
    )
    chunks: int = Field(
        default=1,
        ge=1,
        description="Pieces the article was sent in (over 1: too long for the backend's "
        "context window; the drafts were merged and checked against the whole article).",
    )


class ArticleMeta(Contract):
    """What the service knows of the submitted article."""

    id: str | None = Field(default=None, description="The caller's id.")
    content_sha256: str = Field(description="SHA-256 of the submitted text.")
    length: int = Field(description="Length of the text in characters (offsets index it).")
    published_at: str | None = Field(default=None, description="Publication date, ISO 8601.")
    url: str | None = Field(default=None, description="The article's URL.")
    title: str | None = Field(default=None, description="The article's title.")
    source: str | None = Field(default=None, description="The outlet.")


class EventSummary(SummaryDraft):
    """The validated, source-grounded summary of one article."""

    warnings: list[SummaryWarning] = Field(
        default_factory=list, max_length=500, description="What the checks found, per field."
    )
    article: ArticleMeta = Field(description="The submitted article, as the service saw it.")
    extraction: ExtractionMeta = Field(description="How the summary was made.")
