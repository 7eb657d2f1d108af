"""Small text helpers shared by the normalisers: folding names for exact-match lookups,
keeping found mentions apart."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Protocol, TypeVar

# A lookahead for patterns whose every match starts with a word character (the tests
# check which): a run of spaces or punctuation then fails at once instead of being tried
# against every alternative at every character.
WORD_AHEAD = r"(?=\w)"
_EXTRA_FOLDS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i", "ħ": "h"}
)
_NON_WORD = re.compile(r"[\W_]+")
_OUTSIDE_LATIN = re.compile(
    "[^\u0000-\u024f\u0250-\u036f\u1d00-\u1eff\u2000-\u206f\u2c60-\u2c7f\ua720-\ua7ff]"
)


class Span(Protocol):
    """Anything found in a text with `[start, end)` offsets."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


SpanT = TypeVar("SpanT", bound=Span)


def disjoint(spans: Iterable[SpanT]) -> list[SpanT]:
    """The spans in text order, none overlapping another.

    Deterministic: the earliest-starting span wins, then the longest (then the first
    given); a span that overlaps one already kept is dropped.
    """
    kept: list[SpanT] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept


def strip_accents(text: str) -> str:
    """The text without combining marks (é -> e), other characters unchanged."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """The lookup key of a name: no case, accents, hyphens, apostrophes or extra spaces.

    "Côte d'Ivoire" -> "cote d ivoire", "Nioro-du-Sahel" -> "nioro du sahel".
    """
    folded = strip_accents(text).casefold().translate(_EXTRA_FOLDS)
    return " ".join(_NON_WORD.sub(" ", folded).split())


def is_latin(text: str) -> bool:
    """True when every letter of the text is in the Latin script."""
    return not any(ch.isalpha() for ch in _OUTSIDE_LATIN.findall(text))
