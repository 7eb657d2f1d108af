"""Rewrites that keep the offline rules linear on hostile text give the same answers.

Each rewritten pattern or loop is compared with its earlier, straightforward form on
generated text full of whitespace runs, punctuation and the words the rules look for.
"""

from __future__ import annotations

import random
import re

import pytest

from service.article import Article
from service.backends.offline import OfflineBackend, actors, attribution, classify, text
from service.backends.offline.figures import find_figures, usable_numbers
from service.normalize.numbers import find_numbers

SPACES = [" ", " ", " ", "  ", "   ", "    ", "\t", "\n", " \t ", "      ", ""]

# The patterns as they were written before the rewrite (attribution.PATTERNS).
_NP = r"[^,.;:!?\"«»“”()]{2,90}?"
_LEAD = r"(?:^|[,;:«“\"]\s*|\bque\s+|\bthat\s+|\bet\s+|\band\s+)"
ORIGINAL_SOURCES = {
    "fr": (
        rf"\b(?:selon|d'après|d’après)\s+(?P<src>{_NP})(?=\s*[,.;:]|\s+(?:qui|dont)\b|$)",
        rf"{_LEAD}(?P<src>{_NP})\s+(?:{attribution._VERBS_FR})\b",
        rf"\b(?:a|ont)\s+(?:indiqué|affirmé|déclaré|précisé|annoncé|rapporté|expliqué|souligné)"
        rf"\s+(?P<src>{_NP})(?=\s*[,.;:]|\s+(?:qui|dont)\b|$)",
        r"\b(?P<src>(?:le|un|ce|du|au)\s+(?:communiqué|bilan officiel))\b",
        rf"\bde\s+source\s+(?P<src>{_NP})(?=\s*[,.;:]|$)",
    ),
    "en": (
        rf"\baccording to\s+(?P<src>{_NP})(?=\s*[,.;:]|\s+(?:who|which)\b|$)",
        rf"{_LEAD}(?P<src>{_NP})\s+(?:{attribution._VERBS_EN})\b",
        rf"\b(?:said|told|reported|claimed|announced)\s+(?P<src>{_NP})(?=\s*[,.;:]|$)",
        r"\b(?P<src>(?:the|a|in a)\s+(?:statement|communiqué|press release))\b",
    ),
}
SOURCE_WORDS = [
    "selon", "d'après", "according to", "said", "told", "a indiqué", "ont affirmé", "a", "ont",
    "que", "that", "et", "and", ",", ";", ":", "«", "“", '"', "qui", "dont", "who", "which",
    "l'armée", "the army", "le communiqué", "the statement", "officials", "x", "les autorités",
    "de source", "sécuritaire", "a publié un communiqué", "has said", "issued a statement",
    "indique", ".", "!", "(", "police", "z",
]  # fmt: skip


def _texts(words: list[str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    found = []
    for _ in range(count):
        parts = [rng.choice(SPACES)] if rng.random() < 0.2 else []
        for _ in range(rng.randint(1, 14)):
            parts += [rng.choice(words), rng.choice(SPACES)]
        found.append("".join(parts[:-1] if rng.random() < 0.6 else parts))
    return found


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_source_patterns_find_what_the_original_ones_found(lang: str) -> None:
    original = [re.compile(source, re.IGNORECASE) for source in ORIGINAL_SOURCES[lang]]
    for sample in _texts(SOURCE_WORDS, 1500, seed=1):
        for before, after in zip(original, attribution._compiled(lang), strict=True):
            old, new = before.search(sample), after.search(sample)
            assert (old and (old.span(), old["src"])) == (new and (new.span(), new["src"])), sample


def test_sentence_breaks_are_the_original_ones() -> None:
    original = re.compile(r"[.!?…]+[\"'»”’)\]]*\s+|\n\s*")
    words = ["A", "b", ".", "..", "!?", "…", '"', "»", ")", "Mr.", "x", "U.S.", "\n"]
    for sample in _texts(words, 1500, seed=2):
        assert [m.span() for m in original.finditer(sample)] == [
            m.span() for m in text._BREAK.finditer(sample)
        ]


def test_cue_containment_sweep_matches_the_pairwise_rule() -> None:
    words = ["without a fight", "fight", "opened fire", "fire", "tear gas", "gas", "attack",
             "suicide bomber", "bomb", "clashes", "no group claimed", "claimed", "."]  # fmt: skip
    for lang in ("en", "fr"):
        for sample in _texts(words, 400, seed=3):
            hits = [
                classify.Hit(cue, m.start(), m.end(), m.group())
                for cue, pattern in classify.patterns(lang)
                for m in pattern.finditer(sample)
            ]
            hits.sort(key=lambda hit: (hit.start, hit.end, hit.cue.value))
            pairwise = {
                i for i, hit in enumerate(hits) if any(classify._inside(hit, o) for o in hits)
            }
            assert classify._contained(hits) == pairwise, sample


def test_a_negation_is_looked_for_in_the_prefix() -> None:
    for sample in (
        "Nobody has claimed",
        "no" + " " * 28 + "x claimed",
        "no" + " " * 40 + "claimed",
    ):
        start = sample.rindex("claimed")
        expected = classify._NEGATED.search(sample, 0, start) is not None
        assert classify._negated(sample, start) is expected


def test_a_determiner_before_armee_is_looked_for_in_the_prefix() -> None:
    for sample in (
        "la armée",
        "l'armée",
        "toute\n\n   armée",
        "une attaque armée",
        "x" * 50 + "armée",
    ):
        start = sample.rindex("armée")
        expected = actors._DETERMINED.search(sample[:start]) is not None
        assert actors._determined(sample, start) is expected


def test_figures_over_ranges_and_spaces_keep_their_values() -> None:
    sample = "Au moins 5  à   7 soldats ont été tués,   12 - 15\tblessés et 3 ou 4 motos saisies."
    numbers = usable_numbers(sample, find_numbers(sample, "fr"), [])
    found = {
        (f.kind.value, f.low, f.high) for f in find_figures(sample, 0, len(sample), numbers, "fr")
    }
    assert {("killed", 5, 7), ("injured", 12, 15), ("seized", 3, 4)} <= found


@pytest.mark.parametrize(
    "hostile",
    [
        "1" * 6000,  # more digits than int() reads: no count, no crash
        "a" * 3000,
        "." * 3000,
        "word" + " " * 3000 + "word",
        "ΩΩΩ" + " 12 killed " * 200,
        "12, " + "wounded " * 300,
    ],
)
def test_hostile_text_gets_a_draft(backend: OfflineBackend, hostile: str) -> None:
    draft = backend.summarize(Article(text=hostile))
    assert draft.summary
