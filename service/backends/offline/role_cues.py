"""Role cues: the wording around an actor that says it initiated an event or was its target.

Who attacked whom follows ACLED: the side the text says launched or carried out the attack is
the initiator (actor 1); the side that was attacked, ambushed or that responded ("repelled an
attack", "riposte") is the target, even when it then fought back. Cues come in three tiers
(`Strength`); an explicit attack agent or responder outranks an operation's agent ("an
operation led by Y against X" loses to "the attack, launched by X, ... Y's riposte").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from functools import cache

from schemas import ActorRole


class Strength(IntEnum):
    """How much a role cue weighs when an event's cues for one actor are added up.

    The tiers make a precedence: a DECISIVE cue (who attacked whom, who responded)
    outweighs any realistic pile of weaker ones, so "an attack launched by X" beats "an
    operation led by Y" for who initiated the clash. Below it, a PLAIN cue (an agent or a
    patient of any verb) counts twice a WEAK one (a target preposition, civilians by default).
    """

    WEAK = 1
    PLAIN = 2
    DECISIVE = 100


@dataclass(frozen=True)
class RoleCue:
    """A pattern next to a mention that says which role the mention plays."""

    pattern: re.Pattern[str]
    role: ActorRole
    strength: Strength


INIT, TG = ActorRole.INITIATOR, ActorRole.TARGET
D, P, W = Strength.DECISIVE, Strength.PLAIN, Strength.WEAK
Source = tuple[str, ActorRole, Strength]
# Text before a mention ends with the pattern ($); text after it starts with it (^): a gap of up
# to three words, then the mention's own verb (group "verb": the nearest verb decides).
_GAP = r"^\s*,?\s*(?:\w+\s+){0,3}?"
_DET = {"en": r"(?:the\s+|a\s+|an\s+)?", "fr": r"(?:les\s+|le\s+|la\s+|l['’]|des\s+|du\s+)?"}
_DET_ANY = {"en": r"(?:the\s+|a\s+|an\s+|some\s+|several\s+|\w+\s+)?",
            "fr": r"(?:les\s+|la\s+|l['’]|le\s+|des\s+|un\s+|une\s+|\w+\s+)?"}  # fmt: skip
# Attack nouns and verbs: the actor they name as agent initiated the clash, their object is
# its target; a responder ("repelled", "riposte") was attacked, so it is a target too.
_ATTACK = {
    "en": r"attacks?|assaults?|ambush(?:es)?|raids?|offensives?|incursions?|airstrikes?|"
    r"(?:air |drone )?strikes?|bombings?|shelling|shootings?|onslaughts?",
    "fr": r"attaques?|assauts?|embuscades?|attentats?|raids?|offensives?|incursions?|"
    r"frappes?(?:\s+aériennes?|\s+de\s+drones?)?|bombardements?|tirs|fusillades?",
}
_PERP = {
    "en": r"launched|carried out|mounted|staged|perpetrated|led|conducted|claimed|committed|"
    r"orchestrated",
    "fr": r"(?:lancé|mené|perpétré|commis|conduit|tendu|revendiqué|orchestré|organisé|exécuté)"
    r"e?s?",
}
_HIT = {
    "en": r"attacked|ambushed|targeted|raided|stormed|shelled|bombed|overran|overrun|besieged",
    "fr": r"(?:attaqué|visé|ciblé|bombardé|mitraillé|pilonné|assailli)e?s?|"
    r"prise?s?\s+(?:pour\s+cibles?|d['’]assaut|en\s+embuscade|à\s+partie)",
}
_REPELLED = {
    "en": r"repelled|repulsed|fought off|beaten back|beat back|pushed back|foiled|thwarted|"
    r"countered|resisted",
    "fr": r"(?:repouss|contr|déjou|refoul)ée?s?|mise?s?\s+en\s+échec",
}
_AUX_PASSIVE = {
    "en": r"(?:was|were|is|are|got|has been|have been|had been)\s+(?:\w+\s+)?",
    "fr": r"(?:(?:a|ont|avait|avaient|aurait|auraient)\s+été|sont|est|étaient|était)\s+"
    r"(?:\w+\s+)?",
}
_AUX_ACTIVE = r"(?:a|ont|avait|avaient|aurait|auraient)\s+(?:(?!été\b)\w+\s+)?"


def _cues_fr() -> tuple[tuple[Source, ...], tuple[Source, ...]]:
    """(before, after) French cue sources, each in order of precedence."""
    det, det_any, attack, perp = _DET["fr"], _DET_ANY["fr"], _ATTACK["fr"], _PERP["fr"]
    hit, repelled, passive = _HIT["fr"], _REPELLED["fr"], _AUX_PASSIVE["fr"]
    before: tuple[Source, ...] = (
        (rf"(?:{repelled})\s+par\s+{det}$", TG, D),  # attaque repoussée par X
        (rf"\b(?:riposte|réplique)s?(?:\s+[\w-]+)?\s+(?:des\s+|du\s+|de\s+la\s+|"
         rf"de\s+l['’]|d['’]|de\s+|par\s+{det})$", TG, D),  # la riposte des X
        (rf"\b(?:{attack})(?:\s+(?![\w-]+(?:é|ée|és|ées)\b)[\w'’-]+)?\s*,?\s*"
         rf"(?:(?:a|ont|avait|avaient)\s+été\s+)?(?:{perp}\s+)?par\s+{det}$", INIT, D),
        (rf"(?:{hit})\s+(?:\w+\s+)?par\s+{det}$", INIT, D),  # attaqués par X
        (rf"(?:attribuée?s?|imputée?s?)\s+(?:à\s+{det}|aux\s+|au\s+)$", INIT, D),
        (rf"\b(?:{attack})\s+$", INIT, D),  # une attaque terroriste / jihadiste
        (rf"(?:attaqué|attaquant|ouvert\s+le\s+feu\s+sur|tiré\s+sur|fait\s+feu\s+sur|"
         rf"pris\s+pour\s+cibles?|visé|ciblé|bombardé|mitraillé|pilonné|"
         rf"pris\s+d['’]assaut|tendu\s+une\s+embuscade)\s+{det_any}$", TG, D),
        (rf"\b(?:{attack})\b[^.;:!?]{{0,50}}?\b(?:contre|sur|visant|ciblant)\s+{det_any}$",
         TG, D),  # l'attaque (lancée par X) contre Y
        (rf"\bpar\s+{det}$", INIT, P),
        (rf"\b(?:contre|sur|visant|ciblant|tué|enlevé|arrêté|dispersé)\s+{det_any}$", TG, W),
    )  # fmt: skip
    after: tuple[Source, ...] = (
        (rf"{passive}(?:{repelled})", INIT, D),  # X ont été repoussés
        (rf"{passive}(?:{hit}|la\s+cible)|(?:sont|est|étaient|était)\s+(?:\w+\s+)?"
         r"tombée?s?\s+dans\s+une\s+embuscade", TG, D),
        (r"(?:ripost|répliqu|repouss|contr|déjou|refoul)(?:é|er)\b|"
         r"(?:ripost|répliqu|repouss)(?:e|ent|èrent|ait|aient)\b|essuyé", TG, D),
        (rf"{_AUX_ACTIVE}(?:attaqué|ouvert\s+le\s+feu|tendu\s+une\s+embuscade|"
         rf"pris\s+d['’]assaut|bombardé|mitraillé|pilonné|(?:lancé|mené|perpétré|commis)\s+"
         rf"(?:\w+\s+){{0,2}}?(?:{attack}))|attaqu(?:ent|èrent|aient)\b|ouvrent\s+le\s+feu",
         INIT, D),
        (rf"{passive}(?:tués?|blessés?|enlevés?|arrêtés?|neutralisés?|abattus?)", TG, P),
        (rf"{_AUX_ACTIVE}(?:tué|enlevé|arrêté|mené|lancé|tiré|pris|incendié|pillé|"
         r"dispersé|frappé)", INIT, P),
    )  # fmt: skip
    return before, tuple((_GAP + rf"(?P<verb>{s})", r, k) for s, r, k in after)


def _cues_en() -> tuple[tuple[Source, ...], tuple[Source, ...]]:
    """(before, after) English cue sources, each in order of precedence."""
    det, det_any, attack, perp = _DET["en"], _DET_ANY["en"], _ATTACK["en"], _PERP["en"]
    hit, repelled, passive = _HIT["en"], _REPELLED["en"], _AUX_PASSIVE["en"]
    before: tuple[Source, ...] = (
        (rf"\b(?:{repelled})\s+by\s+{det}$", TG, D),  # the attack was repelled by X
        (rf"\b(?:riposte|retaliation|return fire)\s+(?:by|of|from)\s+{det}$", TG, D),
        (rf"\b(?:{attack})\s*,?\s+(?:(?:was|were|has been|had been|have been)\s+)?"
         rf"(?:(?:{perp})\s+)?by\s+{det}$", INIT, D),  # an attack (launched) by X
        (rf"\b(?:{hit}|fired (?:up)?on|shot at|came under (?:\w+\s+)?(?:attack|fire))\s+"
         rf"(?:\w+\s+)?by\s+{det}$", INIT, D),  # ambushed by X
        (rf"\b(?:blamed on|attributed to)\s+{det}$", INIT, D),
        (rf"\b(?:{hit}|opened fire (?:on|at)|fired (?:on|at)|shot at|laid siege to)\s+"
         rf"{det_any}$", TG, D),  # X attacked Y
        (rf"\b(?:{attack})\b[^.;:!?]{{0,50}}?\b(?:on|against|targeting)\s+{det_any}$", TG, D),
        (rf"\bby\s+{det}$", INIT, P),
        (rf"\b(?:against|on|targeting|at|killed|kidnapped|abducted|arrested|dispersed)\s+"
         rf"{det_any}$", TG, W),
    )  # fmt: skip
    after: tuple[Source, ...] = (
        (r"^(?P<verb>['’]s?\s+(?:\w+\s+)?(?:riposte|retaliation|response))\b", TG, D),
        (rf"^(?P<verb>(?:['’]s?)?\s+(?:{attack}))\b", INIT, D),  # a militant attack
        (rf"{_GAP}(?P<verb>{passive}(?:{repelled}))", INIT, D),  # X were repelled
        (rf"{_GAP}(?P<verb>{passive}(?:{hit}))", TG, D),  # X were attacked
        (rf"{_GAP}(?P<verb>(?:{repelled}|fought back|returned fire|responded|retaliated|"
         r"hit back|came under (?:\w+\s+)?(?:attack|fire|assault)))", TG, D),
        (rf"{_GAP}(?P<verb>(?:{hit}|opened fire|fired (?:on|at)|shot at|"
         rf"(?:launched|carried out|mounted|staged) (?:\w+\s+){{0,2}}?(?:{attack})))", INIT, D),
        (rf"{_GAP}(?P<verb>{passive}(?:killed|injured|wounded|kidnapped|abducted|arrested|"
         r"detained|shot|displaced|dispersed))", TG, P),
        (rf"{_GAP}(?P<verb>(?:killed|abducted|kidnapped|launched|fired|struck|arrested|"
         r"detained|dispersed|carried out|seized|captured|torched|burned|looted))", INIT, P),
    )  # fmt: skip
    return before, after


@cache
def role_cues(lang: str) -> tuple[tuple[RoleCue, ...], tuple[RoleCue, ...]]:
    """(before, after) compiled cues of a language, each in order of precedence."""
    before, after = _cues_fr() if lang == "fr" else _cues_en()
    return (
        tuple(RoleCue(re.compile(s, re.IGNORECASE), r, k) for s, r, k in before),
        tuple(RoleCue(re.compile(s, re.IGNORECASE), r, k) for s, r, k in after),
    )
