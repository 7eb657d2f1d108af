"""Who gives the account: "selon", "according to", "a publié un communiqué", "X said".

A source is found per sentence; a short later reference ("l'État-Major", "the
statement") resolves to the source the article introduced first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from schemas import ClaimStatus, SourceType
from service.backends.offline.countries import country_of_adjective
from service.backends.offline.text import Sentence

# The source: 2 to 90 characters, as few as possible ("[^,.;:!?...]{2,90}?"), written so
# that a long run of whitespace is not scanned once per character. What follows a source
# (whitespace then a verb, or a lookahead for punctuation, "qui" or the end) succeeds or
# fails by where the whitespace after it ends; so an attempt whose last character is
# whitespace decides nothing a shorter one has not (unless it is the first attempt, or
# the end of the text follows it), and is skipped.
_C = r"[^,.;:!?\"«»“”()]"
_NP = rf"{_C}(?:{_C}|{_C}{{1,88}}?(?:[^,.;:!?\"«»“”()\s]|\s(?=$)))"


def _then(spaces: str) -> str:
    """A run of whitespace (`spaces` is \\s* or \\s+) before a source: all of it, or all but
    the last one, two or three characters. Giving back more decides nothing new (the
    source would start with three spaces or more: see _NP)."""
    back = (r"\s(?!\s)", r"\s\s(?!\s)", r"\s\s\s(?!\s)")
    return "(?:" + "|".join([spaces + "+", *(f"{spaces}(?={ahead})" for ahead in back)]) + ")"


_SP, _SP0 = _then(r"\s+"), _then(r"\s*")
_LEAD = rf"(?:^|[,;:«“\"]{_SP0}|\bque{_SP}|\bthat{_SP}|\bet{_SP}|\band{_SP})"
_VERBS_FR = (
    r"(?:a|ont|avait|avaient)\s+(?:publié|diffusé|rendu public)\s+(?:un|le|une)\s+"
    r"(?:communiqué|bilan|déclaration|message)|(?:a|ont|avait|avaient)\s+(?:\w+\s+)?"
    r"(?:indiqué|affirmé|annoncé|déclaré|précisé|rapporté|confirmé|revendiqué|fait savoir|"
    r"assuré|souligné|expliqué|dénoncé|démenti|signalé|fait état)|(?:indique|précise|affirme|"
    r"rapporte|annonce|déclare|souligne|explique|fait état)"
)
_VERBS_EN = (
    r"(?:said|says|told|reported|claimed|announced|stated|confirmed|added|alleged|"
    r"denied|tweeted|wrote|posted)|(?:has|have|had) (?:said|claimed|reported|confirmed|"
    r"announced|denied)|(?:issued|released|published) (?:a|the) (?:statement|communiqué)"
)
PATTERNS: dict[str, tuple[str, ...]] = {
    "fr": (
        rf"\b(?:selon|d'après|d’après){_SP}(?P<src>{_NP})(?=\s*+[,.;:]|\s++(?:qui|dont)\b|$)",
        rf"{_LEAD}(?P<src>{_NP})\s++(?:{_VERBS_FR})\b",
        rf"\b(?:a|ont)\s+(?:indiqué|affirmé|déclaré|précisé|annoncé|rapporté|expliqué|souligné)"
        rf"{_SP}(?P<src>{_NP})(?=\s*+[,.;:]|\s++(?:qui|dont)\b|$)",
        r"\b(?P<src>(?:le|un|ce|du|au)\s+(?:communiqué|bilan officiel))\b",
        rf"\bde\s+source{_SP}(?P<src>{_NP})(?=\s*+[,.;:]|$)",
    ),
    "en": (
        rf"\baccording to{_SP}(?P<src>{_NP})(?=\s*+[,.;:]|\s++(?:who|which)\b|$)",
        rf"{_LEAD}(?P<src>{_NP})\s++(?:{_VERBS_EN})\b",
        rf"\b(?:said|told|reported|claimed|announced){_SP}(?P<src>{_NP})(?=\s*+[,.;:]|$)",
        r"\b(?P<src>(?:the|a|in a)\s+(?:statement|communiqué|press release))\b",
    ),
}
_VIA = re.compile(
    r"(?:communiquées?|fournies?|transmises?|données|provided|released|issued|given)\s+"
    r"(?:par|by)\s+|(?:^|\s)(?:des|les|the)?\s*(?:informations|sources?|reports?)\s+(?:de|du|of|"
    r"from)\s+",
    re.IGNORECASE,
)
_DETERMINER = re.compile(r"^(?:l'|l’|le |la |les |un |une |des |du |the |a |an )", re.I)

KINDS: tuple[tuple[str, str], ...] = (
    ("ngo", r"\bUN\b|ONU|Nations unies|United Nations|OCHA|UNHCR|HCR|MSF|Médecins|Human Rights|"
     r"HRW|Amnesty|Red Cross|Croix-Rouge|Red Crescent|ICRC|CICR|NGO|ONG|humanitarian|"
     r"humanitaire|MINUSMA|MONUSCO|observatory|observatoire|monitor|watchdog"),
    ("media", r"agenc[ey]|Reuters|AFP|\bAP\b|Associated Press|BBC|Al Jazeera|television|"
     r"télévision|\bTV\b|radio|media|médias|journal|newspaper|RFI|quotidien|reporter|"
     r"correspondent|correspondant"),
    ("witness", r"witness\w*|témoins?|residents?|habitants?|villagers?|villageois|locals?|"
     r"survivors?|survivants?|local sources?|sources? locales?|eyewitness\w*|relatives?|"
     r"proches|famille|family|elu local|élu local"),
    ("military", r"arm(?:y|ée|ées)|militar\w*|armed forces|forces armées|état-major|"
     r"etat-major|general staff|défense|defen[cs]e|troops|soldiers?|commander|"
     r"commandant|colonel|general|général|spokes\w* (?:for|of) the (?:army|military)|"
     r"police|polic\w*|gendarmerie|security"),
    ("official", r"government|gouvernement|minist\w*|governor|gouverneur|préfet|prefect|"
     r"authorit\w*|autorités|officials?|responsables?|mayor|maire|spokes\w*|porte-parole|"
     r"president|président|presidency|présidence|council|conseil|prime minister|"
     r"premier ministre|administrat\w*|department|département|agency|office|"
     r"protection civile|civil (?:defen[cs]e|protection)|emergency services?|secours"),
)  # fmt: skip
_GENERAL_STAFF = re.compile(r"état-major|etat-major|general staff", re.IGNORECASE)
_DOCUMENT = re.compile(r"communiqué|statement|press release", re.IGNORECASE)
_GENERIC = re.compile(
    r"(?:communiqué|bilan|statement|press release|report|rapport)\b", re.IGNORECASE
)
_CLAIM = re.compile(r"revendiqu|claimed responsibility|claim(?:ed|s) responsibility", re.I)
_DISPUTE = re.compile(r"démen|denied|disput|contest", re.IGNORECASE)


@dataclass(frozen=True)
class Source:
    """An attributed account: who says it, as written, and the quote that says so."""

    written: str
    phrase: str
    label: str
    kind: str
    quote: str
    start: int
    document: str | None
    generic: bool = False
    disputed: bool = False

    @property
    def source_type(self) -> SourceType:
        """The source's role, before knowing whether it is a party to the event."""
        return {
            "ngo": SourceType.NGO,
            "media": SourceType.MEDIA,
            "witness": SourceType.WITNESS,
        }.get(self.kind, SourceType.OFFICIAL if self.kind in ("military", "official") else
              SourceType.OTHER)  # fmt: skip

    def short(self, lang: str) -> str:
        """How a sentence names the source: "l'État-Major ..." or "the General Staff ..."."""
        if lang == "fr" or self.label == self.written:
            return self.phrase
        return f"the {self.label}" if self.label[:1].isupper() else self.label

    def display(self) -> str:
        """The contract's `source`: the neutral label, as written, and 'communiqué'."""
        text = self.label
        if self.written.casefold() not in self.label.casefold():
            text = f"{self.label} ({self.written})"
        if self.document:
            text += f", {self.document}"
        return text[:200]


@cache
def _compiled(lang: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in PATTERNS["fr" if lang == "fr" else "en"])


@cache
def _kinds() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in KINDS)


def _kind(written: str) -> str:
    for kind, pattern in _kinds():
        if pattern.search(written):
            return kind
    return "other"


def _label(written: str, kind: str, lang: str) -> str:
    country = country_of_adjective(written, lang)
    if country is not None and _GENERAL_STAFF.search(written):
        return f"General Staff of the {country.army_label}".replace(" (FAMa)", "")
    if country is not None and kind == "military":
        return country.army_label
    return written


def _clean(written: str) -> tuple[str, str]:
    """The source without ('État-Major') and with its determiner ("l'État-Major")."""
    via = list(_VIA.finditer(written))
    if via:
        written = written[via[-1].end() :]
    phrase = written.strip(" '’")
    if _DETERMINER.match(phrase):
        phrase = phrase[0].lower() + phrase[1:]
    return _DETERMINER.sub("", phrase).strip() or phrase, phrase


def _source_in(sentence: Sentence, lang: str) -> Source | None:
    for pattern in _compiled(lang):
        match = pattern.search(sentence.text)
        if match is None:
            continue
        written, phrase = _clean(match.group("src"))
        if len(written.split()) > 12 or not any(ch.isalpha() for ch in written):
            continue
        generic = bool(_GENERIC.match(written))
        document = _DOCUMENT.search(sentence.text)
        kind = _kind(written)
        quote = match.group().strip(' ,;:«“"')
        return Source(
            written=written,
            phrase=phrase,
            label=_label(written, kind, lang),
            kind=kind,
            quote=quote,
            start=sentence.start + match.start(),
            document=document.group().casefold() if document else None,
            generic=generic,
            disputed=bool(_DISPUTE.search(match.group())),
        )
    return None


def _refers_to(later: Source, first: Source) -> bool:
    if later.generic:
        return True
    words = later.written.casefold().replace("’", "'")
    return words in first.written.casefold().replace("’", "'") or words == first.label.casefold()


def find_sources(sentences: list[Sentence], lang: str) -> dict[int, Source]:
    """The source of each attributed sentence, by sentence index, anaphora resolved."""
    found: dict[int, Source] = {}
    first: Source | None = None
    for sentence in sentences:
        source = _source_in(sentence, lang)
        if source is None:
            continue
        if first is not None and _refers_to(source, first):
            source = replace(
                first,
                quote=source.quote,
                start=source.start,
                document=first.document or source.document,
            )
        elif source.generic:
            continue
        if first is None:
            first = source
        found[sentence.index] = source
    return found


def status_of(source: Source, party: bool) -> tuple[SourceType, ClaimStatus]:
    """The source's role and the claim's status, knowing whether it is a party to the event."""
    if source.disputed:
        return source.source_type, ClaimStatus.DISPUTED
    if party:
        return SourceType.PARTY_TO_CONFLICT, ClaimStatus.CLAIMED
    return source.source_type, ClaimStatus.REPORTED


def is_claim(text: str) -> bool:
    """True when a sentence claims responsibility."""
    return bool(_CLAIM.search(text))
