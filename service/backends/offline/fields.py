"""One event's fields from its sentences: type, when, where, actors, figures, attribution."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from schemas import (
    Actor,
    ActorRole,
    ActorType,
    Attribution,
    Event,
    EventTime,
    Evidence,
    Figure,
    Modality,
    Place,
    SubEventType,
)
from service.backends.offline import compose
from service.backends.offline.actors import ActorMention, find_actors, role_of
from service.backends.offline.attribution import Source, status_of
from service.backends.offline.classify import TYPE_OF, combine
from service.backends.offline.countries import Country
from service.backends.offline.figures import FigureFinding, find_figures, is_people, prune
from service.backends.offline.modality import modality_of
from service.backends.offline.segment import Candidate
from service.backends.offline.spans import Covering
from service.backends.offline.text import clip
from service.backends.offline.when import from_mention, from_publication, is_specific
from service.backends.offline.where import place_for

if TYPE_CHECKING:
    from service.backends.offline.extractor import Reading

MAX_ACTORS = 12
MAX_FIGURES = 20
MAX_QUOTES = 8
PARTIES = (ActorType.STATE_FORCES, ActorType.REBEL_GROUP, ActorType.POLITICAL_MILITIA,
           ActorType.EXTERNAL_FORCES)  # fmt: skip


@dataclass
class EventFields:
    """A built event and what linking and composing need to know about it."""

    event: Event
    modality: Modality
    source: Source | None
    inherited_date_from: str | None

    def shares_with(self, other: EventFields) -> bool:
        """True when two events share an actor, a place or a source (same operation)."""
        mine = {a.label for a in self.event.actors if a.actor_type in PARTIES}
        theirs = {a.label for a in other.event.actors if a.actor_type in PARTIES}
        here, there = self.event.where, other.event.where
        same_place = (
            here is not None
            and there is not None
            and (here.name == there.name or (here.offset is not None
                                              and here.offset.reference == there.name))
        )  # fmt: skip
        same_source = self.source is not None and self.source == other.source
        return bool(mine & theirs) or same_place or same_source

    def source_phrase(self, lang: str) -> str:
        """How the summary names this event's source."""
        return self.source.short(lang) if self.source is not None else ""


def _when(
    candidate: Candidate, reading: Reading, previous: EventFields | None, background: bool
) -> tuple[EventTime, str | None]:
    """The first specific date of the event, else the operation's, else the article's."""
    spans = [(i.sentence.start, i.sentence.end) for i in candidate.infos]
    dates = reading.date_index.within_any(spans)
    founder = candidate.founder.sentence
    in_founder = [d for d in dates if founder.start <= d.start < founder.end]
    chosen = next((d for d in in_founder + dates if is_specific(d)), None)
    if chosen is None and dates:
        chosen = (in_founder or dates)[0]
    if chosen is not None:
        return from_mention(chosen), None
    if background:
        return EventTime(), None
    if previous is not None and previous.event.when.date is not None:
        inherited = previous.event.when.model_copy(
            update={"time": None, "approximate": False, "timezone": None}, deep=True
        )
        return inherited, previous.event.id
    return from_publication(reading.published, founder.text, reading.lang), None


def _actors(
    candidate: Candidate, reading: Reading, country: Country | None, excluded: Covering
) -> list[Actor]:
    """Actors of the event, one per label; the role with the most weighted cues wins."""
    found: dict[str, tuple[ActorMention, list[str]]] = {}
    votes: dict[str, dict[ActorRole, int]] = {}
    for info in candidate.infos:
        sentence = info.sentence
        for mention in find_actors(sentence.text, reading.lang, country):
            absolute = sentence.start + mention.start
            if absolute in excluded:
                continue
            role, strength = role_of(sentence.text, mention, reading.lang)
            tally = votes.setdefault(mention.label, {})
            tally[role] = tally.get(role, 0) + strength
            first, quotes = found.setdefault(mention.label, (mention, []))
            if mention.text not in quotes and len(quotes) < 3:
                quotes.append(mention.text)
    actors = []
    for label, (mention, quotes) in list(found.items())[:MAX_ACTORS]:
        tally = votes[label]
        role = max(tally, key=lambda r: (tally[r], r is not ActorRole.OTHER))
        actors.append(
            Actor(
                name=mention.text[:200],
                label=label,
                actor_type=mention.actor_type,
                role=role if tally[role] > 0 else ActorRole.OTHER,
                evidence=[Evidence(quote=q) for q in quotes],
            )
        )
    return actors


def _whose(finding: FigureFinding, lang: str, country: Country | None) -> str | None:
    if finding.noun is None or not is_people(finding.noun):
        return None
    actors = find_actors(finding.noun, lang, country)
    return actors[0].label if actors else None


def _figures(
    candidate: Candidate, reading: Reading, country: Country | None, claimed_by: str | None
) -> list[Figure]:
    findings: list[FigureFinding] = []
    claims: dict[int, str] = {}
    for info in candidate.infos:
        sentence = info.sentence
        found = find_figures(reading.text, sentence.start, sentence.end, reading.numbers,
                             reading.lang)  # fmt: skip
        source = reading.sources.get(sentence.index)
        for finding in found:
            if source is not None:
                claims[finding.start] = source.display()
        findings += found
    figures = []
    for finding in prune(findings)[:MAX_FIGURES]:
        figures.append(
            Figure(
                kind=finding.kind,
                value=finding.value,
                low=finding.low,
                high=finding.high,
                vague=finding.vague,
                unit=finding.unit[:60] if finding.unit else None,
                whose=_whose(finding, reading.lang, country),
                raw=finding.raw[:600],
                claimed_by=claims.get(finding.start, claimed_by),
                evidence=[Evidence(quote=finding.raw[:600])],
            )
        )
    return figures


def _source(candidate: Candidate, reading: Reading) -> Source | None:
    for info in candidate.infos:
        if info.sentence.index in reading.sources:
            return reading.sources[info.sentence.index]
    lead = [reading.sources[i] for i in (0, 1) if i in reading.sources]
    return lead[0] if lead else None


def _attribution(source: Source | None, actors: list[Actor]) -> Attribution | None:
    if source is None:
        return None
    parties = {a.actor_type for a in actors if a.actor_type in PARTIES}
    party = (source.kind == "military" and ActorType.STATE_FORCES in parties) or (
        source.kind == "other" and any(source.written in a.name for a in actors)
    )
    source_type, status = status_of(source, party)
    return Attribution(
        source=source.display(),
        source_type=source_type,
        status=status,
        evidence=[Evidence(quote=source.quote[:600])],
    )


def _sub_type(candidate: Candidate) -> SubEventType:
    """The event's sub-type from all its sentences' cues, the founding sentence twice."""
    parts = [candidate.founder.classification] + [i.classification for i in candidate.infos]
    return combine(parts).sub_type or SubEventType.OTHER_NEWS


def build_event(
    event_id: str,
    candidate: Candidate,
    reading: Reading,
    country: Country | None,
    previous: EventFields | None,
) -> EventFields:
    """Fill one event from its candidate sentences."""
    lang = reading.lang
    founder = candidate.founder.sentence
    modality = modality_of(founder.text, lang)
    when, inherited = _when(candidate, reading, previous, modality is Modality.BACKGROUND)
    spans = [(i.sentence.start, i.sentence.end) for i in candidate.infos]
    place: Place | None = place_for(reading.geo, spans, (founder.start, founder.end))
    source = _source(candidate, reading)
    indices = {info.sentence.index for info in candidate.infos}
    excluded = Covering(
        range(s.start, s.start + len(s.quote))
        for index, s in reading.sources.items()
        if index in indices
    )
    actors = _actors(candidate, reading, country, excluded)
    sub_type = _sub_type(candidate)
    claimed_by = source.display() if source is not None else None
    quotes = [clip(reading.text, s, e) for s, e in spans[:MAX_QUOTES]]
    event = Event(
        id=event_id,
        event_type=TYPE_OF[sub_type],
        sub_event_type=sub_type,
        description="-",
        when=when,
        where=place,
        actors=actors,
        figures=_figures(candidate, reading, country, claimed_by),
        attribution=_attribution(source, actors),
        modality=modality,
        evidence=[Evidence(quote=q) for q in dict.fromkeys(quotes)],
    )
    return EventFields(event, modality, source, inherited)


def describe(fields: EventFields, lang: str) -> None:
    """Write the event's one-sentence description in the output language."""
    text = compose.describe(fields.event, lang, fields.source_phrase(lang) or None)
    fields.event.description = text[:600]
