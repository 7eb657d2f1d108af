"""Rewrites that keep the normalisers linear on hostile text give the same answers.

Each rewritten pattern or loop is compared with its earlier, straightforward form on
generated text full of whitespace runs and the words the patterns look for.
"""

from __future__ import annotations

import random
import re
from datetime import date

import pytest

from service.normalize import dates, numbers, offsets
from service.normalize.numbers import find_numbers, parse_number

SPACES = [" ", " ", " ", "  ", "\t", "\n", "", " \u00a0", "   "]

# The offset patterns as they were written before the rewrite (offsets._PATTERNS).
_NAME = rf"[{offsets._UPPER}][\w'’]*(?:-[\w'’]+)*"
_REFERENCE = rf"(?P<ref>{_NAME}(?:\s+(?:(?:du|de\s+la|des|de|del|el|al|sur|of|d['’])\s*)?{_NAME})*)"
_DISTANCE = r"(?P<dist>\d+(?:[.,]\d+)?|[^\W\d_]+(?:-[^\W\d_]+)*)"
ORIGINAL_OFFSETS = {
    "fr": re.compile(
        rf"(?i:(?P<approx>(?:environ|quelque|près\s+de|pres\s+de|à\s+peine)\s+)?{_DISTANCE}\s*"
        rf"{offsets._UNIT}\s+(?:au|à\s+l['’]|en|dans\s+le)\s*"
        r"(?P<dir>nord-est|nord-ouest|sud-est|sud-ouest|nord|sud|est|ouest)\s+"
        rf"(?:de\s+la\s+ville\s+de\s+|du\s+village\s+de\s+|de\s+|du\s+|d['’]\s*)){_REFERENCE}"
    ),
    "en": re.compile(
        r"(?i:(?P<approx>(?:about|some|around|roughly|approximately|nearly|almost)\s+)?"
        rf"{_DISTANCE}\s*(?:-\s*)?{offsets._UNIT}\s+(?:to\s+the\s+)?"
        r"(?P<dir>(?:north|south)(?:[- ]?(?:east|west))?|east|west)\s+of\s+"
        rf"(?:the\s+(?:town|village|city|capital)\s+of\s+)?(?:the\s+)?){_REFERENCE}"
    ),
}


def _offset_phrases(count: int, seed: int) -> list[str]:
    """Offset phrases, whole and damaged (parts dropped or doubled), with odd spacing."""
    rng = random.Random(seed)

    def pick(*options: str) -> str:
        return rng.choice(options)

    def space() -> str:
        return rng.choice(SPACES)

    found = []
    for _ in range(count):
        if rng.random() < 0.5:
            parts = [pick("", "about", "xabout"), space(), pick("15", "1.5", "fifteen", "x15"),
                     space(), pick("", "-"), space(), pick("km", "miles", "m"), space(),
                     pick("", "to the"), space(), pick("north", "south-east", "north east"),
                     space(), "of", space(), pick("", "the town of", "the"), space(),
                     pick("Kabul", "Deir ez-Zor", "Nioro du Sahel", "kabul")]  # fmt: skip
        else:
            parts = [pick("", "environ", "près de"), space(), pick("15", "2,5", "quinze", "x15"),
                     space(), pick("km", "kilomètres"), space(), pick("au", "à l'", "dans le"),
                     space(), pick("nord", "sud-est", "est"), space(),
                     pick("de", "du", "d'", "de la ville de"), space(),
                     pick("Mopti", "Nioro du Sahel", "mopti")]  # fmt: skip
        for _ in range(rng.randint(0, 2)):
            index = rng.randrange(len(parts))
            parts[index : index + 1] = [] if rng.random() < 0.5 else [parts[index]] * 2
        found.append(pick("", "Attack ", "abcfive") + "".join(parts) + pick("", ".", " et Gao"))
    return found


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_offset_patterns_find_what_the_original_ones_found(lang: str) -> None:
    matched = 0
    for sample in _offset_phrases(1500, seed=1):
        expected = [(m.span(), m.groupdict()) for m in ORIGINAL_OFFSETS[lang].finditer(sample)]
        assert [
            (m.span(), m.groupdict()) for m in offsets._PATTERNS[lang].finditer(sample)
        ] == expected, sample
        matched += bool(expected)
    assert matched > 100


def _attach_every_time(
    text: str, found: list[dates._Found], times: list[re.Match[str]]
) -> list[dates.DateMention]:
    """`dates._attach` as it was: every date looks at every time."""
    taken: set[int] = set()
    mentions = []
    for item in found:
        start, end, time, approx, zone = item.start, item.end, None, item.approximate, None
        for index, match in enumerate(times):
            if index in taken or match.start() < item.end and match.end() > item.start:
                continue
            after = match.start() >= item.end and dates._GAP_BEFORE_TIME.fullmatch(
                text, item.end, match.start()
            )
            before = match.end() <= item.start and dates._GAP_AFTER_TIME.fullmatch(
                text, match.end(), item.start
            )
            if after or before:
                taken.add(index)
                time, zone = dates._time_value(match), dates._timezone(match)
                approx = approx or bool(match["approx"])
                start, end = min(start, match.start()), max(end, match.end())
                break
        mentions.append(
            dates.DateMention(
                start,
                end,
                text[start:end],
                item.date,
                time,
                approx,
                item.precision,
                item.derivation,
                zone,
            )  # fmt: skip
        )
    return mentions


def test_times_attach_as_when_every_date_looked_at_every_time() -> None:
    rng = random.Random(2)
    words = ["le", "5", "janvier", "2025", "à", "10h", "10h30", "vers", "17:30", "GMT", "on",
             "Monday", "January", "8", "at", "about", "5 pm", "noon", "hier", "this", "ce",
             "du", "au", "mars", "um", "a las", "alle", "às", "a", "las", ",", "(", ";", "x",
             "8 janvier 2025", "January 8"]  # fmt: skip
    attached = 0
    for _ in range(1500):
        sample = "".join(rng.choice(words) + rng.choice(SPACES + [", ", " ("]) for _ in range(20))
        for lang in ("fr", "en", "es"):
            found = dates.disjoint(dates._candidates(sample, lang, date(2025, 1, 9)))
            times = dates._times(sample)
            expected = _attach_every_time(sample, found, times)
            assert dates._attach(sample, found, times) == expected, sample
            attached += sum(1 for mention in expected if mention.time)
    assert attached > 100


def test_neuf_after_tout_is_looked_for_in_the_prefix() -> None:
    for sample in ("tout neuf", "flambant \n  neuf", "à neuf", "x" * 30 + "neuf", "toutneuf"):
        position = sample.rindex("neuf")
        expected = numbers._NEUF_ADJECTIVE.search(sample, 0, position) is not None
        assert numbers._neuf_adjective(sample, position) is expected


def test_thousands_of_digits_are_no_count_and_no_error() -> None:
    assert find_numbers("1" * 6000, "en") == []
    assert parse_number("1" * 6000, "en") is None
    assert [n.value for n in find_numbers("5 soldats", "fr")] == [5]
