"""Event type and sub-type of a passage, by weighted cue evidence and ACLED's rules."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from schemas import SUB_EVENT_TYPES, ActorType, EventType, SubEventType
from service.backends.offline.actors import agent_kind, find_actors
from service.backends.offline.cues import CUE_TYPES, Cue
from service.backends.offline.lexicon import patterns

S = SubEventType
Scores = defaultdict[SubEventType, float]
TYPE_OF: dict[SubEventType, EventType] = {
    sub: event_type for event_type, subs in SUB_EVENT_TYPES.items() for sub in subs
}
ORDER = {sub: rank for rank, sub in enumerate(SubEventType)}
WEAPONS = (Cue.IED, Cue.SHELLING, Cue.AIR, Cue.GRENADE, Cue.EXPLOSION)
VIOLENT_TYPES = frozenset(
    sub
    for event_type in (
        EventType.BATTLES,
        EventType.EXPLOSIONS,
        EventType.VIOLENCE_AGAINST_CIVILIANS,
        EventType.RIOTS,
    )
    for sub in SUB_EVENT_TYPES[event_type]
)


@dataclass(frozen=True)
class Hit:
    """One cue found in the text, with its offsets relative to the classified text."""

    cue: Cue
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Classification:
    """The best sub-type of a passage, its score and the cues it rests on."""

    sub_type: SubEventType | None
    score: float
    hits: tuple[Hit, ...]
    territory: SubEventType | None = None
    sides: frozenset[str] = frozenset()

    @property
    def event_type(self) -> EventType | None:
        """The ACLED event type (or news type) of the sub-type."""
        return TYPE_OF[self.sub_type] if self.sub_type is not None else None

    def cues(self) -> frozenset[Cue]:
        """The cue classes present."""
        return frozenset(hit.cue for hit in self.hits)


_CROWD_ATTACK = re.compile(r"attack|assault|storm|raid|stabb|hack|machete|attaqu|assaill", re.I)
_KILLING = re.compile(r"kill|shot|massacr|murder|behead|slaughter|execut|tu[éeè]|abatt|égorg", re.I)
_NEGATED = re.compile(
    r"\b(?:no|not|nobody|none|never|pas|aucun|aucune|personne|n'a|n'ont)\b[^.;]{0,30}$", re.I
)
NEGATABLE = frozenset({Cue.CLAIM, Cue.BLAME})
NEGATION_REACH = 40  # _NEGATED spans at most 8 + 30 characters and a final newline


def find_cues(text: str, lang: str) -> list[Hit]:
    """Every cue occurrence in `text`, in text order (a negated claim is no claim)."""
    hits = [
        Hit(cue, match.start(), match.end(), match.group())
        for cue, pattern in patterns(lang)
        for match in pattern.finditer(text)
        if cue not in NEGATABLE or not _negated(text, match.start())
    ]
    hits.sort(key=lambda hit: (hit.start, hit.end, hit.cue.value))
    inside = _contained(hits)
    return [hit for index, hit in enumerate(hits) if index not in inside]


def _negated(text: str, start: int) -> bool:
    """A negation shortly before `start` ('no group has claimed'). The pattern's match ends
    at `start`, so searching the last NEGATION_REACH characters is searching the prefix."""
    return _NEGATED.search(text, max(0, start - NEGATION_REACH), start) is not None


def _inside(hit: Hit, other: Hit) -> bool:
    """True when `other` is a longer cue containing `hit` ('fight' in 'without a fight')."""
    longer = other.end - other.start > hit.end - hit.start
    typing = other.cue in CUE_TYPES
    return (
        typing
        and other.cue is not hit.cue
        and longer
        and (other.start <= hit.start < hit.end <= other.end)
    )


def _contained(hits: list[Hit]) -> set[int]:
    """Indices of the hits (sorted by start) that some other hit is `_inside` of.

    A sweep in start order, not a comparison of every pair: a typing hit that starts
    strictly before a hit contains it when it ends at or after it (and is then longer);
    one starting at the same offset is compared directly. The sweep keeps the furthest
    end among earlier typing hits for two different cues, since a cue never contains a
    hit of its own class.
    """
    inside: set[int] = set()
    reach = _Reach()
    index = 0
    while index < len(hits):
        group_end = index
        while group_end < len(hits) and hits[group_end].start == hits[index].start:
            group_end += 1
        group = range(index, group_end)
        for position in group:
            hit = hits[position]
            if hit.end <= hit.start:
                continue
            if reach.beyond(hit.cue) >= hit.end or any(
                _inside(hit, hits[other]) for other in group
            ):
                inside.add(position)
        for position in group:
            if hits[position].cue in CUE_TYPES:
                reach.add(hits[position])
        index = group_end
    return inside


class _Reach:
    """The furthest end of the typing hits seen so far, for two different cues."""

    def __init__(self) -> None:
        self.best: tuple[int, Cue | None] = (-1, None)
        self.second: tuple[int, Cue | None] = (-1, None)  # the furthest of another cue

    def add(self, hit: Hit) -> None:
        if hit.cue is self.best[1]:
            self.best = max(self.best, (hit.end, hit.cue), key=lambda item: item[0])
        elif hit.end > self.best[0]:
            self.best, self.second = (hit.end, hit.cue), self.best
        elif hit.end > self.second[0]:
            self.second = (hit.end, hit.cue)

    def beyond(self, cue: Cue) -> int:
        """The furthest end among the hits of a cue other than `cue` (-1 when none)."""
        return self.second[0] if self.best[1] is cue else self.best[0]


def _strength(count: int) -> float:
    return 1.0 + 0.5 * (min(count, 4) - 1)


def _base_scores(hits: list[Hit]) -> Scores:
    distinct: dict[Cue, set[str]] = {}
    for hit in hits:
        distinct.setdefault(hit.cue, set()).add(hit.text.casefold())
    scores: Scores = defaultdict(float)
    for cue, words in distinct.items():
        for sub, weight in CUE_TYPES.get(cue, {}).items():
            scores[sub] += weight * _strength(len(words))
    return scores


def _protest_rules(scores: Scores, cues: frozenset[Cue], crowd_attack: bool) -> None:
    """A demonstration is violent, met with force or intervention, or peaceful (ACLED)."""
    protest = Cue.PROTEST in cues
    if not protest and Cue.VIOLENT_CROWD not in cues:
        return
    base = scores[S.PEACEFUL_PROTEST]
    damage = Cue.LOOT in cues or Cue.CLASH in cues or crowd_attack
    if Cue.VIOLENT_CROWD in cues or (protest and damage):
        scores[S.VIOLENT_DEMONSTRATION] += base + scores[S.LOOTING_PROPERTY_DESTRUCTION] + 1
        scores[S.LOOTING_PROPERTY_DESTRUCTION] = 0
        scores[S.ARMED_CLASH] *= 0.5
    elif Cue.EXCESSIVE in cues:
        scores[S.EXCESSIVE_FORCE_AGAINST_PROTESTERS] += base + 4
    elif Cue.INTERVENTION in cues or Cue.ARREST in cues:
        scores[S.PROTEST_WITH_INTERVENTION] += base + scores[S.ARRESTS] + 1
        scores[S.ARRESTS] = 0
    else:
        return
    scores[S.PEACEFUL_PROTEST] = 0


def _context_rules(scores: Scores, cues: frozenset[Cue], diplomatic_words: int) -> None:
    """Cues read differently in context: officials in a war story, weapons seized with drugs."""
    violent = cues & {Cue.CLASH, Cue.ATTACK, Cue.AIR, Cue.SHELLING, Cue.IED, Cue.TAKE, Cue.RETAKE}
    if violent and Cue.DIPLOMACY not in cues:
        scores[S.DIPLOMATIC_EVENT] *= 0.5
    if diplomatic_words >= 2:
        scores[S.DIPLOMATIC_EVENT] += 3
    if Cue.CRIME in cues and Cue.DISRUPT in cues:
        scores[S.ORGANISED_CRIME] += 3
    if Cue.WITHDRAW in cues and Cue.AGREEMENT in cues:
        scores[S.NON_VIOLENT_TERRITORY_TRANSFER] += 3


def _disruption_rules(scores: Scores, cues: frozenset[Cue]) -> None:
    """A weapon defused, intercepted or seized was not used: disrupted weapons use."""
    if Cue.DISRUPT not in cues:
        return
    weapon_subs = {sub for cue in WEAPONS for sub in CUE_TYPES[cue]}
    for sub in sorted(weapon_subs, key=ORDER.__getitem__):
        scores[S.DISRUPTED_WEAPONS_USE] += scores[sub] * 0.5
        scores[sub] *= 0.5


def _target_rules(
    scores: Scores, cues: frozenset[Cue], parties: frozenset[str], killing: bool
) -> None:
    """One-sided violence on unarmed people is an attack; two armed sides make a clash."""
    armed_sides = Cue.CLASH in cues or Cue.AGAINST_ARMED in cues or len(parties) == 2
    if Cue.ATTACK in cues and len(parties) == 2:
        scores[S.ARMED_CLASH] += 2
    elif Cue.ATTACK in cues and Cue.CIVILIAN in cues and not armed_sides:
        accident = Cue.MAN_MADE in cues or Cue.NATURAL in cues
        scores[S.ATTACK] += 0 if accident and not parties else 3
    if (Cue.ABDUCTION in cues or Cue.SEXUAL in cues) and not killing:
        scores[S.ATTACK] *= 0.5
    elif killing and Cue.ATTACK in cues and Cue.ABDUCTION in cues:
        scores[S.ATTACK] += 1
    explosive = max(scores[S.REMOTE_EXPLOSIVE], scores[S.AIR_DRONE_STRIKE])
    if explosive >= 4 or scores[S.SUICIDE_BOMB] or scores[S.SHELLING_ARTILLERY_MISSILE] >= 4:
        scores[S.ATTACK] *= 0.5
        scores[S.ARMED_CLASH] *= 0.5
    if Cue.MAN_MADE in cues and not armed_sides and Cue.ATTACK not in cues:
        scores[S.MAN_MADE_DISASTER] += scores[S.REMOTE_EXPLOSIVE] * 0.5
    if Cue.CRIME in cues and Cue.ARREST in cues:
        scores[S.ORGANISED_CRIME] += 2


def territory(hits: list[Hit], text: str, lang: str) -> SubEventType | None:
    """Who took a place decides: the government regains it, or a non-state actor takes it."""
    for hit in hits:
        if hit.cue not in (Cue.TAKE, Cue.RETAKE):
            continue
        agent = agent_kind(text, hit.start, hit.end, lang)
        if agent is None:
            agent = "state" if hit.cue is Cue.RETAKE else "non_state"
        if agent == "state":
            return S.GOVERNMENT_REGAINS_TERRITORY
        return S.NON_STATE_ACTOR_OVERTAKES_TERRITORY
    return None


def parties(text: str, lang: str) -> frozenset[str]:
    """Which armed sides a passage names: 'state', 'non_state' or both."""
    found = set()
    for mention in find_actors(text, lang):
        if mention.actor_type is ActorType.STATE_FORCES:
            found.add("state")
        elif mention.actor_type in (ActorType.REBEL_GROUP, ActorType.POLITICAL_MILITIA):
            found.add("non_state")
    return frozenset(found)


def score_hits(
    hits: list[Hit], taken: SubEventType | None, sides: frozenset[str] = frozenset()
) -> Scores:
    """Scores of every sub-type for a passage's cues, after the codebook's rules."""
    cues = frozenset(hit.cue for hit in hits)
    scores = _base_scores(hits)
    crowd_attack = any(h.cue is Cue.ATTACK and _CROWD_ATTACK.match(h.text) for h in hits)
    _protest_rules(scores, cues, crowd_attack)
    _disruption_rules(scores, cues)
    killing = any(h.cue is Cue.ATTACK and _KILLING.match(h.text) for h in hits)
    _target_rules(scores, cues, sides, killing)
    diplomatic = {h.text.casefold() for h in hits if h.cue is Cue.DIPLOMACY}
    _context_rules(scores, cues, len(diplomatic))
    if taken is not None:
        fought = cues & {Cue.CLASH, Cue.ATTACK, Cue.AIR, Cue.SHELLING, Cue.IED}
        if Cue.WITHDRAW in cues and not fought:
            taken = S.NON_VIOLENT_TERRITORY_TRANSFER
        scores[taken] += 8
    return scores


def best(scores: Scores) -> tuple[SubEventType | None, float]:
    """The highest-scoring sub-type (ties broken by the contract's order)."""
    ranked = sorted(scores.items(), key=lambda item: (-item[1], ORDER[item[0]]))
    if not ranked or ranked[0][1] <= 0:
        return None, 0.0
    return ranked[0]


def classify(text: str, lang: str) -> Classification:
    """Classify a passage (a sentence, a snippet)."""
    hits = find_cues(text, lang)
    taken = territory(hits, text, lang)
    sides = parties(text, lang)
    sub_type, score = best(score_hits(hits, taken, sides))
    return Classification(sub_type, score, tuple(hits), taken, sides)


def combine(parts: list[Classification]) -> Classification:
    """Classify several passages as one (an event's sentences), reusing their cues."""
    hits = [hit for part in parts for hit in part.hits]
    taken = next((part.territory for part in parts if part.territory is not None), None)
    sides = frozenset(side for part in parts for side in part.sides)
    sub_type, score = best(score_hits(hits, taken, sides))
    return Classification(sub_type, score, tuple(hits), taken, sides)
