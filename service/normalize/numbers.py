"""Counts in article text, as digits or number words, with exact `[start, end)` offsets.

Digits ("14", "1,000", "1 000", "1.000" in languages that group with dots, "1,5 million")
are read by a regex; number words ("quatorze", "twenty-one", "vingt et un") by
text2num over our own tokens, so offsets point at the original characters. Vague
quantities map to ACLED's conservative fixed numbers and are flagged (see
numbers_vocab.VAGUE). Decisions:
- Dates, times, years, ordinals, percentages and digits glued to letters ("M23",
  "Su-25") are not counts.
- An article that doubles as "one" ("un", "a") counts only before a noun that is
  counted in news (soldat, soldier, moto, ...) or with "seul"/"single"; other
  languages' articles ("una", "ein") never count.
- A hedge right before a number ("about", "environ", "près de") joins the span and
  makes it vague; lower bounds ("at least", "au moins") do not (the figure is the
  lowest credible count, as ACLED records it).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from text_to_num import find_numbers as _t2n_find
from text_to_num import text2num

from service.normalize.dates import temporal_spans
from service.normalize.numbers_vocab import (
    ALONE_WORDS,
    ARTICLES_ONE,
    COUNT_NOUNS,
    NOT_COUNTED_HEADS,
    NOT_ONE_AFTER,
    NOT_ONE_BEFORE,
    PRE_NOUN_ADJECTIVES_FR,
    SCALES,
    hedge_pattern,
    vague_patterns,
)
from service.normalize.textutil import fold

WORD_LANGS = frozenset({"en", "fr", "es", "de", "pt", "it", "nl"})
_TOKEN = re.compile(r"\w+(?:[-‐]\w+)*|[^\w\s]")
_ORDINAL_SUFFIX = re.compile(r"(?:er|ère|re|e|ème|eme|è|es|nd|nde|st|rd|th|º|ª|°|o|a)(?!\w)")
_PERCENT = re.compile(
    r"\s?(?:%|pour\s?cent|percent|per\s+cent|por\s+ciento|prozent|per\s+cento|por\s+cento)",
    re.IGNORECASE,
)
_TIME_SUFFIX = re.compile(r"\s?h(?:\d|\b)", re.IGNORECASE)
_LOWER_WORD = re.compile(r"\s++[^\W\d_]")
_ENGLISH_SCALES = frozenset({"hundred", "thousand", "million", "billion"})
_NEUF_ADJECTIVE = re.compile(r"(?:tout|flambant|à)\s+$", re.IGNORECASE)


@dataclass(frozen=True)
class NumberMention:
    """A count found in a text: its value, `[start, end)` offsets and whether it is vague."""

    value: int
    start: int
    end: int
    text: str
    vague: bool


class _Token:
    """A word or punctuation token in the protocol text_to_num expects."""

    __slots__ = ("value", "start", "end", "masked", "gap")

    def __init__(self, value: str, start: int, end: int, masked: bool, gap: bool) -> None:
        self.value, self.start, self.end, self.masked, self.gap = value, start, end, masked, gap

    def text(self) -> str:
        """The token as written."""
        return self.value

    def nt_separated(self, _previous: _Token) -> bool:
        """Tokens separated by a line break never form one number."""
        return self.gap

    def not_a_number_part(self) -> bool:
        """Masked tokens (dates, digits, already-read phrases) break number words."""
        return self.masked


@functools.cache
def _digits_pattern(lang: str) -> re.Pattern[str]:
    group = r"," if lang == "en" else r"[. ]"
    decimal = r"\." if lang == "en" else r","
    scales = "|".join(sorted(SCALES, key=len, reverse=True))
    return re.compile(
        rf"(?<![\w.,])(?<![^\W\d_]-)(?P<int>\d{{1,3}}(?:(?:{group}|[\u00a0\u202f\u2009])\d{{3}})+"
        rf"|\d+)(?:{decimal}(?P<frac>\d+))?(?!\d)(?:\s*+(?P<scale>{scales})(?!\w))?",
        re.IGNORECASE,
    )


class _Mask:
    """Characters already read (dates, times, earlier mentions): one byte per character."""

    def __init__(self, size: int) -> None:
        self.bits = bytearray(size)

    def add(self, start: int, end: int) -> None:
        self.bits[start:end] = b"\x01" * (end - start)

    def hits(self, start: int, end: int) -> bool:
        return self.bits.find(1, start, end) != -1


def _digit_value(match: re.Match[str]) -> int | None:
    whole = re.sub(r"\D", "", match["int"])
    scale = SCALES.get(match["scale"].casefold(), 1) if match["scale"] else 1
    try:
        if match["frac"]:
            if scale == 1:
                return None  # a decimal is not a count
            return round(float(f"{whole}.{match['frac']}") * scale)
        return int(whole) * scale
    except (ValueError, OverflowError):
        return None  # thousands of digits: beyond int() and float(), and no count


def _is_year(text: str, match: re.Match[str]) -> bool:
    raw = match["int"]
    if not (len(raw) == 4 and raw.isdigit() and 1900 <= int(raw) <= 2099) or match["scale"]:
        return False
    return _LOWER_WORD.match(text, match.end()) is None


def _digit_mentions(text: str, lang: str, masked: _Mask) -> list[NumberMention]:
    found: list[NumberMention] = []
    for match in _digits_pattern(lang).finditer(text):
        start, end = match.span()
        if masked.hits(start, end) or _is_year(text, match):
            continue
        after = match.end("int") if not match["frac"] and not match["scale"] else end
        if _ORDINAL_SUFFIX.match(text, after) or _PERCENT.match(text, end):
            continue
        if _TIME_SUFFIX.match(text, after):
            continue
        if text[after : after + 1].isalpha() and not match["scale"]:
            end = after  # "15km": the count is 15
        value = _digit_value(match)
        if value is not None:
            found.append(NumberMention(value, start, end, text[start:end], False))
    return found


def _vague_mentions(text: str, lang: str, masked: _Mask) -> list[NumberMention]:
    found: list[NumberMention] = []
    for pattern, value in vague_patterns(lang):
        for match in pattern.finditer(text):
            start, end = match.span()
            if not masked.hits(start, end):
                masked.add(start, end)
                found.append(NumberMention(value, start, end, text[start:end], True))
    return found


def _tokens(text: str, masked: _Mask) -> list[_Token]:
    tokens: list[_Token] = []
    previous_end = 0
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        hidden = masked.hits(start, end) or any(ch.isdigit() for ch in match.group())
        tokens.append(_Token(match.group(), start, end, hidden, "\n" in text[previous_end:start]))
        previous_end = end
    return tokens


def _word(tokens: list[_Token], index: int) -> str:
    return fold(tokens[index].value) if 0 <= index < len(tokens) else ""


def _previous_word(tokens: list[_Token], index: int) -> str:
    """The word before a token, looking through an elided article ("l'un", "d'un")."""
    if index >= 1 and tokens[index - 1].value in ("'", "’"):
        index -= 1
    return _word(tokens, index - 1)


def _is_noun(lang: str, word: str) -> bool:
    nouns = COUNT_NOUNS.get(lang, set())
    return word in nouns or word.rstrip("sx") in nouns


def _counted_noun(lang: str, tokens: list[_Token], index: int) -> bool:
    """An article before a counted noun ('un jeune soldat'), not 'a terrorist attack'."""
    after = _word(tokens, index + 1)
    if _is_noun(lang, after):
        return _word(tokens, index + 2) not in NOT_COUNTED_HEADS
    if lang == "fr" and after not in PRE_NOUN_ADJECTIVES_FR:
        return False
    return _is_noun(lang, _word(tokens, index + 2)) and (
        _word(tokens, index + 3) not in NOT_COUNTED_HEADS
    )


def _article_one(lang: str, tokens: list[_Token], index: int) -> NumberMention | None:
    """'un soldat', 'a soldier', 'un seul', 'a single': an article that counts as one."""
    token = tokens[index]
    if token.masked or fold(token.value) not in ARTICLES_ONE.get(lang, set()):
        return None
    if _previous_word(tokens, index) in NOT_ONE_BEFORE or _word(tokens, index + 1) in NOT_ONE_AFTER:
        return None
    end = token.end
    if _word(tokens, index + 1) in ALONE_WORDS:
        end = tokens[index + 1].end
    elif not _counted_noun(lang, tokens, index):
        return None
    return NumberMention(1, token.start, end, "", False)


def _word_mentions(text: str, lang: str, masked: _Mask) -> list[NumberMention]:
    tokens = _tokens(text, masked)
    found: list[NumberMention] = []
    articles = ARTICLES_ONE.get(lang, set())
    used: set[int] = set()
    for occurrence in _t2n_find(tokens, lang, 0.0) if lang in WORD_LANGS else []:
        first, last = occurrence.start, occurrence.end - 1
        words = fold(" ".join(t.value for t in tokens[first : last + 1]))
        if occurrence.is_ordinal or words in articles or _not_one(words, tokens, first):
            continue
        if words in ("neuf", "neuve") and _neuf_adjective(text, tokens[first].start):
            continue
        start = tokens[first].start
        if _word(tokens, first - 1) in ("a", "an") and words.split()[0] in _ENGLISH_SCALES:
            start = tokens[first - 1].start  # "a hundred"
        used.update(range(first - 1, last + 1))
        found.append(NumberMention(int(occurrence.value), start, tokens[last].end, "", False))
    for index in range(len(tokens)):
        mention = None if index in used else _article_one(lang, tokens, index)
        if mention is not None:
            found.append(mention)
    return found


def _neuf_adjective(text: str, position: int) -> bool:
    """True when "tout", "flambant" or "à" ends right before `position` (then spaces):
    "neuf" is the adjective "new". `_NEUF_ADJECTIVE` ends at `position` with the whole
    whitespace run before it, so only that stretch (and eight letters) is searched."""
    start = position
    while start > 0 and text[start - 1].isspace():
        start -= 1
    return _NEUF_ADJECTIVE.search(text, max(0, start - 8), position) is not None


def _not_one(words: str, tokens: list[_Token], first: int) -> bool:
    """'no one', 'this one', 'one another': the English pronoun, not a count."""
    return words == "one" and (
        _previous_word(tokens, first) in NOT_ONE_BEFORE or _word(tokens, first + 1) in NOT_ONE_AFTER
    )


def _with_hedges(text: str, lang: str, mentions: list[NumberMention]) -> list[NumberMention]:
    hedge = hedge_pattern(lang)
    result: list[NumberMention] = []
    previous_end = 0
    for mention in sorted(mentions, key=lambda m: (m.start, m.end)):
        start, vague = mention.start, mention.vague
        found = hedge.search(text, max(previous_end, start - 40), start) if hedge else None
        if found is not None:
            start, vague = found.start(), True
        result.append(
            NumberMention(mention.value, start, mention.end, text[start : mention.end], vague)
        )
        previous_end = mention.end
    return result


def find_numbers(text: str, lang: str) -> list[NumberMention]:
    """Every count in `text` (digits, number words, vague quantities), in text order."""
    masked = _Mask(len(text))
    for start, end in temporal_spans(text, lang):
        masked.add(start, end)
    vague = _vague_mentions(text, lang, masked)
    digits = _digit_mentions(text, lang, masked)
    for mention in digits:
        masked.add(mention.start, mention.end)
    words = _word_mentions(text, lang, masked)
    return _with_hedges(text, lang, vague + digits + words)


_PLAIN_DIGITS = re.compile(r"\d{1,3}(?:[ ,.\u00a0\u202f\u2009]\d{3})+|\d+")


def parse_number(phrase: str, lang: str) -> int | None:
    """The number a short phrase denotes ('14', '1 000', 'quatorze', 'dozens'), or None."""
    stripped = phrase.strip()
    if _PLAIN_DIGITS.fullmatch(stripped):
        try:
            return int(re.sub(r"\D", "", stripped))
        except ValueError:
            return None  # more digits than int() reads
    if lang in WORD_LANGS and stripped:
        try:
            return int(text2num(stripped.casefold(), lang))
        except ValueError:
            pass
    mentions = find_numbers(stripped, lang)
    return mentions[0].value if mentions else None


def number_in_text(value: int, text: str, lang: str) -> bool:
    """True when `text` writes `value` as digits, number words or a vague quantity."""
    return any(mention.value == value for mention in find_numbers(text, lang))
