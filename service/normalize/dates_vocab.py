"""Per-language date vocabulary: month and weekday names from dateparser's locale data,
relative expressions written out for English and French (dateparser's for the rest)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from service.normalize.textutil import WORD_AHEAD, fold

MONTHS = (
    "january february march april may june july august september october november december"
).split()
WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
SMALL_NUMBERS = {
    **{w: i for i, w in enumerate("zero one two three four five six seven eight nine ten".split())},
    **{w: i for i, w in enumerate("zero un deux trois quatre cinq six sept huit neuf dix".split())},
    "a": 1,
    "an": 1,
    "une": 1,
    "quelques": 3,
    "several": 3,
    "plusieurs": 3,
}
_N = r"(?P<n>\d{1,2}|" + "|".join(sorted(SMALL_NUMBERS, key=len, reverse=True)) + ")"


@dataclass(frozen=True)
class RelativeRule:
    """A relative expression: its pattern and the unit and amount it moves back by.

    unit is "day", "week", "month", "year" or "weekday"; amount None means the
    pattern's `n` group gives it (a count of units back). For "weekday" the
    pattern has a `wd` group and, when the day must be strictly before publication,
    a matching `last` group."""

    pattern: re.Pattern[str]
    unit: str
    amount: int | None


def _rules(table: list[tuple[str, str, int | None]]) -> list[RelativeRule]:
    return [
        RelativeRule(re.compile(rf"(?<!\w){WORD_AHEAD}{body}(?!\w)", re.IGNORECASE), unit, amount)
        for body, unit, amount in table
    ]


_EN_PARTS = r"(?:\s+(?:morning|afternoon|evening|night))?"
_EN = [
    (r"the\s+day\s+before\s+yesterday", "day", 2),
    (r"yesterday" + _EN_PARTS + r"|last\s+night|overnight", "day", 1),
    (r"(?:earlier\s+)?today|this\s+(?:morning|afternoon|evening)|tonight", "day", 0),
    (_N + r"\s+days?\s+ago", "day", None),
    (r"last\s+week|the\s+previous\s+week|the\s+week\s+before", "week", 1),
    (r"(?:earlier\s+)?this\s+week", "week", 0),
    (_N + r"\s+weeks?\s+ago", "week", None),
    (r"last\s+month|the\s+previous\s+month", "month", 1),
    (r"(?:earlier\s+)?this\s+month", "month", 0),
    (_N + r"\s+months?\s+ago", "month", None),
    (r"last\s+year|the\s+previous\s+year", "year", 1),
    (r"(?:earlier\s+)?this\s+year", "year", 0),
]
_FR_PARTS = r"(?:\s+(?:matin|midi|après-midi|apres-midi|soir))?"
_FR = [
    (r"avant-hier", "day", 2),
    (r"hier" + _FR_PARTS + r"|la\s+nuit\s+dernière|dans\s+la\s+nuit\s+d['’]hier", "day", 1),
    (r"aujourd['’]hui|ce\s+matin|cet\s+après-midi|ce\s+soir|cette\s+nuit", "day", 0),
    (r"il\s+y\s+a\s+" + _N + r"\s+jours?", "day", None),
    (r"la\s+semaine\s+(?:dernière|passée|précédente)", "week", 1),
    (r"(?:en\s+début\s+de\s+|cette\s+)semaine", "week", 0),
    (r"il\s+y\s+a\s+" + _N + r"\s+semaines?", "week", None),
    (r"le\s+mois\s+(?:dernier|passé|précédent)", "month", 1),
    (r"ce\s+mois(?:-ci)?", "month", 0),
    (r"il\s+y\s+a\s+" + _N + r"\s+mois", "month", None),
    (r"l['’]an(?:née)?\s+(?:dernière?|passée?|précédente?)", "year", 1),
    (r"cette\s+année", "year", 0),
]
_GENERIC_UNITS = {"day": "day", "week": "week", "month": "month", "year": "year"}


@dataclass(frozen=True)
class Vocabulary:
    """What the date finder needs to know about one language."""

    lang: str
    months: dict[str, int]
    weekdays: dict[str, int]
    month_pattern: str
    weekday_pattern: str
    day_first: bool
    relative: tuple[RelativeRule, ...]
    weekday_rule: re.Pattern[str]


def _locale_info(lang: str) -> dict[str, object]:
    from dateparser.languages.loader import default_loader

    try:
        locale = default_loader.get_locale(lang)
    except ValueError:
        locale = default_loader.get_locale("en")
    return dict(locale.info)


def _names(info: dict[str, object], key: str) -> list[str]:
    value = info.get(key)
    return [str(v) for v in value] if isinstance(value, list) else []


def _alternation(names: dict[str, int]) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=lambda n: (-len(n), n)))


def _generic_relative(info: dict[str, object]) -> list[tuple[str, str, int | None]]:
    table: list[tuple[str, str, int | None]] = []
    relative = info.get("relative-type")
    if not isinstance(relative, dict):
        return table
    for key, phrases in sorted(relative.items()):
        found = re.fullmatch(r"(\d+) (day|week|month|year) ago", key)
        if found and isinstance(phrases, list):
            body = "|".join(re.escape(str(p)) for p in phrases if p)
            if body:
                table.append((body, _GENERIC_UNITS[found.group(2)], int(found.group(1))))
    return table


def _weekday_rule(lang: str, weekday_pattern: str) -> re.Pattern[str]:
    wd = f"(?P<wd>{weekday_pattern})"
    if lang == "en":
        body = rf"(?:(?P<last>last|this\s+past)\s+|this\s+)?{wd}{_EN_PARTS}"
    elif lang == "fr":
        body = (
            rf"(?:(?:ce|dans\s+la\s+nuit\s+d[eu])\s+)?{wd}(?:\s+(?P<last>dernier|passé))?"
            rf"{_FR_PARTS}(?:\s+(?:au|à)\s+(?:{weekday_pattern}))?"
        )
    else:
        body = wd
    return re.compile(rf"(?<!\w){WORD_AHEAD}{body}(?!\w)", re.IGNORECASE)


@functools.cache
def vocabulary(lang: str) -> Vocabulary:
    """The (cached) vocabulary of a language; unknown languages fall back to English."""
    info = _locale_info(lang)
    months: dict[str, int] = {}
    for number, key in enumerate(MONTHS, start=1):
        for name in _names(info, key):
            if len(name) >= 3:
                months[name.casefold()] = number
    weekdays: dict[str, int] = {}
    for number, key in enumerate(WEEKDAYS):
        names = _names(info, key)
        if names:
            weekdays[max(names, key=len).casefold()] = number
    months.update({fold(n): i for n, i in list(months.items())})
    weekdays.update({fold(n): i for n, i in list(weekdays.items())})
    weekday_pattern = _alternation(weekdays)
    order = str(info.get("date_order", "DMY"))
    relative = {"en": _EN, "fr": _FR}.get(lang) or _generic_relative(info)
    return Vocabulary(
        lang=lang,
        months=months,
        weekdays=weekdays,
        month_pattern=_alternation(months),
        weekday_pattern=weekday_pattern,
        day_first=order.find("D") < order.find("M"),
        relative=tuple(_rules(relative)),
        weekday_rule=_weekday_rule(lang, weekday_pattern),
    )
