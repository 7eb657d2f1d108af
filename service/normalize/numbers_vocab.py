"""Per-language number vocabulary: vague quantities (ACLED's fixed numbers), hedges, scale
words after digits, and the nouns after which an article ('un', 'a') counts as one."""

from __future__ import annotations

import functools
import re

from service.normalize.textutil import WORD_AHEAD

# (pattern, value): longest phrases first. ACLED-style conservative fixed numbers.
VAGUE: dict[str, list[tuple[str, int]]] = {
    "en": [
        (r"tens\s+of\s+thousands", 10_000),
        (r"hundreds\s+of\s+thousands", 100_000),
        (r"(?:a\s+)?(?:few|several)\s+dozens?", 12),
        (r"(?:a\s+few|several)\s+hundreds?", 100),
        (r"(?:a\s+few|several)\s+thousands?", 1000),
        (r"dozens|scores\s+of", 12),
        (r"a\s+dozen", 12),
        (r"hundreds", 100),
        (r"thousands", 1000),
        (r"millions", 1_000_000),
        (r"several|a\s+few|a\s+handful\s+of", 3),
    ],
    "fr": [
        (r"(?:(?:des|plusieurs|quelques)\s+)?dizaines\s+de\s+milliers", 10_000),
        (r"(?:(?:des|plusieurs|quelques)\s+)?centaines\s+de\s+milliers", 100_000),
        (r"(?:(?:des|plusieurs|quelques)\s+)?dizaines", 12),
        (r"(?:(?:des|plusieurs|quelques)\s+)?centaines", 100),
        (r"(?:(?:des|plusieurs|quelques)\s+)?milliers", 1000),
        (r"une\s+dizaine", 10),
        (r"une\s+douzaine", 12),
        (r"une\s+quinzaine", 15),
        (r"une\s+vingtaine", 20),
        (r"une\s+trentaine", 30),
        (r"une\s+quarantaine", 40),
        (r"une\s+cinquantaine", 50),
        (r"une\s+soixantaine", 60),
        (r"une\s+centaine", 100),
        (r"un\s+millier", 1000),
        (r"plusieurs|quelques", 3),
    ],
    "es": [
        (r"decenas\s+de\s+miles", 10_000),
        (r"cientos\s+de\s+miles|centenares\s+de\s+miles", 100_000),
        (r"decenas|docenas", 12),
        (r"una\s+docena", 12),
        (r"una\s+decena", 10),
        (r"una\s+veintena", 20),
        (r"centenares|cientos|un\s+centenar", 100),
        (r"miles|un\s+millar", 1000),
        (r"varios|varias|algunos|algunas|unos\s+pocos|unas\s+pocas", 3),
    ],
    "de": [
        (r"zehntausende", 10_000),
        (r"hunderttausende", 100_000),
        (r"dutzende|ein\s+dutzend", 12),
        (r"hunderte", 100),
        (r"tausende", 1000),
        (r"mehrere|einige", 3),
    ],
    "pt": [
        (r"dezenas\s+de\s+milhares", 10_000),
        (r"centenas\s+de\s+milhares", 100_000),
        (r"dezenas|uma\s+d[uú]zia", 12),
        (r"uma\s+dezena", 10),
        (r"centenas", 100),
        (r"milhares", 1000),
        (r"v[aá]rios|v[aá]rias|alguns|algumas", 3),
    ],
    "it": [
        (r"decine\s+di\s+migliaia", 10_000),
        (r"centinaia\s+di\s+migliaia", 100_000),
        (r"decine|una\s+dozzina", 12),
        (r"una\s+decina", 10),
        (r"una\s+ventina", 20),
        (r"centinaia|un\s+centinaio", 100),
        (r"migliaia|un\s+migliaio", 1000),
        (r"diversi|diverse|alcuni|alcune|parecchi|parecchie", 3),
    ],
    "nl": [
        (r"tientallen", 12),
        (r"honderden", 100),
        (r"duizenden", 1000),
        (r"enkele|verscheidene|meerdere", 3),
    ],
}

HEDGES: dict[str, str] = {
    "en": r"about|around|approximately|roughly|nearly|almost|some|an\s+estimated|close\s+to"
    r"|up\s+to|as\s+many\s+as|just\s+under",
    "fr": r"environ|près\s+de|pres\s+de|presque|quelque|approximativement|autour\s+de"
    r"|aux\s+alentours\s+de|jusqu['’]à|pas\s+loin\s+de",
    "es": r"unos|unas|alrededor\s+de|aproximadamente|cerca\s+de|casi|hasta",
    "de": r"etwa|rund|ungefähr|circa|ca\.|fast|knapp|bis\s+zu",
    "pt": r"cerca\s+de|aproximadamente|quase|uns|umas|até",
    "it": r"circa|quasi|all['’]incirca|intorno\s+a|fino\s+a",
    "nl": r"ongeveer|bijna|circa|zo'n",
}

SCALES: dict[str, int] = {
    "thousand": 1000,
    "thousands": 1000,
    "mille": 1000,
    "mil": 1000,
    "tausend": 1000,
    "million": 10**6,
    "millions": 10**6,
    "millionen": 10**6,
    "millón": 10**6,
    "millones": 10**6,
    "milione": 10**6,
    "milioni": 10**6,
    "milhão": 10**6,
    "milhões": 10**6,
    "miljoen": 10**6,
    "mln": 10**6,
    "billion": 10**9,
    "billions": 10**9,
    "milliard": 10**9,
    "milliards": 10**9,
    "milliarde": 10**9,
    "milliarden": 10**9,
    "mrd": 10**9,
}

# Articles that double as "one": they count only before a noun of this list (or 'seul').
ARTICLES_ONE = {
    "fr": {"un", "une"},
    "en": {"a", "an"},
    "es": {"un", "una", "uno", "unos", "unas"},
    "it": {"un", "una", "uno"},
    "pt": {"um", "uma", "uns", "umas"},
    "de": {"ein", "eine", "einen", "einem", "einer", "eines"},
    "nl": {"een"},
}
_COUNT_NOUNS_FR = """soldat militaire civil personne policier gendarme agent enfant femme homme
mort blesse otage combattant terroriste jihadiste djihadiste assaillant membre officier eleve
villageois habitant passager manifestant employe travailleur casque vehicule moto motocyclette
camion drone helicoptere avion char arme fusil bombe engin mine obus roquette missile victime
suspect chef commandant responsable dirigeant elu maire depute journaliste humanitaire medecin
infirmier fidele pelerin berger eleveur agriculteur orpailleur refugie deplace migrant detenu
prisonnier individu insurge rebelle milicien chasseur garde sentinelle volontaire"""
_COUNT_NOUNS_EN = """soldier troop civilian person man woman child boy girl policeman officer
gendarme militant fighter attacker gunman assailant insurgent rebel jihadist terrorist member
hostage victim suspect journalist worker farmer herder villager resident student teacher
passenger protester demonstrator peacekeeper guard commander leader official vehicle
motorcycle motorbike truck drone helicopter aircraft plane jet tank weapon rifle bomb mine
ied rocket missile shell body corpse miner refugee migrant detainee prisoner volunteer"""
COUNT_NOUNS = {"fr": set(_COUNT_NOUNS_FR.split()), "en": set(_COUNT_NOUNS_EN.split())}
ALONE_WORDS = {"seul", "seule", "single", "lone", "solo", "sola", "einzige", "einziger"}
NOT_ONE_BEFORE = {"no", "any", "every", "each", "which", "this", "that", "the", "l", "quelqu"}
NOT_ONE_AFTER = {"another", "anyone", "des", "of"}
PRE_NOUN_ADJECTIVES_FR = {"jeune", "autre", "ancien", "ancienne", "simple", "petit", "petite"}
# "a terrorist attack", "une attaque terroriste": the noun is a modifier, nothing is counted.
NOT_COUNTED_HEADS = set(
    """attack attacks attaque group groupe cell cellule organisation organization network reseau
    camp base threat menace operation raid convoy convoi position unit unite patrol patrouille
    column colonne checkpoint post poste movement mouvement leader chef faction""".split()
)


@functools.cache
def vague_patterns(lang: str) -> list[tuple[re.Pattern[str], int]]:
    """Compiled vague-quantity patterns of a language (empty when unknown)."""
    return [
        (re.compile(rf"(?<!\w){WORD_AHEAD}(?:{body})(?!\w)", re.IGNORECASE), value)
        for body, value in VAGUE.get(lang, [])
    ]


@functools.cache
def hedge_pattern(lang: str) -> re.Pattern[str] | None:
    """The hedge words ('about', 'environ') that may stand right before a number."""
    body = HEDGES.get(lang)
    return re.compile(rf"(?<!\w)(?:{body})\s+$", re.IGNORECASE) if body else None
