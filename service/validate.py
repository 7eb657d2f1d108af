"""Deterministic checks that every backend's draft goes through.

Grounding (quotes located by the service, never inside the article's instructions to the
model), free text (no invisible controls, markup or prompt wording), language, figures
(each number written in its evidence, "neutralised" never read as "killed"), dates (none
after publication, or after today without one; relative ones consistent), links (to
events that exist) and the newsroom's wording rules (no loaded label, no "confirmed"
claim without a confirmation). Each finding is an `Issue`; hard issues are worth a
re-ask to an LLM, and all of them end up as warnings on the summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any

import pycountry
from pydantic import BaseModel

from schemas import (
    ClaimStatus,
    DateDerivation,
    Event,
    EventTime,
    Evidence,
    Figure,
    FigureKind,
    Grounding,
    SourceType,
    SummaryDraft,
    SummaryWarning,
    WarningCode,
)
from schemas.event import Grounded
from service.article import Article
from service.grounding import Locator, ground_evidence, grounded_fields
from service.injection import (
    Instruction,
    PromptEcho,
    find_instructions,
    strip_invisible,
    strip_markup,
)
from service.normalize.language import detect_language
from service.normalize.numbers import find_numbers
from service.prompts import RenderedPrompt

WITHHELD = "[withheld by the service's checks]"
"""Stands in for a required text that could not be kept (markup only, prompt wording)."""
LANGUAGE_MIN_LETTERS = 60
"""Fewer letters of headline and summary than this are too few to tell their language."""
ARTICLE_MIN_LETTERS = 100
"""An article with fewer letters than this has no detected language reliable enough to
flag a draft by."""
HEADLINE_MAX_CHARS = 200


@dataclass(frozen=True)
class Issue:
    """One finding of the checks."""

    code: WarningCode
    message: str
    path: str
    hard: bool

    def as_warning(self) -> SummaryWarning:
        return SummaryWarning(code=self.code, message=self.message, path=self.path or None)

    def as_feedback(self) -> str:
        return f"{self.path or 'article'}: {self.message}"


def check_draft(
    draft: SummaryDraft, article: Article, prompt: RenderedPrompt | None = None
) -> tuple[SummaryDraft, list[Issue]]:
    """Ground every quote and check text, language, figures, dates, links and wording.

    Returns a new draft, repaired where the service can (invisible controls and markup
    removed, text repeating `prompt` replaced, a bad language code or a "neutralised"
    read as "killed" corrected), and the findings.
    """
    checked = draft.model_copy(deep=True)
    instructions = find_instructions(article.text)
    issues = _injection_notice(article, instructions)
    issues += _ground(checked, Locator(article.text, [(s.start, s.end) for s in instructions]))
    echo = PromptEcho(prompt, article.text) if prompt is not None else None
    issues += _screen_text(checked, echo)
    issues += _check_language(checked, article)
    issues += _check_wording(checked)
    known_ids = [event.id for event in checked.events]
    today = datetime.now(UTC).date()
    for index, event in enumerate(checked.events):
        path = f"events[{index}]"
        issues += _check_figures(event, path, checked.language)
        issues += _check_when(event, path, article.published, today)
        issues += _check_links(event, path, known_ids)
        issues += _check_claims(event, path)
    duplicates = sorted({i for i in known_ids if known_ids.count(i) > 1})
    for event_id in duplicates:
        issues.append(
            Issue(WarningCode.DUPLICATE_EVENT_ID, f"event id {event_id!r} is used twice", "events",
                  hard=True)
        )  # fmt: skip
    return checked, issues


def _injection_notice(article: Article, found: list[Instruction]) -> list[Issue]:
    """The article (or its title) holds text addressed to the model: say so."""
    issues: list[Issue] = []
    if found:
        where = ", ".join(f"[{span.start}, {span.end})" for span in found[:5])
        issues.append(
            _repaired(WarningCode.SUSPECTED_INJECTION, "", f"the article holds {len(found)} "
                      f"passage(s) addressed to the model rather than reporting news, at {where}; "
                      "quotes taken from them do not ground a fact")
        )  # fmt: skip
    if article.title and find_instructions(article.title):
        issues.append(
            _repaired(WarningCode.SUSPECTED_INJECTION, "article.title", "the title addresses the "
                      "model rather than naming the story")
        )  # fmt: skip
    return issues


def _ground(draft: SummaryDraft, locator: Locator) -> list[Issue]:
    issues: list[Issue] = []
    for path, field in grounded_fields(draft):
        field.evidence = [ground_evidence(item, locator) for item in field.evidence]
        found = [e for e in field.evidence if e.grounding is not Grounding.UNGROUNDED]
        field.grounded = bool(found)
        for position, item in enumerate(field.evidence):
            where = f"{path}.evidence[{position}]"
            if item.grounding is Grounding.UNGROUNDED:
                issues.append(Issue(WarningCode.UNGROUNDED, _not_found(item, locator), where,
                                    hard=True))  # fmt: skip
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


def _not_found(item: Evidence, locator: Locator) -> str:
    if locator.only_excluded(item.quote):
        return ("quote comes from a passage of the article addressed to the model, not from its "
                f"reporting: {_clip(item.quote)!r}")  # fmt: skip
    return f"quote not found in the article: {_clip(item.quote)!r}"


def _states_a_fact(field: Grounded) -> bool:
    """False for a date that asserts nothing from the text (unknown, or the publication date)."""
    if isinstance(field, EventTime):
        from_text = field.text is not None or field.time is not None
        return from_text or field.derivation not in _NOT_FROM_TEXT
    return True


_NOT_FROM_TEXT = (DateDerivation.UNKNOWN, DateDerivation.PUBLICATION_DATE)


# --- free text ----------------------------------------------------------------------------


def _screen_text(draft: SummaryDraft, echo: PromptEcho | None) -> list[Issue]:
    """Invisible controls and markup out of every text but quotes; prompt wording replaced.

    Events come first, then the summary, then the headline: a replaced summary is made of
    the checked descriptions, a replaced headline of the checked summary.
    """
    issues: list[Issue] = []
    fields = [*_texts(draft.events, "events"), ("summary", draft, "summary"),
              ("headline", draft, "headline")]  # fmt: skip
    for path, owner, name in fields:
        value: str = getattr(owner, name)
        text = strip_invisible(value)
        if text != value:
            issues.append(_repaired(WarningCode.INVISIBLE_CHARACTERS, path, "invisible or "
                                    "text-direction control characters removed"))  # fmt: skip
        if echo is not None and echo.found_in(text):
            issues.append(Issue(WarningCode.PROMPT_LEAK, "repeats the instructions given to the "
                                "model instead of reporting the article; replaced", path,
                                hard=True))  # fmt: skip
            text = ""
        plain = strip_markup(text)
        if plain != text:
            issues.append(Issue(WarningCode.MARKUP_REMOVED, "markup removed (Slack control "
                                "sequences, links, HTML, script URLs); its words are kept", path,
                                hard=True))  # fmt: skip
        if plain != value:
            kept = plain if any(ch.isalnum() for ch in plain) else _stand_in(draft, owner, name)
            setattr(owner, name, kept)
    return issues


def _texts(value: Any, path: str) -> list[tuple[str, BaseModel, str]]:
    """(path, model, field name) of every text field under `value`, evidence quotes aside."""
    found: list[tuple[str, BaseModel, str]] = []
    if isinstance(value, list):
        for index, item in enumerate(value):
            found += _texts(item, f"{path}[{index}]")
    elif isinstance(value, BaseModel) and not isinstance(value, Evidence):
        for name in type(value).model_fields:
            item = getattr(value, name)
            if isinstance(item, str) and not isinstance(item, Enum):
                found.append((f"{path}.{name}", value, name))
            elif isinstance(item, BaseModel | list):
                found += _texts(item, f"{path}.{name}")
    return found


def _stand_in(draft: SummaryDraft, owner: BaseModel, name: str) -> str | None:
    """What replaces a text that could not be kept."""
    if owner is draft and name == "summary":
        return _descriptions(draft) or WITHHELD
    if owner is draft and name == "headline":
        return _headline_of(draft.summary) if draft.summary != WITHHELD else WITHHELD
    if isinstance(owner, Figure) and name == "raw":
        quotes = [e.quote for e in owner.evidence if e.grounding is not Grounding.UNGROUNDED]
        return quotes[0] if quotes else WITHHELD
    return WITHHELD if type(owner).model_fields[name].is_required() else None


def _descriptions(draft: SummaryDraft) -> str:
    kept = [e.description for e in draft.events if e.description != WITHHELD][:4]
    return " ".join(kept)[:1500]


def _headline_of(text: str) -> str:
    """The first sentence of `text`, cut on a word to fit a headline."""
    first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    if len(first) <= HEADLINE_MAX_CHARS:
        return first
    return first[: HEADLINE_MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"


# --- language -----------------------------------------------------------------------------


def _check_language(draft: SummaryDraft, article: Article) -> list[Issue]:
    """The language code is the article's; headline and summary are in the output language.

    Without a declared language, a short article's detected language is not trusted enough
    to flag anything by (a bad code is still replaced).
    """
    source = article.language or detect_language(article.text)
    known = article.language is not None or _letters(article.text) >= ARTICLE_MIN_LETTERS
    issues: list[Issue] = []
    code = draft.language
    if pycountry.languages.get(alpha_2=code) is None:
        draft.language = source
        issues.append(
            _repaired(
                WarningCode.LANGUAGE_MISMATCH,
                "language",
                f"{code!r} is not an ISO 639-1 language code; set to {source!r}, the article's",
            )
        )
    elif code != source and article.language:
        draft.language = source
        issues.append(
            _repaired(
                WarningCode.LANGUAGE_MISMATCH,
                "language",
                f"{code!r} differs from the declared language {source!r}; set to {source!r}",
            )
        )
    elif code != source and known:
        issues.append(_repaired(WarningCode.LANGUAGE_MISMATCH, "language", f"{code!r}, but the "
                                f"article reads as {source!r}"))  # fmt: skip
    wanted = article.output_language or (source if known else None)
    prose = f"{draft.headline}\n{draft.summary}"
    if wanted is None or _letters(prose) < LANGUAGE_MIN_LETTERS:
        return issues
    written = detect_language(prose)
    if written == wanted:
        return issues
    message = f"headline and summary are written in {written!r}, not in {wanted!r}"
    descriptions = _descriptions(draft)
    if descriptions and detect_language(descriptions) == wanted:
        draft.summary, draft.headline = descriptions, _headline_of(descriptions)
        message += "; replaced by the event descriptions"
    issues.append(Issue(WarningCode.LANGUAGE_MISMATCH, message, "summary", hard=True))
    return issues


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


# --- newsroom wording ---------------------------------------------------------------------

# Loaded labels for armed actors ("anti-terrorist unit" is a name, not a label).
_LOADED = re.compile(
    r"(?<![-\w])(?<!anti )(?<!counter )(?<!contre )"
    r"(?:terroris(?:ts?|tes?|tas?)|bandi(?:ts?|dos?)|thugs?|voyous?)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|«[^»]*»|‘[^’]*’|(?<!\w)'[^']*'(?!\w)")


def _check_wording(draft: SummaryDraft) -> list[Issue]:
    """Loaded words stay the actors' reported wording: never a label, nor the text's own."""
    issues: list[Issue] = []
    prose = [("headline", draft.headline), ("summary", draft.summary)] + [
        (f"events[{i}].description", e.description) for i, e in enumerate(draft.events)
    ]
    for path, text in prose:
        if loaded := _LOADED.search(_QUOTED.sub("", text)):
            issues.append(
                _repaired(
                    WarningCode.LOADED_WORDING,
                    path,
                    f"uses the loaded term {loaded[0]!r} as its own word: quote and attribute it",
                )
            )
    for index, event in enumerate(draft.events):
        for position, actor in enumerate(event.actors):
            if loaded := _LOADED.search(actor.label):
                issues.append(
                    Issue(WarningCode.LOADED_WORDING, f"label adopts the loaded term "
                          f"{loaded[0]!r}: keep it in the name, give a neutral label",
                          f"events[{index}].actors[{position}].label", hard=True)
                )  # fmt: skip
    return issues


_CONFIRMING = re.compile(r"confirm|verifi|corrobor|independent|bestätig", re.IGNORECASE)


def _check_claims(event: Event, path: str) -> list[Issue]:
    """'confirmed' needs an independent source whose evidence says so."""
    attribution = event.attribution
    if attribution is None or attribution.status is not ClaimStatus.CONFIRMED:
        return []
    where = f"{path}.attribution"
    if attribution.source_type is SourceType.PARTY_TO_CONFLICT:
        attribution.status = ClaimStatus.CLAIMED
        return [_repaired(WarningCode.CLAIM_STATUS_UNSUPPORTED, where, "a party to the conflict "
                          "claims, it does not confirm: status set to 'claimed'")]  # fmt: skip
    if not _CONFIRMING.search(" ".join(_grounded_quotes(attribution))):
        return [_repaired(WarningCode.CLAIM_STATUS_UNSUPPORTED, where, "status 'confirmed', but "
                          "its evidence does not say the account was confirmed")]  # fmt: skip
    return []


def _grounded_quotes(field: Grounded) -> list[str]:
    return [e.quote for e in field.evidence if e.grounding is not Grounding.UNGROUNDED]


# --- figures, dates, links ----------------------------------------------------------------

_NEUTRALISED = re.compile(r"neutrali[sz]", re.IGNORECASE)
# Words of death in the languages the service reads best (a stem is enough here: any of
# them beside "neutralised" leaves the kind alone).
_DEATH = re.compile(
    r"kill|dead|death|died|\bdie\b|fatal|slain|lives|perish|murder|massacr|execut|behead|"
    r"bod(?:y|ies)|\btu[ée]|\bmort|décè|décéd|péri|abattu|assassin|muert|muri|fallec|"
    r"morre|getötet|\btot|starb|uccis",
    re.IGNORECASE,
)


def _check_figures(event: Event, path: str, language: str) -> list[Issue]:
    issues: list[Issue] = []
    for index, figure in enumerate(event.figures):
        where = f"{path}.figures[{index}]"
        said = " ".join(_grounded_quotes(figure))
        if (
            figure.kind is FigureKind.KILLED
            and _NEUTRALISED.search(said)
            and not _DEATH.search(said)
        ):
            figure.kind = FigureKind.NEUTRALISED
            issues.append(_repaired(WarningCode.FIGURE_KIND_MISMATCH, where, "the evidence says "
                                    "neutralised (killed or captured, not known which), not "
                                    "killed: kind set to 'neutralised'"))  # fmt: skip
        wanted = [v for v in (figure.value, figure.low, figure.high) if v is not None]
        if not wanted:
            continue
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


def _check_when(event: Event, path: str, published: date | None, today: date) -> list[Issue]:
    """Dates must not be invented, guessed, or later than the publication (or today)."""
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
    if when.date is None:
        return []
    if published is None:
        # No publication date: it cannot be later than today (a day's margin for time zones).
        limit = (today + timedelta(days=1)).isoformat()
        if when.date > limit[: len(when.date)]:
            return [
                Issue(WarningCode.DATE_AFTER_PUBLICATION, f"event date {when.date} is in the "
                      f"future (today is {today.isoformat()}, no publication date was given)",
                      where, hard=True)
            ]  # fmt: skip
        return []
    if when.date > published.isoformat()[: len(when.date)]:
        return [
            Issue(WarningCode.DATE_AFTER_PUBLICATION, f"event date {when.date} is after the "
                  f"publication date {published.isoformat()}", where, hard=True)
        ]  # fmt: skip
    return []


def _repaired(code: WarningCode, path: str, message: str) -> Issue:
    """A finding the service has already corrected, or can only report: not worth a re-ask."""
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
