"""Sentences to event candidates: one candidate per distinct occurrence.

A sentence with enough trigger evidence that reads as an occurrence (a past verb, a
date or a figure, no habitual wording) starts a candidate. Later sentences join it
when they refer back ("cet engagement", "the attack"), continue it ("également",
"also"), or only add outcomes; a new date, a new place, an explicit "another"
or a different kind of event starts a new one.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field
from functools import cache

from schemas import EventType
from service.backends.offline.classify import Classification, combine
from service.backends.offline.cues import Cue
from service.backends.offline.text import Sentence

MIN_SCORE = 3.0
MIN_SCORE_NEWS = 3.5
STRONG_SCORE = 5.0
NEWS_TYPES = frozenset({EventType.POLITICS, EventType.ECONOMY, EventType.DIPLOMACY,
                        EventType.OTHER})  # fmt: skip

CROWD_MODIFIERS = frozenset(
    {Cue.INTERVENTION, Cue.EXCESSIVE, Cue.VIOLENT_CROWD, Cue.ARREST, Cue.LOOT}
)

_ANAPHOR = {
    "en": r"^(?:(?:[\w'’-]+\s+){0,8}?[\w'’-]+(?:,\s*|\s+(?:that|said|says|reported|added)\s+))?"
    r"(?:the|this|that|these|those)\s+(?:\w+\s+)?(?P<noun>attacks?|"
    r"offensive|operation|engagement|clash(?:es)?|fighting|assault|blast|explosion|bombing|"
    r"incident|protests?|rally|march|strikes?|raid|ambush|kidnapping|abduction|violence|unrest|"
    r"riots?|fire|floods?|flooding|quake|earthquake|storm|toll|arrests?|demonstrations?|"
    r"shooting|attackers|assailants|operation|crash|accident|agreement|deal|seizure|"
    r"airstrikes?|air strikes?|shelling|battle)\b",
    "fr": r"^(?:(?:[\w'’-]+\s+){0,8}?[\w'’-]+(?:,\s*|\s+(?:que|précise|indique)\s+))?"
    r"(?:l['’]|le\s+|la\s+|cet(?:te)?\s+|ce\s+|ces\s+)(?:\w+\s+)?"
    r"(?P<noun>attaque|offensive|opération|engagement|riposte|affrontement|combats?|action|"
    r"assaut|explosion|attentat|incident|drame|manifestation|marche|frappe|raid|embuscade|"
    r"bilan|enlèvement|accrochage|intervention|incendie|inondation|séisme|accident|accord|"
    r"saisie|arrestation|bombardement|confrontation)s?\b",
}
_CONTINUATION = {
    "en": r"\b(?:also|further|furthermore|in addition|additionally|moreover|as well|"
    r"besides|then|later|afterwards|subsequently|during the|in the course of)\b",
    "fr": r"\b(?:également|aussi|en outre|de plus|en plus|par la suite|ensuite|puis|lors de|"
    r"au cours de|au terme de|ainsi)\b",
}
_NEW = {
    "en": r"\b(?:another|separately|in a separate|elsewhere|meanwhile|in an unrelated|"
    r"a second|a similar|a further|in another)\b",
    "fr": r"\b(?:une autre|un autre|par ailleurs|ailleurs|séparément|dans une autre|"
    r"dans un autre|une seconde|un second|une nouvelle|un nouvel?)\b",
}
_FAMILIES = {
    EventType.BATTLES: r"attaque|attack|offensive|opération|operation|engagement|riposte|"
    r"affrontement|combat|clash|fighting|assault|assaut|embuscade|ambush|action|battle|"
    r"accrochage|confrontation|attackers|assailants",
    EventType.EXPLOSIONS: r"frappe|strike|raid|bombardement|shelling|explosion|blast|"
    r"bombing|attentat|attack|attaque|action",
    EventType.VIOLENCE_AGAINST_CIVILIANS: r"attaque|attack|assault|kidnapping|abduction|"
    r"enlèvement|shooting|attackers|assailants|violence",
    EventType.PROTESTS: r"protest|rally|march|manifestation|marche|strike|demonstration",
    EventType.RIOTS: r"riot|unrest|violence|manifestation|protest|demonstration",
}


@dataclass(frozen=True)
class SentenceInfo:
    """What the segmenter needs to know about one sentence."""

    sentence: Sentence
    classification: Classification
    date_key: str | None
    places: frozenset[str]
    offset: bool
    has_figure: bool
    past: bool
    generic: bool
    lang: str
    planned: bool = False


@dataclass
class Candidate:
    """The sentences of one event, the first of which founded it."""

    infos: list[SentenceInfo] = field(default_factory=list)
    date_key: str | None = None
    places: set[str] = field(default_factory=set)
    offset: bool = False

    @property
    def founder(self) -> SentenceInfo:
        """The sentence that started the event."""
        return self.infos[0]

    @property
    def family(self) -> EventType | None:
        """The event type of the founding sentence."""
        return self.founder.classification.event_type

    def add(self, info: SentenceInfo) -> None:
        """Attach a sentence, taking its date and places when it brings the first ones."""
        self.infos.append(info)
        if self.date_key is None:
            self.date_key = info.date_key
        self.places.update(info.places)
        self.offset = self.offset or info.offset


@cache
def _pattern(table: str, lang: str) -> re.Pattern[str]:
    source = {"anaphor": _ANAPHOR, "continuation": _CONTINUATION, "new": _NEW}[table]
    return re.compile(source["fr" if lang == "fr" else "en"], re.IGNORECASE)


def eventive(info: SentenceInfo) -> bool:
    """True when the sentence reports an occurrence strongly enough to found an event."""
    classification = info.classification
    if classification.sub_type is None:
        return False
    threshold = MIN_SCORE_NEWS if classification.event_type in NEWS_TYPES else MIN_SCORE
    if classification.score < threshold:
        return False
    specific = info.date_key is not None or info.has_figure
    if info.generic and not specific:
        return False
    strong = classification.score >= STRONG_SCORE
    return specific or info.past or info.planned or strong


def _anaphor_noun(info: SentenceInfo) -> str | None:
    match = _pattern("anaphor", info.lang).match(info.sentence.text)
    return match.group("noun").casefold() if match else None


def _compatible(noun: str, family: EventType | None) -> bool:
    pattern = _FAMILIES.get(family) if family is not None else None
    return pattern is None or re.match(pattern, noun, re.IGNORECASE) is not None


class _Events:
    """The candidates found so far, indexed by place and by family for `referent`."""

    def __init__(self) -> None:
        self.candidates: list[Candidate] = []
        self.rank: dict[int, int] = {}  # id(candidate) -> its index
        self.by_place: dict[str, list[int]] = {}  # heaps of negated candidate indices
        self.by_family: dict[EventType | None, int] = {}  # the last candidate of a family

    def found(self, info: SentenceInfo) -> Candidate:
        """A new candidate founded by `info`."""
        candidate = Candidate()
        self.rank[id(candidate)] = len(self.candidates)
        self.candidates.append(candidate)
        self.join(candidate, info)
        self.by_family[candidate.family] = self.rank[id(candidate)]
        return candidate

    def join(self, candidate: Candidate, info: SentenceInfo) -> None:
        """Add a sentence to a candidate (its places become the candidate's)."""
        candidate.add(info)
        index = self.rank[id(candidate)]
        for place in info.places:
            heapq.heappush(self.by_place.setdefault(place, []), -index)

    def referent(self, info: SentenceInfo) -> Candidate | None:
        """The earlier event an anaphoric sentence refers to, by place, then kind, then
        recency: the last candidate sharing a place (not given as an offset), else the
        last of a compatible kind unless the latest is of another kind."""
        noun = _anaphor_noun(info)
        if noun is None or not self.candidates:
            return None
        if info.places:
            best = -1
            for place in info.places:
                heap = self.by_place.get(place)
                while heap and self.candidates[-heap[0]].offset:
                    heapq.heappop(heap)  # a candidate never stops being an offset
                if heap:
                    best = max(best, -heap[0])
            if best >= 0:
                return self.candidates[best]
        last = len(self.candidates) - 1
        compatible = [i for family, i in self.by_family.items() if _compatible(noun, family)]
        if not compatible or max(compatible) == last:
            return self.candidates[last]
        return self.candidates[max(compatible)]


def _modifies(info: SentenceInfo, current: Candidate) -> bool:
    """True when the sentence tells how a crowd event went (dispersed, arrests, violence)."""
    if current.family not in (EventType.PROTESTS, EventType.RIOTS):
        return False
    return bool(info.classification.cues() & CROWD_MODIFIERS)


def _starts_new(info: SentenceInfo, current: Candidate) -> bool:
    lang = info.lang
    if _modifies(info, current) and info.date_key in (None, current.date_key):
        return False
    if info.date_key is not None and current.date_key not in (None, info.date_key):
        return True
    if _pattern("new", lang).search(info.sentence.text):
        return True
    new_place = (info.offset and not current.offset) or bool(
        info.places and current.places and not info.places & current.places
    )
    different = info.classification.event_type != current.family
    if new_place and (different or not _pattern("continuation", lang).search(info.sentence.text)):
        return True
    return different and not _pattern("continuation", lang).search(info.sentence.text)


def _paragraph_events(infos: list[SentenceInfo]) -> list[Candidate]:
    """When no single sentence suffices: evidence spread over one paragraph's sentences."""
    candidates: list[Candidate] = []
    paragraphs: dict[int, list[SentenceInfo]] = {}
    for info in infos:
        paragraphs.setdefault(info.sentence.paragraph, []).append(info)
    for paragraph in sorted(paragraphs):
        members = [i for i in paragraphs[paragraph] if not i.generic]
        if not members or not any(i.past or i.date_key or i.has_figure for i in members):
            continue
        joined = combine([i.classification for i in members])
        if joined.sub_type is None:
            continue
        threshold = MIN_SCORE_NEWS if joined.event_type in NEWS_TYPES else MIN_SCORE
        if joined.score < threshold:
            continue
        founder = max(members, key=lambda i: (i.classification.score, -i.sentence.index))
        candidate = Candidate()
        for info in [founder] + [i for i in members if i is not founder]:
            candidate.add(info)
        candidates.append(candidate)
    return candidates


def segment(infos: list[SentenceInfo]) -> list[Candidate]:
    """Group sentences into event candidates, in text order."""
    candidates = _sentence_events(infos)
    return candidates or _paragraph_events(infos)


def _sentence_events(infos: list[SentenceInfo]) -> list[Candidate]:
    """One candidate per founding sentence, with the sentences that join it."""
    events = _Events()
    current: Candidate | None = None
    for info in infos:
        founding = eventive(info)
        referent = events.referent(info)
        if current is None or (founding and referent is None and _starts_new(info, current)):
            if founding:
                current = events.found(info)
            continue
        if referent is not None:
            events.join(referent, info)
            continue
        if _joins(info, current, founding):
            events.join(current, info)
    return events.candidates


def _joins(info: SentenceInfo, current: Candidate, founding: bool) -> bool:
    """A sentence joins the current event when it continues it without starting another."""
    if info.generic and info.date_key is None and not info.has_figure:
        return False
    if _pattern("new", info.lang).search(info.sentence.text):
        return False
    if info.date_key is not None and current.date_key not in (None, info.date_key):
        return False
    if founding or info.has_figure:
        return True
    if _pattern("continuation", info.lang).search(info.sentence.text):
        return True
    same_paragraph = info.sentence.paragraph == current.infos[-1].sentence.paragraph
    return same_paragraph and info.past and bool(info.classification.hits)
