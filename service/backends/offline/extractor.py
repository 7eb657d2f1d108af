"""The rule-based extractor: article text in, schema-valid `SummaryDraft` out.

Reads the whole text once with the normalisers (dates, numbers, places, offsets),
segments sentences into event candidates, then fills each event's fields with
verbatim quotes as evidence. Passages addressed to the model (`find_instructions`)
are not read: nothing is taken from them, and a title that gives orders is not used.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

from schemas import Event, EventLink, LinkRelation, Modality, SummaryDraft
from service.article import Article
from service.backends.offline import compose
from service.backends.offline.attribution import Source, find_sources
from service.backends.offline.classify import classify
from service.backends.offline.countries import BY_CODE
from service.backends.offline.fields import EventFields, build_event, describe
from service.backends.offline.figures import find_figures, usable_numbers
from service.backends.offline.modality import is_generic, is_past, modality_of
from service.backends.offline.segment import SentenceInfo, segment
from service.backends.offline.spans import ByStart
from service.backends.offline.text import Sentence, split_sentences
from service.backends.offline.when import is_specific, key
from service.backends.offline.where import Geography, main_country, place_key
from service.injection import find_instructions, overlaps, strip_invisible, strip_markup
from service.normalize.dates import DateMention, find_dates
from service.normalize.language import detect_language
from service.normalize.numbers import NumberMention, find_numbers
from service.normalize.places import Gazetteer, find_offsets, find_places
from service.normalize.textutil import Span

MAX_EVENTS = 30
_Found = TypeVar("_Found", bound=Span)


@dataclass(frozen=True)
class Reading:
    """Everything the normalisers found in one article."""

    text: str
    lang: str
    sentences: list[Sentence]
    dates: list[DateMention]
    numbers: list[NumberMention]
    geo: Geography
    sources: dict[int, Source]
    published: str | None

    @cached_property
    def date_index(self) -> ByStart[DateMention]:
        """The dates indexed by offset."""
        return ByStart(self.dates)


def language_of(article: Article) -> str:
    """The article's language: the caller's hint, else detection."""
    return article.language or detect_language(article.text)


def read(article: Article, lang: str, gazetteer: Gazetteer) -> Reading:
    """Run the normalisers over the whole text once; passages addressed to the model are
    left out."""
    text = article.text
    spans = find_instructions(text)

    def kept(found: list[_Found]) -> list[_Found]:
        return [m for m in found if not overlaps(spans, m.start, m.end)] if spans else found

    sentences = kept(split_sentences(text))
    dates = kept(find_dates(text, lang, article.published))
    offsets = kept(find_offsets(text, lang))
    mentions = kept(find_places(text, lang, gazetteer))
    country = main_country(mentions, None)
    excluded = [(d.start, d.end) for d in dates] + [(o.start, o.end) for o in offsets]
    numbers = kept(usable_numbers(text, find_numbers(text, lang), excluded))
    geo = Geography(text, mentions, offsets, country)
    published = article.published.isoformat() if article.published else None
    sources = find_sources(sentences, lang)
    return Reading(text, lang, sentences, dates, numbers, geo, sources, published)


def _info(reading: Reading, sentence: Sentence) -> SentenceInfo:
    lang = reading.lang
    within = reading.date_index.within(sentence.start, sentence.end)
    specific = [d for d in within if is_specific(d)]
    places = frozenset(
        place_key(reading.text, m)
        for m in reading.geo.mention_index.within(sentence.start, sentence.end)
        if m.kind == "locality"
    )
    offset = bool(reading.geo.offset_index.within(sentence.start, sentence.end))
    figures = find_figures(reading.text, sentence.start, sentence.end, reading.numbers, lang)
    return SentenceInfo(
        sentence=sentence,
        classification=classify(sentence.text, lang),
        date_key=key(specific[0]) if specific else None,
        places=places,
        offset=offset,
        has_figure=any(f.value is not None for f in figures),
        past=is_past(sentence.text, lang),
        generic=is_generic(sentence.text, lang),
        lang=lang,
        planned=modality_of(sentence.text, lang) in (Modality.PLANNED, Modality.THREATENED),
    )


def _links(events: list[Event], fields: list[EventFields]) -> None:
    """Background events point to the main one; undated follow-ups to their operation."""
    main = next((i for i, f in enumerate(fields) if f.modality is not Modality.BACKGROUND), None)
    if main is None:
        return
    for index, item in enumerate(fields):
        if index == main:
            continue
        relation: LinkRelation | None = None
        if item.modality is Modality.BACKGROUND:
            relation = LinkRelation.EARLIER_RELATED
        elif item.inherited_date_from is not None and item.shares_with(fields[main]):
            relation = LinkRelation.SAME_OPERATION
        if relation is None:
            continue
        events[index].links.append(EventLink(event_id=events[main].id, relation=relation))
        events[main].links.append(EventLink(event_id=events[index].id, relation=relation))


def _settle_modality(built: list[EventFields]) -> None:
    """A recalled event needs a main event to be recalled against: otherwise it is asserted."""
    if built and all(item.modality is Modality.BACKGROUND for item in built):
        for item in built:
            item.modality = Modality.ASSERTED
            item.event.modality = Modality.ASSERTED


def extract(article: Article, gazetteer: Gazetteer) -> SummaryDraft:
    """Read an article and return its draft summary."""
    lang = language_of(article)
    reading = read(article, lang, gazetteer)
    infos = [_info(reading, sentence) for sentence in reading.sentences]
    candidates = segment(infos)[:MAX_EVENTS]
    country = BY_CODE.get(reading.geo.country.country_code or "") if reading.geo.country else None
    built: list[EventFields] = []
    for index, candidate in enumerate(candidates):
        previous = next((f for f in reversed(built) if f.modality is not Modality.BACKGROUND),
                        None)  # fmt: skip
        built.append(build_event(f"e{index + 1}", candidate, reading, country, previous))
    _settle_modality(built)
    events = [item.event for item in built]
    _links(events, built)
    output = article.output_language or lang
    for item in built:
        describe(item, output)
    sources = {item.event.id: item.source_phrase(output) for item in built if item.source}
    lead = compose.lead_sentences(reading.sentences) if output == lang else []
    headline = _title(article.title) if not events else None
    return SummaryDraft(
        headline=(headline or compose.headline(events, output, sources, _lead(lead, output)))[:200],
        summary=compose.summary(events, output, sources, lead),
        language=lang,
        events=events,
    )


def _title(title: str | None) -> str | None:
    """The article's title as a headline, unless it gives the model orders."""
    if not title or find_instructions(title):
        return None
    plain = strip_markup(strip_invisible(title)).strip()
    return plain if any(ch.isalnum() for ch in plain) else None


def _lead(lead: list[str], lang: str) -> str:
    if lead:
        return lead[0]
    return (
        "L'article ne rapporte aucun événement précis"
        if lang == "fr"
        else ("No specific event reported")
    )
