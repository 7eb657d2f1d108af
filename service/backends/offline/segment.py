"""Sentences to event candidates: one candidate per distinct occurrence.

A sentence with enough trigger evidence that reads as an occurrence (a past verb, a
date or a figure, no habitual wording) starts a candidate. Later sentences join it
when they refer back ("cet engagement", "the attack"), continue it ("également",
"also"), or only add outcomes; a new date, a new place, an explicit "another"
or a different kind of event starts a new one.
"""

from __future__ import annotations

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


def _referent(info: SentenceInfo, candidates: list[Candidate]) -> Candidate | None:
    """The earlier event an anaphoric sentence refers to, by place, then kind, then recency."""
    noun = _anaphor_noun(info)
    if noun is None or not candidates:
        return None
    if info.places:
        same_place = [c for c in candidates if info.places & c.places and not c.offset]
        if same_place:
            return same_place[-1]
    compatible = [c for c in candidates if _compatible(noun, c.family)]
    if not compatible or compatible[-1] is candidates[-1]:
        return candidates[-1]
    return compatible[-1]


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
    for paragraph in sorted({info.sentence.paragraph for info in infos}):
        members = [i for i in infos if i.sentence.paragraph == paragraph and not i.generic]
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
    candidates: list[Candidate] = []
    current: Candidate | None = None
    for info in infos:
        founding = eventive(info)
        referent = _referent(info, candidates)
        if current is None or (founding and referent is None and _starts_new(info, current)):
            if founding:
                current = Candidate()
                current.add(info)
                candidates.append(current)
            continue
        if referent is not None:
            referent.add(info)
            continue
        if _joins(info, current, founding):
            current.add(info)
    return candidates


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
