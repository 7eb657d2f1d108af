"""Place names in article text, resolved against the offline gazetteer.

Candidates are capitalised word sequences ("Nioro du Sahel", "Côte d'Ivoire"), read in
English and French contexts. Decisions:
- Countries resolve wherever they appear; regions after a region cue ("région de Mopti",
  "Kayes region", "province of Kabul") or when they are the only match in a country the
  article names.
- A locality needs a location cue before it ("à", "in", "near", "village de", "south of",
  ...) unless it is large (population >= 100,000) or a national capital: common
  capitalised words that happen to be tiny villages are skipped.
- When a name is ambiguous, places in the countries the article names come first. A
  small place found only outside those countries is not taken: the mention stays
  unresolved rather than matched to a different village.
- A cued name that is not in the gazetteer (a village absent from cities500) comes back
  with record None, so the caller can fall back to the region or country. After the
  ambiguous cues "à", "to", "from", only a single name (or one joined by du/de/sur) is
  taken, since those cues also precede people; organisation words (Forces, État,
  Al-Qaïda, ...) never make a place.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from service.normalize.gazetteer import Gazetteer, GazetteerUnavailable, PlaceRecord
from service.normalize.offsets import OffsetMention, find_offsets
from service.normalize.textutil import fold

__all__ = [
    "Gazetteer",
    "GazetteerUnavailable",
    "OffsetMention",
    "PlaceMention",
    "PlaceRecord",
    "find_offsets",
    "find_places",
]

LARGE_PLACE = 100_000
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_ELISION = re.compile(r"^([dlDL]['’])(?=\w)")
_GAP = re.compile(r"[ \-\u00a0]?")
_CONNECTORS = {"du", "de", "des", "la", "del", "el", "al", "sur", "en", "of", "upon", "d", "le"}
_STOPWORDS = set(
    """a à au aux en dans de du des le la les l un une et ou selon pour par sur sous avec
    ce cet cette ces son sa ses leur leurs il elle ils elles on nous vous qui que quand
    depuis apres après avant lors malgre malgré face outre plus mais donc car ainsi
    the a an and or in at on of to from for by with near this that these those his her
    its their he she they we it as after before during while when since according but
    lundi mardi mercredi jeudi vendredi samedi dimanche janvier fevrier février mars
    avril mai juin juillet aout août septembre octobre novembre decembre décembre
    monday tuesday wednesday thursday friday saturday sunday january february march
    april may june july august september october november december""".split()
)
_NOT_PLACE = set(
    """forces force armee armees army arme etat state etats ministere ministry gouvernement
    government nations union president presidence general groupe group groupes front
    mouvement movement conseil council assemblee assembly police gendarmerie brigade
    bataillon battalion agence agency universite university hopital hospital mosquee
    eglise church allah dieu god jnim isis daech daesh eigs iswap qaida qaeda boko haram
    shabaab ansar wagner corps fama minusma onu nato otan communique major islamique
    islamic reuters afp ap bbc rfi cnn jazeera amnesty hrw unicef ocha unhcr msf icrc cicr
    """.split()
)
_FUNCTION_WORDS = set(
    """a an the no not none this that these those it its he she they we you there here
    but and or if so yet as at on in of by for from to with after before while when where
    what who why how all some any one every each le la les l un une des du de il elle ils
    elles ce cette ces mais et ou si aucun aucune selon apres avant pendant quand lorsque
    dans sur sous chez pour par avec sans""".split()
)
"""Words capitalised only because they start a sentence: never a place on their own."""
_REGION_WORDS = {
    "region",
    "province",
    "state",
    "district",
    "county",
    "governorate",
    "prefecture",
    "department",
    "departement",
    "gouvernorat",
    "wilaya",
    "cercle",
    "oblast",
}
_REGION_BEFORE = re.compile(
    r"(?:r[ée]gion|province|pr[ée]fecture|d[ée]partement|[ée]tat|district|cercle|gouvernorat"
    r"|wilaya|governorate|county|state)\s+(?:de\s+la\s+|de\s+l['’]|du\s+|de\s+|d['’]|of\s+"
    r"(?:the\s+)?)$",
    re.IGNORECASE,
)
_REGION_AFTER = re.compile(
    r"\s++(?:region|province|state|district|governorate|county)\b", re.IGNORECASE
)
_STRONG_CUE = re.compile(
    r"(?:near|outside|around|in\s+the\s+(?:village|town|city|area)\s+of|(?:village|town|city"
    r"|outskirts|area|locality)\s+of|(?:north|south|east|west|north-?east|north-?west"
    r"|south-?east|south-?west)\s+of|attacks?\s+(?:on|in)|pr[èe]s\s+d['e]\s*|"
    r"(?:localit[ée]|village|ville|commune|cercle|secteur|environs|p[ée]riph[ée]rie|quartier"
    r"|camp|attaque|attentat|massacre|bombardement|sud|nord|est|ouest)\s+(?:de\s+|d['’]|du\s+))"
    r"\s*$",
    re.IGNORECASE,
)
_WEAK_CUES = {
    "fr": r"à|au|aux|en|dans|vers|depuis|entre",
    "en": r"in|at|from|into|towards?|between|across",
}


@functools.cache
def _weak_cue(lang: str) -> re.Pattern[str]:
    words = _WEAK_CUES.get(lang) or "|".join(_WEAK_CUES.values())
    return re.compile(rf"(?:^|[^\w'’])(?:{words})\s+(?:the\s+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class PlaceMention:
    """A place name found in a text, its kind and, when resolved, its gazetteer record."""

    start: int
    end: int
    text: str
    kind: str
    record: PlaceRecord | None


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    words: tuple[str, ...]
    joined: bool  # two capitalised words with no connector between them ("Assimi Goïta")


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and fold(word) not in _STOPWORDS


def _words(text: str) -> list[tuple[int, int, str]]:
    words: list[tuple[int, int, str]] = []
    for match in _WORD.finditer(text):
        start, value = match.start(), match.group()
        elision = _ELISION.match(value)
        if elision:
            words.append((start, start + 2, value[:1].lower()))
            start, value = start + 2, value[2:]
        words.append((start, start + len(value), value))
    return words


def _candidates(text: str) -> list[_Candidate]:
    words = _words(text)
    found: list[_Candidate] = []
    index = 0
    while index < len(words):
        start, end, word = words[index]
        if not _capitalised(word):
            index += 1
            continue
        names, last, joined, cursor = [word], end, False, index + 1
        pending: list[str] = []
        while cursor < len(words):
            n_start, n_end, n_word = words[cursor]
            if not _GAP.fullmatch(text, words[cursor - 1][1], n_start):
                break
            if _capitalised(n_word):
                joined = joined or not pending
                names += [*pending, n_word]
                pending, last = [], n_end
            elif fold(n_word) in _CONNECTORS and len(pending) < 2:
                pending.append(n_word)
            else:
                break
            cursor += 1
        found.append(_Candidate(start, last, tuple(names), joined))
        index = cursor - len(pending) if cursor > index + 1 else index + 1
    return found


def _blocked(candidate: _Candidate) -> bool:
    folded = {part for word in candidate.words for part in fold(word).split()}
    if len(candidate.words) == 1 and fold(candidate.words[0]) in _FUNCTION_WORDS:
        return True  # "No group has claimed...": capitalised at a sentence start only
    return bool(folded & _NOT_PLACE)


def _acronym(candidate: _Candidate) -> bool:
    return (
        len(candidate.words) == 1 and candidate.words[0].isupper() and len(candidate.words[0]) > 1
    )


class _Resolver:
    """Resolves candidates of one text, preferring the countries it names."""

    def __init__(self, text: str, lang: str, gazetteer: Gazetteer) -> None:
        self.text = text
        self.weak_cue = _weak_cue(lang)
        self.gazetteer = gazetteer
        self.preferred: set[str] = set()

    def country(self, name: str) -> PlaceRecord | None:
        records = [r for r in self.gazetteer.lookup(name) if r.kind == "country"]
        return records[0] if records else None

    def _prefer(self, records: list[PlaceRecord]) -> PlaceRecord | None:
        for record in records:
            if record.country_code in self.preferred:
                return record
        return records[0] if records else None

    def region(self, name: str) -> PlaceRecord | None:
        for code in sorted(self.preferred):
            record = self.gazetteer.region(name, code)
            if record is not None and record.country_code == code:
                return record
        return self.gazetteer.region(name, None)

    def resolve(self, candidate: _Candidate, name: str) -> PlaceMention | None:
        before = self.text[max(0, candidate.start - 48) : candidate.start]
        strong = _STRONG_CUE.search(before) is not None
        cued = strong or self.weak_cue.search(before) is not None
        country = self.country(name)
        if country is not None:
            return self._mention(candidate, "country", country)
        if _acronym(candidate):
            return None
        records = self.gazetteer.lookup(name)
        local = self._prefer([r for r in records if r.kind == "locality"])
        region = self._prefer([r for r in records if r.kind == "region"])
        if local is not None and self._acceptable(local, cued):
            return self._mention(candidate, "locality", local)
        if region is not None and (cued or region.country_code in self.preferred):
            return self._mention(candidate, "region", region)
        if cued and (strong or not candidate.joined):
            return self._mention(candidate, "locality", None)
        return None

    def _acceptable(self, record: PlaceRecord, cued: bool) -> bool:
        large = (record.population or 0) >= LARGE_PLACE or record.capital
        if self.preferred and record.country_code not in self.preferred and not large:
            return False
        return cued or large

    def _mention(
        self, candidate: _Candidate, kind: str, record: PlaceRecord | None
    ) -> PlaceMention:
        start, end = candidate.start, candidate.end
        return PlaceMention(start, end, self.text[start:end], kind, record)


def _split_region_word(candidate: _Candidate) -> tuple[_Candidate, bool]:
    """'Mopti Region' -> ('Mopti', region cue); 'Région de Mopti' -> ('Mopti', region cue)."""
    words = candidate.words
    if len(words) >= 2 and fold(words[-1]) in _REGION_WORDS:
        head = words[:-1]
        return _Candidate(
            candidate.start,
            candidate.end - len(words[-1]) - 1,
            head,
            candidate.joined and len(head) > 1,
        ), True
    return candidate, False


def find_places(text: str, lang: str, gazetteer: Gazetteer) -> list[PlaceMention]:
    """Every country, region and locality named in `text` (record None when unresolved)."""
    resolver = _Resolver(text, lang, gazetteer)
    candidates = [c for c in _candidates(text) if not _blocked(c)]
    for candidate in candidates:
        country = resolver.country(" ".join(candidate.words))
        if country is not None and country.country_code:
            resolver.preferred.add(country.country_code)
    mentions: list[PlaceMention] = []
    for raw in candidates:
        candidate, region_after = _split_region_word(raw)
        if not candidate.words:
            continue
        name = text[candidate.start : candidate.end]
        before = text[max(0, candidate.start - 40) : candidate.start]
        after = _REGION_AFTER.match(text, candidate.end)
        if region_after or after or _REGION_BEFORE.search(before):
            region = resolver.region(name)
            if resolver.country(name) is None:
                mentions.append(
                    PlaceMention(candidate.start, candidate.end, name, "region", region)
                )
                continue
        mention = resolver.resolve(candidate, name)
        if mention is not None:
            mentions.append(mention)
    return mentions
