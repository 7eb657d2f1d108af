"""Casualty, seizure and displacement figures: "neutraliser quatorze terroristes",
"five people were killed", "récupération de neuf motos", "dozens wounded".

The number comes from the normaliser (digits and number words); vague quantities keep
ACLED's fixed value and are flagged. "Neutralised" stays neutralised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from schemas import FigureKind
from service.normalize.numbers import NumberMention

K = FigureKind
KEYWORDS: dict[str, tuple[tuple[FigureKind, str], ...]] = {
    "en": (
        (K.NEUTRALISED, r"neutrali[sz](?:ed|ing|e|ation)"),
        (K.KILLED, r"killed|killing|kills|dead|died|deaths?|death toll|toll|fatalities|"
         r"lost their lives|shot dead|slain|murdered|massacred|executed|perished|beheaded|"
         r"bodies"),
        (K.INJURED, r"injured|injuring|injuries|wounded|wounding|hurt"),
        (K.CAPTURED, r"arrested|arrests?|detained|detaining|captured|capturing|apprehended|"
         r"taken into custody|rounded up|nabbed|kidnapped|abducted|abducting|kidnapping|"
         r"taken hostage|held hostage"),
        (K.MISSING, r"missing|unaccounted for|disappeared"),
        (K.DISPLACED, r"displaced|displacing|fled their homes|homeless|evacuated|evacuating"),
        (K.SEIZED, r"seized|seizing|seizure of|recovered|recovering|confiscated|impounded|"
         r"intercepted"),
        (K.DESTROYED, r"destroyed|destroying|burned|burnt|torched|razed|damaged|buried|burying|"
         r"swept away|washed away|flattened|collapsed"),
    ),
    "fr": (
        (K.NEUTRALISED, r"neutralis(?:é|ée|és|ées|er|ation|ant|ait|aient)"),
        (K.KILLED, r"tu(?:é|ée|és|ées|ant)|morts?|mortes|décès|décédés?|ont péri|"
         r"perdu la vie|pertes?(?: en vies humaines)?|abattus?|exécutés?|assassinés?|"
         r"égorgés?|corps sans vie|victimes mortelles"),
        (K.INJURED, r"bless(?:é|ée|és|ées|ant|ures?)"),
        (K.CAPTURED, r"arrêt(?:é|ée|és|ées)|arrestations?|interpell(?:é|ée|és|ées|ation|ations)|"
         r"captur(?:é|ée|és|ées|er)|appréhendés?|faits? prisonniers?|enlev(?:é|ée|és|ées|ant)|"
         r"kidnapp(?:é|ée|és|ées)|pris en otage|détenus"),
        (K.MISSING, r"disparus?|disparues?|portés? disparus?"),
        (K.DISPLACED, r"déplacés?|sinistrés?|sans-abri|évacués?|ont fui"),
        (K.SEIZED, r"sais(?:i|is|ie|ies|ir|ie de|issant)|récupér(?:é|ée|és|ées|ation|ant|er)|"
         r"confisqu(?:é|ée|és|ées)|mis la main sur"),
        (K.DESTROYED, r"détrui(?:t|ts|te|tes|sant|re)|incendi(?:é|ée|és|ées)|brûl(?:é|és|ée|ées)|"
         r"emporté(?:e|es|s)?|enseveli(?:e|es|s)?|endommagé(?:e|es|s)?|effondré(?:e|es|s)?"),
    ),
}  # fmt: skip

PEOPLE = (
    r"people|persons?|personnes?|civilians?|civils?|soldiers?|soldats?|militaires?|"
    r"policemen|police(?:men)?|policiers?|officers?|troops|fighters|combattants?|militants?|"
    r"terroristes?|terrorists?|jihadistes?|djihadistes?|assaillants?|attackers?|rebels?|"
    r"rebelles?|insurgents?|insurgés?|gunmen|protesters?|manifestants?|demonstrators?|"
    r"students?|élèves?|étudiants?|children|enfants?|women|femmes?|men|hommes?|villagers?|"
    r"villageois|residents?|habitants?|suspects?|individus?|members?|membres?|éléments?|"
    r"workers?|ouvriers?|passengers?|passagers?|hostages?|otages?|bandits?|gendarmes?|"
    r"victims?|victimes?|others|autres|dead|wounded|injured|blessés?|morts?|tués?|"
    r"pupils|schoolgirls|schoolchildren|worshippers|fidèles|farmers|miners|fishermen|"
    r"family|families|familles?|households|ménages|refugees|réfugiés|migrants?|"
    r"ennemis?|enemy|combatants|kidnappers|ravisseurs|commandos?|pilots?|pilotes?|crew"
)
GENERIC_UNITS = re.compile(
    r"^(?:équipements?|equipment|items?|objets?|biens|matériels?(?! de guerre)|materiel)\b", re.I
)
_UNIT_STOP = re.compile(
    r"^(?:et|and|ou|or|lors|dans|à|au|aux|en|sur|pour|qui|que|dont|that|which|who|in|at|on|"
    r"during|from|by|with|avec|par|après|after|before|avant|près|near|while|alors|ont|a|"
    r"were|was|have|has|had|are|is|sont|est|été|been|y|il|ils|elle|elles|the|le|la|les|"
    r"un|une|this|ce|cette|ces|tout|toute|when|quand|lorsque|as|comme|since|depuis)$",
    re.IGNORECASE,
)
_NOT_COUNT = re.compile(
    r"^\s*(?:km|kilomètres?|kilometers?|kilometres?|miles?|m|mètres?|meters?|metres?|"
    r"heures?|hours?|h|minutes?|min|ans|years?|jours?|days?|mois|months?|semaines?|weeks?|"
    r"%|pour ?cent|percent|per cent|dollars?|\$|euros?|€|FCFA|francs?|naira|rupees?|"
    r"shillings?|ème|e|er|th|st|nd|rd|h\d\d)\b",
    re.IGNORECASE,
)
_LEAD_IN = r"\s*(?:(?:de|d'|d’|des|of|à|au moins|at least|about|some|around|nearly|over|" \
    r"more than|plus de|près de|environ|quelque|approximately|up to|jusqu'à|an estimated|" \
    r"un total de|a total of|to|at|stood at|rose to|s'élève à|est de|of at least)\s*)*"  # fmt: skip


@dataclass(frozen=True)
class FigureFinding:
    """A figure found in the text, before it becomes a contract `Figure`."""

    kind: FigureKind
    value: int | None
    low: int | None
    high: int | None
    vague: bool
    unit: str | None
    noun: str | None
    raw: str
    start: int
    end: int


@cache
def _keywords(lang: str) -> tuple[tuple[FigureKind, re.Pattern[str]], ...]:
    table = KEYWORDS["fr" if lang == "fr" else "en"]
    return tuple(
        (kind, re.compile(rf"(?<![\w-])(?:{source})(?![\w])", re.IGNORECASE))
        for kind, source in table
    )


_PEOPLE = re.compile(rf"^(?:{PEOPLE})$", re.IGNORECASE)


def is_people(noun: str | None) -> bool:
    """True when a counted noun designates people ("soldats", "civilians")."""
    if not noun:
        return True
    return bool(_PEOPLE.match(noun.split()[0]))


def _noun_after(text: str, position: int, limit: int) -> tuple[str | None, int]:
    """The counted noun phrase right after a number: up to three words (with de/of links)."""
    words = list(re.finditer(r"[\w’'-]+", text[position:limit]))
    kept: list[re.Match[str]] = []
    for word in words[:6]:
        gap = text[position + (kept[-1].end() if kept else 0) : position + word.start()]
        if any(ch in gap for ch in ",.;:()!?") or (len(gap.strip()) and kept):
            break
        token = word.group()
        if _UNIT_STOP.match(token) and not kept:
            return None, position
        if _UNIT_STOP.match(token) or len(kept) >= 3:
            break
        kept.append(word)
        if re.match(r"^(?:de|d'|d’|of)$", token, re.IGNORECASE):
            continue
    while kept and re.match(r"^(?:de|d'|d’|of)$", kept[-1].group(), re.IGNORECASE):
        kept.pop()
    while kept and re.match(r"^(?:de|d'|d’|of)$", kept[0].group(), re.IGNORECASE):
        kept.pop(0)
    if not kept:
        return None, position
    return text[position + kept[0].start() : position + kept[-1].end()], position + kept[-1].end()


def usable_numbers(
    text: str, numbers: list[NumberMention], excluded: list[tuple[int, int]]
) -> list[NumberMention]:
    """Numbers that can be counts: not dates, times, distances, money or percentages."""
    kept = []
    for number in numbers:
        if any(number.start < end and start < number.end for start, end in excluded):
            continue
        if _NOT_COUNT.match(text[number.end : number.end + 12]):
            continue
        if not number.vague and 1900 <= number.value <= 2100 and number.text.isdigit():
            continue
        kept.append(number)
    return kept


def find_figures(
    text: str, start: int, end: int, numbers: list[NumberMention], lang: str
) -> list[FigureFinding]:
    """Figures in the sentence `text[start:end]`; `numbers` are usable numbers in the text."""
    inside = [n for n in numbers if start <= n.start and n.end <= end]
    found: list[FigureFinding] = []
    used: set[int] = set()
    for kind, pattern in _keywords(lang):
        for match in pattern.finditer(text, start, end):
            if any(f.start <= match.start() < f.end for f in found):
                continue
            finding = _forward(text, match, kind, inside, used, end) or _backward(
                text, match, kind, inside, used, start
            )
            if finding is None:
                finding = _unquantified(text, match, kind, start, end)
            if finding is not None:
                found.append(finding)
    found.sort(key=lambda f: (f.start, f.end, f.kind.value))
    return found


def _range_end(text: str, number: NumberMention, numbers: list[NumberMention]) -> NumberMention:
    for other in numbers:
        gap = text[number.end : other.start]
        if other.start >= number.end and re.fullmatch(r"\s*(?:-|–|to|and|à|et|ou|or)\s*", gap):
            return other
    return number


def _range_start(text: str, number: NumberMention, numbers: list[NumberMention]) -> NumberMention:
    for other in numbers:
        gap = text[other.end : number.start]
        if other.end <= number.start and re.fullmatch(r"\s*(?:-|–|to|and|à|et|ou|or)\s*", gap):
            return other
    return number


def _make(
    text: str,
    kind: FigureKind,
    numbers: tuple[NumberMention, NumberMention],
    span: tuple[int, int],
    noun: str | None,
) -> FigureFinding:
    first, last = numbers
    low, high = (first.value, last.value) if last is not first else (None, None)
    item = not is_people(noun)
    if kind is K.CAPTURED and item:
        kind = K.SEIZED
    vague = first.vague
    value: int | None = first.value
    if vague and item:
        value, vague = None, False
    unit = noun if item and kind in (K.SEIZED, K.DESTROYED, K.OTHER) else None
    raw = text[span[0] : span[1]]
    return FigureFinding(kind, value, low, high, vague, unit, noun, raw, span[0], span[1])


def _forward(
    text: str,
    match: re.Match[str],
    kind: FigureKind,
    numbers: list[NumberMention],
    used: set[int],
    limit: int,
) -> FigureFinding | None:
    lead = re.match(_LEAD_IN, text[match.end() : limit])
    at = match.end() + (lead.end() if lead else 0)
    for number in numbers:
        if number.start == at and number.start not in used:
            last = _range_end(text, number, numbers)
            noun, noun_end = _noun_after(text, last.end, limit)
            if (
                kind is K.KILLED
                and match.group().casefold().startswith("pert")
                and not is_people(noun)
            ):
                return None
            used.update({number.start, last.start})
            return _make(text, kind, (number, last), (match.start(), max(noun_end, last.end)),
                         noun)  # fmt: skip
    return None


def _backward(
    text: str,
    match: re.Match[str],
    kind: FigureKind,
    numbers: list[NumberMention],
    used: set[int],
    limit: int,
) -> FigureFinding | None:
    for number in reversed(numbers):
        if number.end > match.start() or number.start in used or number.start < limit:
            continue
        between = text[number.end : match.start()]
        if re.search(r"[,;:.()!?]", between) or len(between.split()) > 6:
            return None
        if re.search(r"\b(?:à|de la|lors|dans|in|at|during|after|avant|before)\b", between):
            return None
        first = _range_start(text, number, numbers)
        noun, _ = _noun_after(text, number.end, match.start())
        used.update({first.start, number.start})
        return _make(text, kind, (first, number), (first.start, match.end()), noun)
    return None


_DET_AFTER = re.compile(
    r"^\s*(?:des|du|de la|de l'|d'|d’|les|some|several|dozens of|many|numerous|"
    r"plusieurs|divers|diverses|nombreux|nombreuses)\s+", re.IGNORECASE
)  # fmt: skip
_DET_BEFORE = re.compile(
    r"(?:^|[\s,;])(?:des|les|diverses|divers|de nombreux|de nombreuses|many|numerous|"
    r"several|some|the)\s+((?:[\w’'-]+\s+){1,6}?)(?:(?:ont|a|avaient|were|was|have|had|"
    r"been|été|sont)\s+){0,3}$", re.IGNORECASE
)  # fmt: skip
_NULL_KINDS = (K.NEUTRALISED, K.SEIZED, K.DESTROYED, K.KILLED, K.INJURED)


def _unquantified(
    text: str, match: re.Match[str], kind: FigureKind, start: int, end: int
) -> FigureFinding | None:
    """An outcome without a number: 'neutraliser des éléments', 'weapons were seized'."""
    if kind not in _NULL_KINDS:
        return None
    after = _DET_AFTER.match(text[match.end() : end])
    if after is not None:
        noun, noun_end = _noun_after(text, match.end() + after.end(), end)
        if noun is not None:
            return _null(text, kind, noun, match.start(), noun_end)
    before = _DET_BEFORE.search(text[max(start, match.start() - 90) : match.start()])
    if before is not None and kind in (K.SEIZED, K.DESTROYED):
        phrase_start = match.start() - len(before.group().lstrip(" ,;"))
        noun, _ = _noun_after(text, phrase_start, match.start())
        head = re.sub(r"^\S+\s+", "", noun or "")
        if head:
            return _null(text, kind, head, phrase_start, match.end())
    return None


def _null(text: str, kind: FigureKind, noun: str, begin: int, stop: int) -> FigureFinding | None:
    item = not is_people(noun)
    if kind in (K.SEIZED, K.DESTROYED) and not item:
        return None
    if kind in (K.KILLED, K.INJURED) and item:
        return None
    unit = noun if item else None
    return FigureFinding(kind, None, None, None, False, unit, noun, text[begin:stop], begin, stop)


def prune(findings: list[FigureFinding]) -> list[FigureFinding]:
    """Within one event: a precise count supersedes vague or unquantified ones of its kind."""
    precise = {f.kind for f in findings if f.value is not None and not f.vague}
    counted_items = {f.kind for f in findings if f.value is not None and f.unit}
    kept: list[FigureFinding] = []
    seen: set[tuple[str, int | None, str | None]] = set()
    for finding in findings:
        if finding.vague and finding.kind in precise:
            continue
        generic = finding.unit is not None and GENERIC_UNITS.match(finding.unit)
        if finding.value is None and generic and finding.kind in counted_items:
            continue
        if finding.value is None and finding.unit is None and finding.kind in precise:
            continue
        key = (finding.kind.value, finding.value, (finding.unit or "").casefold() or None)
        if key in seen:
            continue
        seen.add(key)
        kept.append(finding)
    return kept
