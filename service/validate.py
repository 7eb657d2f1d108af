"""Deterministic checks that every backend's draft goes through.

Grounding (quotes located by the service), figures (each number written in its
evidence), dates (none after publication, relative ones consistent), links (to
events that exist). Each finding is an `Issue`; hard issues are worth a re-ask
to an LLM, and all of them end up as warnings on the summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from schemas import (
    DateDerivation,
    Event,
    EventTime,
    Figure,
    Grounding,
    SummaryDraft,
    SummaryWarning,
    WarningCode,
)
from schemas.event import Grounded
from service.article import Article
from service.grounding import Locator, ground_evidence, grounded_fields
from service.normalize.numbers import find_numbers


@dataclass(frozen=True)
class Issue:
    """One finding of the checks."""

    code: WarningCode
    message: str
    path: str
    hard: bool

    def as_warning(self) -> SummaryWarning:
        return SummaryWarning(code=self.code, message=self.message, path=self.path)

    def as_feedback(self) -> str:
        return f"{self.path}: {self.message}"


def check_draft(draft: SummaryDraft, article: Article) -> tuple[SummaryDraft, list[Issue]]:
    """Ground every quote and check figures, dates and links; returns a new draft."""
    checked = draft.model_copy(deep=True)
    locator = Locator(article.text)
    issues = _ground(checked, locator)
    language = checked.language
    known_ids = [event.id for event in checked.events]
    for index, event in enumerate(checked.events):
        path = f"events[{index}]"
        issues += _check_figures(event, path, language)
        issues += _check_when(event, path, article.published)
        issues += _check_links(event, path, known_ids)
    duplicates = sorted({i for i in known_ids if known_ids.count(i) > 1})
    for event_id in duplicates:
        issues.append(
            Issue(WarningCode.DUPLICATE_EVENT_ID, f"event id {event_id!r} is used twice", "events",
                  hard=True)
        )  # fmt: skip
    return checked, issues


def _ground(draft: SummaryDraft, locator: Locator) -> list[Issue]:
    issues: list[Issue] = []
    for path, field in grounded_fields(draft):
        field.evidence = [ground_evidence(item, locator) for item in field.evidence]
        found = [e for e in field.evidence if e.grounding is not Grounding.UNGROUNDED]
        field.grounded = bool(found)
        for position, item in enumerate(field.evidence):
            where = f"{path}.evidence[{position}]"
            if item.grounding is Grounding.UNGROUNDED:
                issues.append(
                    Issue(WarningCode.UNGROUNDED, "quote not found in the article: "
                          f"{_clip(item.quote)!r}", where, hard=True)
                )  # fmt: skip
            elif item.grounding is Grounding.FUZZY:
                issues.append(
                    Issue(WarningCode.FUZZY_MATCH, "quote only approximately matches the "
                          "article; the offsets point at the closest passage", where, hard=False)
                )  # fmt: skip
        if not field.evidence:
            if not _states_a_fact(field):
                field.grounded = None
                continue
            field.grounded = False
            issues.append(Issue(WarningCode.UNGROUNDED, "no evidence quote given", path, hard=True))
    return issues


def _states_a_fact(field: Grounded) -> bool:
    """False for a date that asserts nothing from the text (unknown, or the publication date)."""
    if isinstance(field, EventTime):
        from_text = field.text is not None or field.time is not None
        return from_text or field.derivation not in _NOT_FROM_TEXT
    return True


_NOT_FROM_TEXT = (DateDerivation.UNKNOWN, DateDerivation.PUBLICATION_DATE)


def _check_figures(event: Event, path: str, language: str) -> list[Issue]:
    issues: list[Issue] = []
    for index, figure in enumerate(event.figures):
        wanted = [v for v in (figure.value, figure.low, figure.high) if v is not None]
        if not wanted:
            continue
        where = f"{path}.figures[{index}]"
        written = _numbers_written(figure, language)
        missing = [value for value in wanted if value not in written]
        if missing:
            figure.grounded = False
            shown = ", ".join(str(value) for value in missing)
            issues.append(
                Issue(WarningCode.FIGURE_NOT_IN_EVIDENCE, f"the number {shown} is not written in "
                      "the figure's evidence (as digits or number words)", where, hard=True)
            )  # fmt: skip
    return issues


def _numbers_written(figure: Figure, language: str) -> set[int]:
    values: set[int] = set()
    for item in figure.evidence:
        if item.grounding is Grounding.UNGROUNDED:
            continue
        values.update(mention.value for mention in find_numbers(item.quote, language))
    return values


def _check_when(event: Event, path: str, published: date | None) -> list[Issue]:
    """Dates must not be invented, guessed or later than the publication."""
    when = event.when
    where = f"{path}.when"
    derivation = when.derivation
    if derivation is DateDerivation.RELATIVE_RESOLVED and published is None:
        when.date = None
        when.derivation = DateDerivation.RELATIVE_UNRESOLVED
        message = "a relative date cannot be resolved without a publication date; removed"
        return [_repaired(WarningCode.RELATIVE_DATE_UNRESOLVED, where, message)]
    if derivation in (DateDerivation.RELATIVE_UNRESOLVED, DateDerivation.UNKNOWN) and when.date:
        when.date = None
        message = f"a date marked {derivation.value!r} must not carry a date; it was removed"
        return [_repaired(WarningCode.DATE_CORRECTED, where, message)]
    if derivation is DateDerivation.PUBLICATION_DATE:
        expected = published.isoformat() if published is not None else None
        if when.date != expected:
            when.date = expected
            return [_repaired(WarningCode.DATE_CORRECTED, where, "a date taken from the "
                              f"publication date must equal it ({expected or 'unknown'}); it was "
                              "corrected")]  # fmt: skip
    if when.date is None or published is None:
        return []
    if when.date > published.isoformat()[: len(when.date)]:
        return [
            Issue(WarningCode.DATE_AFTER_PUBLICATION, f"event date {when.date} is after the "
                  f"publication date {published.isoformat()}", where, hard=True)
        ]  # fmt: skip
    return []


def _repaired(code: WarningCode, path: str, message: str) -> Issue:
    """A finding the service has already corrected: reported, not worth a re-ask."""
    return Issue(code, message, path, hard=False)


def _check_links(event: Event, path: str, known_ids: list[str]) -> list[Issue]:
    issues: list[Issue] = []
    for index, link in enumerate(event.links):
        if link.event_id == event.id or link.event_id not in known_ids:
            issues.append(
                Issue(WarningCode.BROKEN_LINK, f"link to {link.event_id!r}: no such other event",
                      f"{path}.links[{index}]", hard=True)
            )  # fmt: skip
    return issues


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
