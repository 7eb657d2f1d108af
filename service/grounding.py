"""Quotes to `[start, end)` offsets: exact, then normalised, then fuzzy, else ungrounded.

The service, not the model, decides where a quote sits in the article. Normalisation
folds white space runs, typographic quotes and dashes, and case, while keeping a map
from every normalised character back to the original text, so offsets always point
at the submitted characters. Passages can be set aside (the article's instructions to
the model): a quote is then only found outside them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pydantic import BaseModel
from rapidfuzz import fuzz

from schemas import Evidence, Grounding
from schemas.event import QUOTE_MAX_CHARS, Grounded

FUZZY_MIN_SCORE = 90.0
FUZZY_MIN_LENGTH = 12
_MASK = "\ufffe"
"""Stands for a set-aside character while searching: a noncharacter no quote may hold."""

_FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
        "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u200b": "", "\u200c": "", "\u200d": "",
        "\u2060": "", "\ufeff": "", "\u00ad": "",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Located:
    """Where a quote was found, and how."""

    start: int
    end: int
    grounding: Grounding


class NormalizedText:
    """A folded copy of a text with a map back to the original offsets.

    Works on clusters (a character and the combining marks after it), so text in
    decomposed form (NFD) folds to the same string as its composed form (NFC).
    """

    def __init__(self, text: str) -> None:
        chars: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        previous_space = True
        for begin, end in _clusters(text):
            folded = unicodedata.normalize("NFC", text[begin:end]).translate(_FOLD)
            if not folded:
                continue
            if folded.isspace():
                if previous_space:
                    continue
                folded = " "
                previous_space = True
            else:
                folded = folded.casefold()
                previous_space = False
            for piece in folded:
                chars.append(piece)
                starts.append(begin)
                ends.append(end)
        self.text = "".join(chars)
        self.origin = starts
        self._ends = ends

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original `[start, end)` of the normalised slice `[start, end)`."""
        return self.origin[start], self._ends[end - 1]


def _clusters(text: str) -> Iterator[tuple[int, int]]:
    """`[begin, end)` of each base character with the combining marks that follow it."""
    begin = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or not unicodedata.combining(text[index]):
            yield begin, index
            begin = index


def fold(text: str) -> str:
    """The normalised form of a short string (for comparisons)."""
    return NormalizedText(text).text.strip()


class Locator:
    """Finds quotes in one article; build once per article.

    `excluded` spans (`[start, end)` offsets) are set aside: a quote found only inside
    one of them is not located.
    """

    def __init__(self, text: str, excluded: Iterable[tuple[int, int]] = ()) -> None:
        self.text = text
        self.excluded = sorted(excluded)
        self._searched = _masked(text, self.excluded)
        self._normalized: NormalizedText | None = None
        self._whole: Locator | None = None

    @property
    def normalized(self) -> NormalizedText:
        if self._normalized is None:
            self._normalized = NormalizedText(self._searched)
        return self._normalized

    def locate(self, quote: str) -> Located | None:
        """Offsets of `quote` in the article, or None when it is not there."""
        if not quote.strip() or _MASK in quote:
            return None
        start = self._searched.find(quote)
        if start >= 0:
            return Located(start, start + len(quote), Grounding.EXACT)
        needle = fold(quote)
        if not needle:
            return None
        haystack = self.normalized
        position = haystack.text.find(needle)
        if position >= 0:
            begin, end = haystack.span(position, position + len(needle))
            return Located(begin, end, Grounding.NORMALIZED)
        if len(needle) < FUZZY_MIN_LENGTH:
            return None
        alignment = fuzz.partial_ratio_alignment(
            needle, haystack.text, score_cutoff=FUZZY_MIN_SCORE
        )
        if alignment is None or alignment.dest_end <= alignment.dest_start:
            return None
        begin, end = haystack.span(alignment.dest_start, alignment.dest_end)
        if any(start < end and begin < stop for start, stop in self.excluded):
            return None  # the closest passage runs into a set-aside span
        return Located(begin, end, Grounding.FUZZY)

    def only_excluded(self, quote: str) -> bool:
        """True when `quote` is found in the article, but only inside an excluded span."""
        if not self.excluded or self.locate(quote) is not None:
            return False
        if self._whole is None:
            self._whole = Locator(self.text)
        return self._whole.locate(quote) is not None


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with the characters of `spans` replaced by `_MASK` (same offsets)."""
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = _MASK * (end - start)
    return "".join(chars)


def grounded_fields(model: BaseModel, path: str = "") -> Iterator[tuple[str, Grounded]]:
    """Every evidence-bearing object inside `model`, with its path ('events[0].where')."""
    if isinstance(model, Grounded):
        yield path, model
    for name in type(model).model_fields:
        value = getattr(model, name)
        child = f"{path}.{name}" if path else name
        if isinstance(value, BaseModel):
            yield from grounded_fields(value, child)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from grounded_fields(item, f"{child}[{index}]")


def ground_evidence(evidence: Evidence, locator: Locator) -> Evidence:
    """Evidence with service-computed offsets and grounding (model values discarded)."""
    located = locator.locate(evidence.quote)
    if located is None:
        return Evidence(quote=evidence.quote, grounding=Grounding.UNGROUNDED)
    found = locator.text[located.start : located.end]
    return Evidence(
        # The passage itself, so that quote == text[start:end]; a passage padded past the
        # contract's bound by runs of white space keeps the quote as given.
        quote=found if len(found) <= QUOTE_MAX_CHARS else evidence.quote,
        start=located.start,
        end=located.end,
        grounding=located.grounding,
    )
