"""Casualty, seizure and displacement figures: "neutraliser quatorze terroristes",
"five people were killed", "récupération de neuf motos", "dozens wounded".

The number comes from the normaliser (digits and number words); vague quantities keep
ACLED's fixed value and are flagged. "Neutralised" stays neutralised.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache
from itertools import islice

from schemas import FigureKind
from service.normalize.numbers import NumberMention
from service.normalize.textutil import WORD_AHEAD

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
_LEAD_IN_RE = re.compile(_LEAD_IN)
_WORD = re.compile(r"[\w’'-]+")
_LINK = re.compile(r"^(?:de|d'|d’|of)$", re.IGNORECASE)
# A range's two numbers: "5 to 7", "5-7", "cinq ou six" (the gap is whitespace, one
# connector, whitespace; a connector never starts or ends with whitespace).
_RANGE_GAP = re.compile(r"\s*(?:-|–|to|and|à|et|ou|or)\s*")
_CONNECTORS = ("-", "–", "to", "and", "à", "et", "ou", "or")
# The words between a number and its keyword: at most six, no punctuation.
_SHORT_GAP = re.compile(r"\s*+(?:[^\s,;:.()!?]++\s*+){0,6}")
_SPACES = re.compile(r"\s*")


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
        (kind, re.compile(rf"(?<![\w-]){WORD_AHEAD}(?:{source})(?![\w])", re.IGNORECASE))
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
    kept: list[re.Match[str]] = []
    for word in islice(_WORD.finditer(text, position, limit), 6):
        gap = text[kept[-1].end() if kept else position : word.start()]
        if any(ch in gap for ch in ",.;:()!?") or (len(gap.strip()) and kept):
            break
        token = word.group()
        if _UNIT_STOP.match(token) and not kept:
            return None, position
        if _UNIT_STOP.match(token) or len(kept) >= 3:
            break
        kept.append(word)
    while kept and _LINK.match(kept[-1].group()):
        kept.pop()
    while kept and _LINK.match(kept[0].group()):
        kept.pop(0)
    if not kept:
        return None, position
    return text[kept[0].start() : kept[-1].end()], kept[-1].end()


class NumberList(list[NumberMention]):
    """Usable numbers in text order, with their offsets kept for range queries.

    Built once per article by `usable_numbers`; not to be changed afterwards.
    """

    def __init__(self, numbers: list[NumberMention]) -> None:
        super().__init__(numbers)
        self.starts = [number.start for number in numbers]
        self.ordered = all(n.start <= n.end for n in numbers) and all(
            a <= b for a, b in zip(self.starts, self.starts[1:], strict=False)
        )


def usable_numbers(
    text: str, numbers: list[NumberMention], excluded: list[tuple[int, int]]
) -> list[NumberMention]:
    """Numbers that can be counts: not dates, times, distances, money or percentages."""
    overlaps = _Overlaps(excluded)
    kept = []
    for number in numbers:
        if overlaps.any(number.start, number.end):
            continue
        if _NOT_COUNT.match(text[number.end : number.end + 12]):
            continue
        if not number.vague and 1900 <= number.value <= 2100 and number.text.isdigit():
            continue
        kept.append(number)
    return NumberList(kept)


class _Overlaps:
    """Spans `(start, end)` answering "does any overlap [start, end)?" in log time."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [start for start, _ in ordered]
        self.reach: list[int] = []  # the largest end among the spans up to each one
        for _, end in ordered:
            self.reach.append(max(end, self.reach[-1]) if self.reach else end)

    def any(self, start: int, end: int) -> bool:
        """True when some span (s, e) has start < e and s < end."""
        count = bisect_left(self.starts, end)
        return count > 0 and self.reach[count - 1] > start


def _numbers_within(numbers: list[NumberMention], start: int, end: int) -> list[NumberMention]:
    if isinstance(numbers, NumberList) and numbers.ordered and len(numbers.starts) == len(numbers):
        first, last = bisect_left(numbers.starts, start), bisect_right(numbers.starts, end)
        return [n for n in numbers[first:last] if n.end <= end]
    return [n for n in numbers if start <= n.start and n.end <= end]


class _Covered:
    """The union of the spans of the figures found so far: is an offset inside one?"""

    def __init__(self) -> None:
        self.starts: list[int] = []  # disjoint spans, in order
        self.ends: list[int] = []

    def __contains__(self, offset: int) -> bool:
        index = bisect_right(self.starts, offset) - 1
        return index >= 0 and offset < self.ends[index]

    def add(self, start: int, end: int) -> None:
        if start >= end:
            return
        first, last = bisect_left(self.ends, start), bisect_right(self.starts, end)
        if first < last:
            start, end = min(start, self.starts[first]), max(end, self.ends[last - 1])
        self.starts[first:last] = [start]
        self.ends[first:last] = [end]


def _skip_space(text: str, position: int) -> int:
    """The end of the whitespace run starting at `position`."""
    run = _SPACES.match(text, position)
    return run.end() if run is not None else position


def _skip_space_back(text: str, position: int) -> int:
    """The start of the whitespace run ending at `position`."""
    while position > 0 and text[position - 1].isspace():
        position -= 1
    return position


class _Numbers:
    """The numbers of one sentence, indexed so that each figure rule takes log time.

    Answers exactly as a scan of the list in order would; the scan stays as a fallback
    for a list whose offsets are not in order.
    """

    def __init__(self, text: str, numbers: list[NumberMention], end: int) -> None:
        self.text, self.items, self.end = text, numbers, end
        self.starts = [n.start for n in numbers]
        self.ends = [n.end for n in numbers]
        self.in_order = all(
            a <= b for a, b in zip(self.starts, self.starts[1:], strict=False)
        ) and all(a <= b for a, b in zip(self.ends, self.ends[1:], strict=False))
        self.first_at: dict[int, int] = {}
        self.first_ending: dict[int, int] = {}
        for index, number in enumerate(numbers):
            self.first_at.setdefault(number.start, index)
            self.first_ending.setdefault(number.end, index)
        self.skip = list(range(len(numbers)))  # path-compressed links past used numbers
        self.gap_ends: dict[int, int] = {}

    def at(self, start: int) -> NumberMention | None:
        """The first number starting at `start`."""
        index = self.first_at.get(start)
        return self.items[index] if index is not None else None

    def range_end(self, number: NumberMention) -> NumberMention:
        """The number closing a range opened by `number` ("5 to 7"), else `number`."""
        if not self.in_order:
            return _range_end(self.text, number, self.items)
        text = self.text
        at = _skip_space(text, number.end)
        connector = next((c for c in _CONNECTORS if text.startswith(c, at)), None)
        if connector is None:
            return number
        low = at + len(connector)
        index = bisect_left(self.starts, low)
        if index < len(self.items) and self.starts[index] <= _skip_space(text, low):
            return self.items[index]
        return number

    def range_start(self, number: NumberMention) -> NumberMention:
        """The number opening a range closed by `number`, else `number`."""
        text = self.text
        stop = _skip_space_back(text, number.start)
        connector = next((c for c in _CONNECTORS if text.endswith(c, 0, stop)), None)
        if connector is None:
            return number
        high = stop - len(connector)
        low = _skip_space_back(text, high)
        found = [self.first_ending.get(end) for end in range(low, high + 1)]
        indices = [index for index in found if index is not None]
        return self.items[min(indices)] if indices else number

    def last_before(self, offset: int, used: set[int], limit: int) -> NumberMention | None:
        """The last number ending by `offset`, not used, starting at `limit` or later."""
        if not self.in_order:
            for number in reversed(self.items):
                if number.end > offset or number.start in used or number.start < limit:
                    continue
                return number
            return None
        index = self._free(bisect_right(self.ends, offset) - 1, used)
        if index < 0 or self.items[index].start < limit:
            return None  # in order: every earlier number starts before `limit` too
        return self.items[index]

    def _free(self, index: int, used: set[int]) -> int:
        """The last index at or before `index` whose number is not used, or -1."""
        path = []
        while index >= 0:
            if self.skip[index] != index:
                path.append(index)
                index = self.skip[index]
            elif self.items[index].start in used:
                path.append(index)
                index -= 1
            else:
                break
        for passed in path:
            self.skip[passed] = index
        return index

    def short_gap(self, number: NumberMention, offset: int) -> bool:
        """True when the text from `number` to `offset` has no punctuation and at most six
        words (a prefix of a short gap is short: one scan per number answers for all)."""
        end = self.gap_ends.get(number.end)
        if end is None:
            gap = _SHORT_GAP.match(self.text, number.end, max(self.end, number.end))
            end = gap.end() if gap is not None else number.end
            self.gap_ends[number.end] = end
        return offset <= end


def find_figures(
    text: str, start: int, end: int, numbers: list[NumberMention], lang: str
) -> list[FigureFinding]:
    """Figures in the sentence `text[start:end]`; `numbers` are usable numbers in the text."""
    inside = _Numbers(text, _numbers_within(numbers, start, end), end)
    found: list[FigureFinding] = []
    covered = _Covered()
    used: set[int] = set()
    for kind, pattern in _keywords(lang):
        for match in pattern.finditer(text, start, end):
            if match.start() in covered:
                continue
            finding = _forward(text, match, kind, inside, used, end) or _backward(
                text, match, kind, inside, used, start
            )
            if finding is None:
                finding = _unquantified(text, match, kind, start, end)
            if finding is not None:
                found.append(finding)
                covered.add(finding.start, finding.end)
    found.sort(key=lambda f: (f.start, f.end, f.kind.value))
    return found


def _range_end(text: str, number: NumberMention, numbers: list[NumberMention]) -> NumberMention:
    for other in numbers:
        if other.start >= number.end and _RANGE_GAP.fullmatch(text, number.end, other.start):
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
    numbers: _Numbers,
    used: set[int],
    limit: int,
) -> FigureFinding | None:
    lead = _LEAD_IN_RE.match(text, match.end(), limit)
    number = numbers.at(lead.end() if lead else match.end())
    if number is None or number.start in used:
        return None
    last = numbers.range_end(number)
    noun, noun_end = _noun_after(text, last.end, limit)
    if kind is K.KILLED and match.group().casefold().startswith("pert") and not is_people(noun):
        return None
    used.update({number.start, last.start})
    return _make(text, kind, (number, last), (match.start(), max(noun_end, last.end)), noun)


def _backward(
    text: str,
    match: re.Match[str],
    kind: FigureKind,
    numbers: _Numbers,
    used: set[int],
    limit: int,
) -> FigureFinding | None:
    number = numbers.last_before(match.start(), used, limit)
    if number is None or not numbers.short_gap(number, match.start()):
        return None
    between = text[number.end : match.start()]
    if re.search(r"\b(?:à|de la|lors|dans|in|at|during|after|avant|before)\b", between):
        return None
    first = numbers.range_start(number)
    noun, _ = _noun_after(text, number.end, match.start())
    used.update({first.start, number.start})
    return _make(text, kind, (first, number), (first.start, match.end()), noun)


_DET_AFTER = re.compile(
    r"\s*+(?:des|du|de la|de l'|d'|d’|les|some|several|dozens of|many|numerous|"
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
    after = _DET_AFTER.match(text, match.end(), end)
    if after is not None:
        noun, noun_end = _noun_after(text, after.end(), end)
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
