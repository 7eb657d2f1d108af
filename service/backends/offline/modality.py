"""Modality cues (background, planned, threatened, denied) and generic, non-event wording."""

from __future__ import annotations

import re
from functools import cache

from schemas import Modality
from service.normalize.textutil import WORD_AHEAD

_CUES: dict[str, dict[Modality, str]] = {
    "en": {
        Modality.DENIED: r"denied|denies|denying|refuted|rejected (?:\w+ ){0,2}(?:claims|reports)"
        r"|dismissed (?:\w+ ){0,2}(?:claims|reports)",
        Modality.THREATENED: r"threat(?:en|ened|ens|ening) to|vow(?:ed|s)? to|warned (?:\w+ ){0,3}"
        r"(?:would|will)",
        Modality.PLANNED: r"plan(?:s|ned|ning)? to|intend(?:s|ed)? to|(?:is|are|was|were) "
        r"(?:set|scheduled|due|expected) to|will (?:\w+ )?(?:hold|stage|march|protest|strike|"
        r"rally|go|take place|meet|sign|visit)|to be held|upcoming|planned",
        Modality.BACKGROUND: r"had (?:\w+ )?(?:been )?\w+(?:ed|en|t)|earlier this (?:month|year|"
        r"week)|last (?:year|month|week|summer|winter|spring|autumn)|previously|in (?:a|the) "
        r"previous|recalled|(?:years?|months?|weeks?) ago|a similar (?:attack|incident)|"
        r"(?:an|the) earlier (?:attack|incident)",
    },
    "fr": {
        Modality.DENIED: r"démen(?:ti|t|tent|tait)|nié|nient|réfut\w*|rejet(?:é|te) (?:\w+ )?"
        r"(?:les )?(?:accusations|informations)",
        Modality.THREATENED: r"menac(?:é|e|ent|ait|aient) de",
        Modality.PLANNED: r"prévoi\w*|prévue?s?|compte(?:nt)? (?:organiser|manifester)|"
        r"appel(?:le|lent|é) à (?:manifester|la grève|une marche)|doi(?:t|vent) (?:se tenir|"
        r"avoir lieu)|aura lieu|se tiendra|envisag\w*",
        Modality.BACKGROUND: r"(?:avait|avaient|était|étaient|eut|eurent) (?:déjà |\w+ )?"
        r"\w+(?:é|ée|és|ées|i|is|u|us|it|te|ts)|déjà|auparavant|précédemment|"
        r"l'(?:an|année) (?:dernier|dernière|passé|passée)|le mois dernier|la semaine dernière"
        r"|il y a (?:\w+ )?(?:ans?|mois|semaines)|rappel(?:le|ons|er)|précédente?",
    },
}

_GENERIC: dict[str, str] = {
    "en": r"regularly|often|frequently|usually|generally|routinely|increasingly|"
    r"remains?|continues? to|have long|for years|for decades|every (?:year|day|week)|"
    r"plagued by|insecurity|aims? to|seeks? to|tends? to|in recent years|is known|"
    r"such as|across the (?:country|region)",
    "fr": r"régulièrement|souvent|généralement|habituellement|couramment|constamment|"
    r"de plus en plus|restent|demeurent|continuent|en raison de|insécurité|menace constante|"
    r"chaque (?:année|jour|semaine)|depuis des (?:années|mois|décennies)|ont pour objectif|"
    r"visent à|cherchent à|ces dernières années|connue? pour|tels? que",
}

_PAST: dict[str, str] = {
    "en": r"\w+ed|was|were|had|has been|have been|took|fled|fought|killed|shot|hit|struck|"
    r"left|died|held|began|broke|went|came|said|told|stole|stormed|overran|blew|"
    r"set|seized|threw|won|lost|caught|drove|fell|rose|led|sank|burnt|burned|met|sought|"
    r"says|calls|urges|condemns|announces|visits|meets|signs|warns|kills|claims",
    "fr": r"(?:a|ont|avait|avaient|est|sont|fut|furent|a été|ont été|eut)\s+(?:\w+\s+){0,2}?"
    r"\w+(?:é|ée|és|ées|i|ie|is|ies|u|ue|us|ues|it|ite|its|ert|erts|te|tes|eint|eints)|"
    r"\w+(?:èrent|irent)|(?:a|ont) (?:eu|pu|dû|su|fait|pris|mis)",
}


@cache
def _compiled(kind: str, lang: str) -> re.Pattern[str]:
    key = "fr" if lang == "fr" else "en"
    if kind == "generic":
        source = _GENERIC[key]
    elif kind == "past":
        source = _PAST[key]
    else:
        source = _CUES[key][Modality(kind)]
    return re.compile(rf"(?<![\w-]){WORD_AHEAD}(?:{source})(?![\w])", re.IGNORECASE)


def modality_of(text: str, lang: str) -> Modality:
    """The modality a sentence gives its event (asserted unless a cue says otherwise)."""
    for modality in (
        Modality.DENIED,
        Modality.THREATENED,
        Modality.PLANNED,
        Modality.BACKGROUND,
    ):
        if _compiled(modality.value, lang).search(text):
            return modality
    return Modality.ASSERTED


def is_background(text: str, lang: str) -> bool:
    """True when the sentence recalls a past event (pluperfect, 'déjà', 'last year')."""
    return bool(_compiled(Modality.BACKGROUND.value, lang).search(text))


def is_generic(text: str, lang: str) -> bool:
    """True when the sentence describes a general situation rather than one occurrence."""
    return bool(_compiled("generic", lang).search(text))


def is_past(text: str, lang: str) -> bool:
    """True when a verb reports an occurrence: a past tense, or a news-style present."""
    return bool(_compiled("past", lang).search(text))
