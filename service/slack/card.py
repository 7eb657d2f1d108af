"""The summary as a Block Kit card: headline, facts of the main event, provenance, a button.

Every piece of text that comes from the article or the model goes through `fit`: escaped
for Slack and cut to Block Kit's limits. Blocks are built with slack_sdk's models, whose
`to_dict()` validates them (lengths, counts) before anything is sent.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from schemas import Event, EventSummary, Modality
from service.grounding import grounded_fields
from service.slack.facts import PEOPLE, figure_line, what_line, when_line, where_line, who_line
from service.slack.text import fit, fit_lines

SHOW_JSON_ACTION = "summary_json"
TEXT_LIMIT = 3000
FIELD_LIMIT = 2000
HEADER_LIMIT = 150
MAX_FIELDS = 10
MAX_FIGURES = 8
MAX_OTHER_EVENTS = 5
MAX_WARNING_CODES = 4

SOURCE_TYPES = {
    "party_to_conflict": "party to the conflict",
    "official": "official",
    "witness": "witness",
    "media": "media",
    "ngo": "NGO",
    "other": "other source",
}


def _md(text: str) -> MarkdownTextObject:
    # verbatim: Slack does not turn bare URLs, #names or @names into links or mentions.
    return MarkdownTextObject(text=text, verbatim=True)


def _field(label: str, lines: list[str]) -> MarkdownTextObject:
    head = f"*{label}*\n"
    return _md(head + fit_lines(lines or ["—"], FIELD_LIMIT - len(head)))


def main_event(events: list[Event]) -> Event | None:
    """The event the card is about: the first one asserted, else the first."""
    asserted = [event for event in events if event.modality is Modality.ASSERTED]
    chosen = asserted or events
    return chosen[0] if chosen else None


def _source_says(event: Event) -> list[str]:
    attribution = event.attribution
    if attribution is None:
        return ["the outlet itself (no other source named)"]
    kind = SOURCE_TYPES.get(attribution.source_type.value, attribution.source_type.value)
    return [attribution.source, f"{kind}, {attribution.status.value}"]


def _toll(event: Event) -> list[str]:
    figures = sorted(event.figures, key=lambda figure: figure.kind not in PEOPLE)
    lines = [figure_line(figure) for figure in figures[:MAX_FIGURES]]
    if len(event.figures) > MAX_FIGURES:
        lines.append(f"+{len(event.figures) - MAX_FIGURES} more in the full JSON")
    return lines or ["no figures given"]


def _event_fields(event: Event) -> list[MarkdownTextObject]:
    fields = [
        _field("What", what_line(event)),
        _field("When", when_line(event)),
        _field("Where", where_line(event)),
        _field("Who", who_line(event)),
        _field("Toll", _toll(event)),
        _field("Source says", _source_says(event)),
    ]
    return fields[:MAX_FIELDS]


def _other_event(event: Event) -> str:
    parts = [f"{event.event_type.value} › {event.sub_event_type.value}"]
    when = event.when.date or event.when.text
    if when:
        parts.append(when)
    if event.where is not None:
        parts.append(event.where.name)
    ordered = sorted(event.figures, key=lambda figure: figure.kind not in PEOPLE)
    figures = "; ".join(figure_line(figure) for figure in ordered[:3])
    modality = event.modality
    prefix = "" if modality is Modality.ASSERTED else f"{modality.value.capitalize()}: "
    return f"• {prefix}{', '.join(parts)}" + (f": {figures}" if figures else "")


def _others(events: list[Event], main: Event) -> SectionBlock | None:
    others = [event for event in events if event is not main]
    if not others:
        return None
    lines = [_other_event(event) for event in others[:MAX_OTHER_EVENTS]]
    if len(others) > MAX_OTHER_EVENTS:
        lines.append(f"+{len(others) - MAX_OTHER_EVENTS} more in the full JSON")
    head = "*Also in the article*\n"
    return SectionBlock(text=_md(head + fit_lines(lines, TEXT_LIMIT - len(head))))


def grounding_line(summary: EventSummary) -> str:
    """How many quoted fields were found in the article."""
    checked = [field.grounded for _, field in grounded_fields(summary) if field.evidence]
    found = sum(1 for value in checked if value)
    if not checked:
        return "nothing to ground"
    mark = "✅ grounded" if found == len(checked) else "⚠️ partly grounded"
    return f"{mark}: {found}/{len(checked)} quoted fields found in the article"


def warnings_line(summary: EventSummary) -> str:
    """The warnings by code, most frequent first."""
    if not summary.warnings:
        return "no warnings"
    counts = Counter(warning.code.value for warning in summary.warnings)
    shown = [f"{code} ×{count}" for code, count in counts.most_common(MAX_WARNING_CODES)]
    more = len(counts) - MAX_WARNING_CODES
    label = "warning" if len(summary.warnings) == 1 else "warnings"
    tail = f", +{more} more" if more > 0 else ""
    return f"⚠️ {len(summary.warnings)} {label}: {', '.join(shown)}{tail}"


def _context(summary: EventSummary) -> ContextBlock:
    meta = summary.extraction
    line = " · ".join(
        [
            meta.backend,
            meta.model,
            summary.language,
            grounding_line(summary),
            warnings_line(summary),
        ]
    )
    elements = [_md(fit(line, FIELD_LIMIT))]
    article = summary.article
    if article.title or article.url:
        source = " — ".join(part for part in (article.title, article.url) if part)
        elements.append(_md(fit(f"Source: {source}", FIELD_LIMIT)))
    return ContextBlock(elements=elements)


def card_blocks(summary: EventSummary, ref: str) -> list[Block]:
    """The card as slack_sdk block models (validated when turned into dicts)."""
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=fit(summary.headline, HEADER_LIMIT), emoji=False)),
        SectionBlock(text=_md(fit(summary.summary, TEXT_LIMIT))),
    ]
    main = main_event(summary.events)
    if main is None:
        blocks.append(SectionBlock(text=_md("_No event reported in this article._")))
    else:
        blocks.append(SectionBlock(fields=_event_fields(main)))
        others = _others(summary.events, main)
        if others is not None:
            blocks.append(others)
    blocks.append(_context(summary))
    button = ButtonElement(
        text=PlainTextObject(text="Show full JSON", emoji=False),
        action_id=SHOW_JSON_ACTION,
        value=ref,
    )
    blocks.append(ActionsBlock(elements=[button]))
    return blocks


def render_card(summary: EventSummary, ref: str) -> list[dict[str, Any]]:
    """The card as Block Kit JSON; `ref` is the key of the full summary for the button."""
    return [block.to_dict() for block in card_blocks(summary, ref)]


def card_text(summary: EventSummary) -> str:
    """The notification text that goes with the card (shown where blocks are not)."""
    return fit(f"Summary: {summary.headline}", TEXT_LIMIT)
