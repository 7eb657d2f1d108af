"""Actors by pattern (English and French): state forces, armed groups, civilians, crowds.

The name is kept as written (loaded words included); the label is neutral: a state
force is named after its country, a generic armed group is an "unidentified armed
group", a well-known group keeps its usual name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from schemas import ActorRole, ActorType
from service.backends.offline.countries import (
    BY_CODE,
    FORCE_ACRONYMS,
    Country,
    adjective_pattern,
    country_of_adjective,
)
from service.backends.offline.role_cues import RoleCue, Strength, role_cues
from service.normalize.textutil import WORD_AHEAD

T = ActorType
ARMED = "unidentified armed group"
LABELS_FR = {
    ARMED: "groupe armé non identifié",
    "civilians": "civils",
    "protesters": "manifestants",
    "rioters": "émeutiers",
    "police": "police",
    "state security forces": "forces de sécurité",
    "unidentified militia": "milice non identifiée",
}

NAMED_GROUPS: tuple[tuple[str, str, ActorType], ...] = (
    (r"ISWAP|Islamic State West Africa(?: Province)?|État islamique en Afrique de l'Ouest",
     "Islamic State West Africa Province (ISWAP)", T.REBEL_GROUP),
    (r"EIGS|ISGS|Islamic State (?:in the )?(?:Greater )?Sahara|État islamique (?:au|dans le) "
     r"(?:Grand )?Sahara|Islamic State Sahel(?: Province)?|État islamique au Sahel",
     "Islamic State Sahel Province", T.REBEL_GROUP),
    (r"Boko Haram|JAS", "Boko Haram (JAS)", T.REBEL_GROUP),
    (r"ISIS|ISIL|Daesh|Daech|Islamic State|État islamique|l'EI", "Islamic State",
     T.REBEL_GROUP),
    (r"JNIM|GSIM|Jama'?at Nusrat al-Islam wal-Muslimin", "JNIM", T.REBEL_GROUP),
    (r"AQIM|AQMI|al-Qaeda|al-Qaida|Al-Qaïda|al Qaeda", "Al-Qaeda", T.REBEL_GROUP),
    (r"al-Shabaab|al-Shabab|Shebab|Chabab", "Al-Shabaab", T.REBEL_GROUP),
    (r"Taliban|talibans?", "Taliban", T.REBEL_GROUP),
    (r"Hamas", "Hamas", T.REBEL_GROUP),
    (r"Hezbollah|Hezbollah", "Hezbollah", T.REBEL_GROUP),
    (r"Houthis?|Ansar Allah", "Houthis (Ansar Allah)", T.REBEL_GROUP),
    (r"M23", "M23", T.REBEL_GROUP),
    (r"ADF|Allied Democratic Forces", "Allied Democratic Forces (ADF)", T.REBEL_GROUP),
    (r"Ansarul Islam|Ansaroul Islam", "Ansarul Islam", T.REBEL_GROUP),
    (r"HTS|Hayat Tahrir al-Sham", "Hayat Tahrir al-Sham (HTS)", T.REBEL_GROUP),
    (r"PKK", "PKK", T.REBEL_GROUP),
    (r"Wagner|Africa Corps", "Wagner Group / Africa Corps", T.EXTERNAL_FORCES),
)  # fmt: skip

GENERIC: dict[str, tuple[tuple[str, str, ActorType], ...]] = {
    "en": (
        (r"(?:(?:suspected|alleged|unidentified|unknown|heavily armed|armed) )?(?:armed "
         r"(?:groups?|men)|gunm[ae]n|militants?|jihadists?|terrorists?|insurgents?|rebels?|"
         r"extremists?|fighters|assailants|attackers|bandits|kidnappers|abductors)", ARMED,
         T.REBEL_GROUP),
        (r"militia(?:s|men)?", "unidentified militia", T.POLITICAL_MILITIA),
        (r"civilians|villagers|residents|worshippers|passengers|farmers|herders|pupils|"
         r"schoolchildren|traders|travell?ers|motorists|fishermen", "civilians", T.CIVILIANS),
        (r"protesters|demonstrators|marchers|strikers|activists", "protesters", T.PROTESTERS),
        (r"rioters|mobs?", "rioters", T.RIOTERS),
    ),
    "fr": (
        (r"groupes? (?:armés?(?: terroristes?)?|terroristes?|jihadistes|djihadistes|rebelles|"
         r"extrémistes)|terroristes?|jihadistes|djihadistes|insurgés|rebelles|assaillants|"
         r"hommes armés(?: non identifiés)?|individus armés(?: non identifiés)?|"
         r"combattants(?: ennemis)?|éléments (?:armés|terroristes)|bandits armés|ravisseurs|"
         r"groupes? armés?", ARMED, T.REBEL_GROUP),
        (r"milices?|miliciens", "unidentified militia", T.POLITICAL_MILITIA),
        (r"civils|villageois|habitants|populations? civiles?|fidèles|passagers|agriculteurs|"
         r"éleveurs|élèves|commerçants|voyageurs", "civilians", T.CIVILIANS),
        (r"manifestants|protestataires|grévistes", "protesters", T.PROTESTERS),
        (r"émeutiers", "rioters", T.RIOTERS),
    ),
}  # fmt: skip

STATE_NOUNS = {
    "en": r"army|military|armed forces|troops|soldiers?|security forces|defen[cs]e forces|"
    r"navy|air force|special forces|gendarmes?|gendarmerie|national guard|government forces|"
    r"forces|police(?:men|man| officers?| forces?)?|riot police|policemen",
    "fr": r"forces armées|armée|militaires?|soldats?|forces de (?:défense et de )?sécurité|"
    r"gendarmes?|gendarmerie|police|policiers?|garde nationale|forces de l'ordre|forces|"
    r"troupes|armées",
}
_POLICE = re.compile(r"polic|gendarm|forces de l'ordre", re.IGNORECASE)
_BARE_FORCES = re.compile(r"^(?:forces|armées)$", re.IGNORECASE)
# A lowercase "armée" not after a determiner is the adjective "armed" ("une attaque armée").
_DETERMINED = re.compile(
    r"(?:\b[ldLD]['’]|\b(?:la|une|cette|son|sa|leur|notre|votre|toute)\s+)$", re.IGNORECASE
)


def _determined(text: str, position: int) -> bool:
    """True when a determiner ends right before `position` (whitespace between allowed).

    `_DETERMINED` ends at `position`: its word (five letters at most) ends where the
    whitespace before `position` starts, so only that stretch of the prefix is searched.
    """
    start = position
    while start > 0 and text[start - 1].isspace():
        start -= 1
    return _DETERMINED.search(text, max(0, start - 5), position) is not None


@dataclass(frozen=True)
class ActorMention:
    """An actor named in the text."""

    start: int
    end: int
    text: str
    label: str
    actor_type: ActorType
    country: str | None = None


@cache
def _state_pattern(lang: str) -> re.Pattern[str]:
    adjective = adjective_pattern(lang).pattern
    nouns = STATE_NOUNS[lang if lang in STATE_NOUNS else "en"]
    acronyms = "|".join(sorted(FORCE_ACRONYMS, key=len, reverse=True))
    if lang == "fr":
        body = rf"(?:{nouns})(?:\s+{adjective})?|(?-i:{acronyms})"
    else:
        body = rf"(?:{adjective}\s+)?(?:{nouns})|(?-i:{acronyms})"
    return re.compile(rf"(?<![\w-]){WORD_AHEAD}(?:{body})(?![\w-])", re.IGNORECASE)


@cache
def _group_patterns(lang: str) -> tuple[tuple[re.Pattern[str], str, ActorType], ...]:
    table = NAMED_GROUPS + GENERIC["fr" if lang == "fr" else "en"]
    return tuple(
        (re.compile(rf"(?<![\w-]){WORD_AHEAD}(?:{source})(?![\w-])", re.IGNORECASE), label, kind)
        for source, label, kind in table
    )


def _state_mention(match: re.Match[str], lang: str, default: Country | None) -> ActorMention:
    text = match.group()
    country: Country | None = None
    code = FORCE_ACRONYMS.get(text.strip())
    if code:
        country = BY_CODE[code]
    elif code is None:
        country = country_of_adjective(text, lang)
    country = country or default
    police = bool(_POLICE.search(text))
    if country is None:
        label = "police" if police else "state security forces"
    elif police:
        label = f"Police Forces of {country.name}"
    else:
        label = country.army_label
    return ActorMention(
        match.start(), match.end(), text, label, T.STATE_FORCES, country.code if country else None
    )


def find_actors(text: str, lang: str, default: Country | None = None) -> list[ActorMention]:
    """Actor mentions in `text`, without overlaps, in text order."""
    return list(_find_actors(text, lang, default.code if default else None))


@lru_cache(maxsize=4096)
def _find_actors(text: str, lang: str, code: str | None) -> tuple[ActorMention, ...]:
    default = BY_CODE.get(code) if code else None
    found: list[ActorMention] = []
    for pattern, label, kind in _group_patterns(lang):
        for match in pattern.finditer(text):
            found.append(ActorMention(match.start(), match.end(), match.group(), label, kind))
    for match in _state_pattern(lang).finditer(text):
        if _BARE_FORCES.match(match.group()) or (
            match.group() == "armée" and not _determined(text, match.start())
        ):
            continue
        found.append(_state_mention(match, lang, default))
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[ActorMention] = []
    for mention in found:
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return tuple(kept)


def role_of(text: str, mention: ActorMention, lang: str) -> tuple[ActorRole, int]:
    """Initiator or target by the cues around the mention, and the cue's strength.

    Before the mention the first cue in order of precedence decides (a responder before an
    attack agent: "attack repelled by X"); after it, the nearest verb (ties in order). Of the
    two, the stronger wins, the one before on a tie. Without a cue, civilians are targets.
    """
    before_cues, after_cues = role_cues(lang)
    before = text[max(0, mention.start - 100) : mention.start]
    after = text[mention.end : mention.end + 60]
    found: list[RoleCue] = []
    first = next((c for c in before_cues if c.pattern.search(before)), None)
    if first is not None:
        found.append(first)
    nearest: tuple[int, int, RoleCue] | None = None
    for rank, cue in enumerate(after_cues):
        match = cue.pattern.search(after)
        if match and (nearest is None or (match.start("verb"), rank) < nearest[:2]):
            nearest = (match.start("verb"), rank, cue)
    if nearest is not None:
        found.append(nearest[2])
    if found:
        best = max(found, key=lambda c: c.strength)  # max keeps the first on a tie
        return best.role, int(best.strength)
    if mention.actor_type in (T.CIVILIANS,):
        return ActorRole.TARGET, int(Strength.WEAK)
    return ActorRole.OTHER, 0


def agent_kind(text: str, start: int, end: int, lang: str) -> str | None:
    """'state' or 'non_state': who acts in the verb at `[start, end)`, by the nearest actor."""
    clause_start = max(text.rfind(".", 0, start), text.rfind(";", 0, start)) + 1
    before = [m for m in find_actors(text[clause_start:start], lang) if _is_party(m)]
    if before:
        return "state" if before[-1].actor_type is T.STATE_FORCES else "non_state"
    key = "fr" if lang == "fr" else "en"
    after = text[end : end + 80]
    by = re.search(r"\bpar\b" if key == "fr" else r"\bby\b", after)
    if by:
        agents = [m for m in find_actors(after[by.end() :], lang) if _is_party(m)]
        if agents:
            return "state" if agents[0].actor_type is T.STATE_FORCES else "non_state"
    return None


def _is_party(mention: ActorMention) -> bool:
    return mention.actor_type in (
        T.STATE_FORCES,
        T.REBEL_GROUP,
        T.POLITICAL_MILITIA,
        T.EXTERNAL_FORCES,
    )


_ARTICLES = {
    "fr": {ARMED: "un", "civilians": "des", "protesters": "des", "rioters": "des", "police": "la",
           "state security forces": "des", "unidentified militia": "une"},
    "en": {ARMED: "an", "unidentified militia": "an"},
}  # fmt: skip


def label_in(label: str, lang: str, article: bool = False) -> str:
    """The label in the output language (generic labels and state forces; names unchanged)."""
    fr = lang == "fr"
    text = LABELS_FR.get(label, label) if fr else label
    state = False
    for country in BY_CODE.values():
        if label == country.army_label:
            text, state = (country.army_label_fr if fr else label), True
        elif label == f"Police Forces of {country.name}":
            text = f"forces de police ({country.name_fr})" if fr else label
            state = True
    if not article:
        return text
    determiner = _ARTICLES["fr" if fr else "en"].get(label)
    if determiner is None and state:
        determiner = "les" if fr else "the"
    return f"{determiner} {text}" if determiner else text
