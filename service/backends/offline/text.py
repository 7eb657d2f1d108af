"""Sentences with their offsets, and verbatim quotes clipped to the contract's limits."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_QUOTE = 600

# A break never starts inside a run of stops (one that did would end where the run's first
# stop ends it): without the lookbehind, "....." is scanned once per stop.
_BREAK = re.compile(r"(?<![.!?…])[.!?…]++[\"'»”’)\]]*+\s+|\n\s*")
_STARTER = re.compile(r"[\"'«“‘(\[]?\s*[A-ZÀ-ÖØ-Þ0-9]")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen col lt sgt capt maj cpl adm gov sen rep st no vs etc jan feb mar apr "
    "jun jul aug sep sept oct nov dec mt ft fig approx dept est inc ltd co corp jr sr m mme mlle "
    "me pr cf av art e.g i.e u.s u.n u.k a.m p.m".split()
)


@dataclass(frozen=True)
class Sentence:
    """One sentence of the article: its text and `[start, end)` offsets."""

    index: int
    start: int
    end: int
    text: str
    paragraph: int


def _abbreviation_before(text: str, dot: int) -> bool:
    """True when the period at `dot` ends an abbreviation or an initial, not a sentence."""
    if text[dot] != ".":
        return False
    begin = dot
    while begin > 0 and (text[begin - 1].isalpha() or text[begin - 1] == "."):
        begin -= 1
    token = text[begin:dot].casefold()
    return token in _ABBREVIATIONS or (len(token) == 1 and text[begin].isupper())


def split_sentences(text: str) -> list[Sentence]:
    """Split the article into sentences (and paragraphs) with exact offsets."""
    sentences: list[Sentence] = []
    paragraph = 0
    start = 0
    for match in _BREAK.finditer(text):
        separator = match.group()
        if "\n" not in separator:
            following = text[match.end() : match.end() + 3]
            if not _STARTER.match(following) or _abbreviation_before(text, match.start()):
                continue
        end = match.start() + len(separator.rstrip())
        _append(sentences, text, start, end, paragraph)
        if separator.count("\n") >= 1 and sentences:
            paragraph += 1
        start = match.end()
    _append(sentences, text, start, len(text), paragraph)
    return sentences


def _append(sentences: list[Sentence], text: str, start: int, end: int, paragraph: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and any(ch.isalpha() for ch in text[start:end]):
        sentences.append(Sentence(len(sentences), start, end, text[start:end], paragraph))


def clip(text: str, start: int, end: int, focus: int | None = None) -> str:
    """The verbatim slice `[start, end)`, cut to at most MAX_QUOTE characters around `focus`."""
    if end - start <= MAX_QUOTE:
        return text[start:end].strip() or text[start:end]
    centre = focus if focus is not None else start
    begin = max(start, min(centre - MAX_QUOTE // 2, end - MAX_QUOTE))
    stop = min(end, begin + MAX_QUOTE)
    while begin < stop and begin > start and not text[begin - 1].isspace():
        begin += 1
    while stop > begin and stop < end and not text[stop].isspace():
        stop -= 1
    return text[begin:stop].strip()


def clause_bounds(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """The clause around `[start, end)` inside `[lo, hi)`: cut at ; : and sentence edges."""
    left = max(text.rfind(";", lo, start), text.rfind(":", lo, start))
    right_candidates = [i for i in (text.find(";", end, hi), text.find(":", end, hi)) if i >= 0]
    begin = left + 1 if left >= lo else lo
    stop = min(right_candidates) if right_candidates else hi
    return begin, stop
