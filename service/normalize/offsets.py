"""Offsets from a named place: '15 km north of Kabul', 'à environ 15 kilomètres au sud de X'."""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.normalize.numbers import parse_number
from service.normalize.textutil import disjoint

_UPPER = "A-ZÀ-ÖØ-ÞĀ-Ž"
_NAME = rf"[{_UPPER}][\w'’]*(?:-[\w'’]+)*"
_REFERENCE = (
    rf"(?P<ref>{_NAME}(?:\s++(?:(?:du|de\s+la|des|de|del|el|al|sur|of|d['’])\s*+)?{_NAME})*)"
)
# A spelled distance starts a word: a match starting inside one would also have matched
# from the word's first letter, so trying every letter of a long word only costs time
# (the same for a digit inside a number).
_DISTANCE = r"(?P<dist>(?<!\d)\d+(?:[.,]\d+)?|(?<![^\W\d_])[^\W\d_]+(?:-[^\W\d_]+)*)"
_UNITS = {
    "km": "km",
    "kms": "km",
    "kilomètre": "km",
    "kilomètres": "km",
    "kilometre": "km",
    "kilometres": "km",
    "kilometer": "km",
    "kilometers": "km",
    "mètre": "m",
    "mètres": "m",
    "metre": "m",
    "metres": "m",
    "meter": "m",
    "meters": "m",
    "m": "m",
    "mile": "mi",
    "miles": "mi",
    "mi": "mi",
    "milles": "mi",
}
_UNIT = "(?P<unit>" + "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True)) + ")"
_FR_DIRECTIONS = {
    "nord": "north",
    "sud": "south",
    "est": "east",
    "ouest": "west",
    "nord-est": "northeast",
    "nord-ouest": "northwest",
    "sud-est": "southeast",
    "sud-ouest": "southwest",
}
# Whitespace runs are taken whole (possessive): what follows each never starts with a space.
_PATTERNS = {
    "fr": re.compile(
        rf"(?i:(?P<approx>(?:environ|quelque|près\s+de|pres\s+de|à\s+peine)\s++)?{_DISTANCE}\s*+"
        rf"{_UNIT}\s++(?:au|à\s+l['’]|en|dans\s+le)\s*+"
        r"(?P<dir>nord-est|nord-ouest|sud-est|sud-ouest|nord|sud|est|ouest)\s++"
        rf"(?:de\s+la\s+ville\s+de\s+|du\s+village\s+de\s+|de\s+|du\s+|d['’]\s*+)){_REFERENCE}"
    ),
    "en": re.compile(
        r"(?i:(?P<approx>(?:about|some|around|roughly|approximately|nearly|almost)\s++)?"
        rf"{_DISTANCE}\s*+(?:-\s*+)?{_UNIT}\s++(?:to\s+the\s+)?"
        r"(?P<dir>(?:north|south)(?:[- ]?(?:east|west))?|east|west)\s++of\s++"
        rf"(?:the\s+(?:town|village|city|capital)\s+of\s+)?(?:the\s+)?){_REFERENCE}"
    ),
}


@dataclass(frozen=True)
class OffsetMention:
    """A displacement from a reference place, with `[start, end)` offsets of the phrase."""

    start: int
    end: int
    text: str
    distance: float
    unit: str
    direction: str
    reference: str


def _direction(word: str) -> str:
    word = word.casefold()
    if word in _FR_DIRECTIONS:
        return _FR_DIRECTIONS[word]
    return re.sub(r"[- ]", "", word)


def _distance(raw: str, lang: str) -> float | None:
    if raw[0].isdigit():
        return float(raw.replace(",", "."))
    value = parse_number(raw, lang)
    return float(value) if value is not None else None


def find_offsets(text: str, lang: str) -> list[OffsetMention]:
    """Every 'distance unit direction of Place' phrase (English and French), in text order.

    A language without its own pattern is read with both; where an English and a French
    phrase overlap, the earliest-starting, then the longest, is kept."""
    found: list[OffsetMention] = []
    for code, pattern in _PATTERNS.items():
        if code != lang and lang in _PATTERNS:
            continue
        for match in pattern.finditer(text):
            distance = _distance(match["dist"], code)
            if distance is None:
                continue
            start, end = match.span()
            found.append(
                OffsetMention(
                    start=start,
                    end=end,
                    text=text[start:end],
                    distance=distance,
                    unit=_UNITS[match["unit"].casefold()],
                    direction=_direction(match["dir"]),
                    reference=match["ref"],
                )
            )
    return disjoint(found)
