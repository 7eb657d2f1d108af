"""The `when` of an event from the date mentions of its sentences."""

from __future__ import annotations

import re
from functools import cache

from schemas import DateDerivation, EventTime, Evidence, TimePrecision
from service.normalize.dates import DateMention

_RECENCY = {
    "en": r"\b(?:just|latest|this week|recently|on-going|ongoing|now|currently|still)\b|"
    r"\b(?:has|have) been\b",
    "fr": r"\b(?:vient de|viennent de|récemment|en cours|actuellement|toujours|dernier en date)\b",
}


@cache
def _recency(lang: str) -> re.Pattern[str]:
    return re.compile(_RECENCY["fr" if lang == "fr" else "en"], re.IGNORECASE)


def _precision(value: str) -> TimePrecision:
    try:
        return TimePrecision(value)
    except ValueError:
        return TimePrecision.UNKNOWN


def _derivation(value: str) -> DateDerivation:
    try:
        return DateDerivation(value)
    except ValueError:
        return DateDerivation.UNKNOWN


def from_mention(mention: DateMention) -> EventTime:
    """An EventTime grounded on one date mention."""
    derivation = _derivation(mention.derivation)
    return EventTime(
        text=mention.text[:200],
        date=mention.date if derivation is not DateDerivation.RELATIVE_UNRESOLVED else None,
        time=mention.time,
        timezone=mention.timezone,
        approximate=mention.approximate,
        precision=_precision(mention.precision),
        derivation=derivation,
        evidence=[Evidence(quote=mention.text[:600], start=mention.start, end=mention.end)],
    )


def is_specific(mention: DateMention) -> bool:
    """True for a date that can place an event: a day or a week, resolved or not."""
    return mention.precision in ("day", "week") or mention.time is not None


def from_publication(published: str | None, text: str, lang: str) -> EventTime:
    """The publication date when the text implies recency; otherwise an unknown date."""
    if published is not None and _recency(lang).search(text):
        return EventTime(
            date=published,
            precision=TimePrecision.DAY,
            derivation=DateDerivation.PUBLICATION_DATE,
            approximate=True,
        )
    return EventTime()


def key(mention: DateMention | None) -> str | None:
    """What makes two dates the same occurrence: the resolved day, else the phrase."""
    if mention is None:
        return None
    return mention.date or re.sub(r"\s+", " ", mention.text.casefold())
