"""The word-start lookahead (WORD_AHEAD) added to the lexicon patterns changes no match.

`(?=\\w)` after a pattern's leading lookbehind only speeds up runs of spaces and
punctuation if every match of the pattern starts with a word character. This reads each
compiled pattern (with the standard library's regex parser) and checks that the first
character any match consumes is a word character, and that no match is empty.
"""

from __future__ import annotations

import re
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

import pytest

from service.backends.offline import actors, figures, lexicon, modality
from service.normalize import dates, numbers_vocab
from service.normalize.dates_vocab import vocabulary
from service.normalize.textutil import WORD_AHEAD

_WORD_CATEGORIES = {
    sre.CATEGORY_WORD,
    sre.CATEGORY_UNI_WORD,
    sre.CATEGORY_DIGIT,
    sre.CATEGORY_UNI_DIGIT,
}


def _is_word(code: int) -> bool:
    return re.fullmatch(r"\w", chr(code)) is not None


def _sequence(items: Any) -> tuple[bool, bool]:
    """(every path starts with a word character, the sequence may match nothing)."""
    for op, argument in items:
        word, empty = _item(op, argument)
        if not word:
            return False, False
        if not empty:
            return True, False
    return True, True


def _item(op: Any, argument: Any) -> tuple[bool, bool]:
    if op is sre.LITERAL:
        return _is_word(argument), False
    if op is sre.IN:
        return all(_in_word(kind, value) for kind, value in argument), False
    if op is sre.BRANCH:
        results = [_sequence(branch) for branch in argument[1]]
        return all(word for word, _ in results), any(empty for _, empty in results)
    if op is sre.SUBPATTERN:
        return _sequence(argument[3])
    if op is sre.ATOMIC_GROUP:
        return _sequence(argument)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        word, empty = _sequence(argument[2])
        return word, empty or argument[0] == 0
    if op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT):
        return True, True  # zero-width: the next item consumes the first character
    return False, False  # anything else (., backreferences): not provably a word character


def _in_word(kind: Any, value: Any) -> bool:
    if kind is sre.LITERAL:
        return _is_word(value)
    if kind is sre.RANGE:
        return all(_is_word(code) for code in range(value[0], value[1] + 1))
    if kind is sre.CATEGORY:
        return value in _WORD_CATEGORIES
    return False  # a negated set


def starts_with_a_word(pattern: re.Pattern[str]) -> bool:
    """True when every match of `pattern` is non-empty and starts with a word character."""
    word, empty = _sequence(_parser.parse(pattern.pattern, pattern.flags))
    return word and not empty


def _guarded() -> list[tuple[str, re.Pattern[str]]]:
    found: list[tuple[str, re.Pattern[str]]] = []
    for lang in ("en", "fr", "de"):
        found += [(f"cue {cue.value} {lang}", p) for cue, p in lexicon.patterns(lang)]
        found += [(f"actor {label} {lang}", p) for p, label, _ in actors._group_patterns(lang)]
        found.append((f"state forces {lang}", actors._state_pattern(lang)))
        for kind in ("denied", "threatened", "planned", "background", "generic", "past"):
            found.append((f"modality {kind} {lang}", modality._compiled(kind, lang)))
        found += [(f"figure {kind.value} {lang}", p) for kind, p in figures._keywords(lang)]
    for lang in ("en", "fr", "es", "de", "pt", "it", "nl"):
        found += [(f"date {kind} {lang}", p) for kind, p in dates._patterns(lang)]
        vocab = vocabulary(lang)
        found += [(f"relative date {lang}", rule.pattern) for rule in vocab.relative]
        found.append((f"weekday {lang}", vocab.weekday_rule))
        found += [(f"vague {lang}", p) for p, _ in numbers_vocab.vague_patterns(lang)]
    found.append(("time", dates._TIME))
    return [(name, pattern) for name, pattern in found if WORD_AHEAD in pattern.pattern]


def test_the_guarded_patterns_are_many() -> None:
    assert len(_guarded()) > 150


@pytest.mark.parametrize(("name", "pattern"), _guarded(), ids=[n for n, _ in _guarded()])
def test_every_match_of_a_guarded_pattern_starts_with_a_word_character(
    name: str, pattern: re.Pattern[str]
) -> None:
    assert starts_with_a_word(pattern), name


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"attack|clash", True),
        (r"(?<![\w-])(?=\w)(?:tear ?gas|teargas)(?![\w])", True),
        (r"foo| bar", False),
        (r"(?:x)?", False),
        (r"'s|x", False),
        (r"[^a]b", False),
        (r"x*", False),
        (r"\d+|(?-i:FAMa)", True),
    ],
)
def test_the_check_itself(source: str, expected: bool) -> None:
    assert starts_with_a_word(re.compile(source, re.IGNORECASE)) is expected
