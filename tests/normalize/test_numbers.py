"""Counts in text: digits, number words, vague quantities, and what is not a count."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.normalize.numbers import NumberMention, find_numbers, number_in_text, parse_number
from tests.normalize.properties import assert_well_placed
from tests.normalize.spellers import english, french


def values(text: str, lang: str) -> list[tuple[int, str, bool]]:
    return [(m.value, m.text, m.vague) for m in find_numbers(text, lang)]


def test_sample_article_counts(sample_text: str) -> None:
    found = values(sample_text, "fr")
    assert found == [
        (3, "plusieurs", True),
        (14, "quatorze", False),
        (3, "plusieurs", True),
        (9, "neuf", False),
        (15, "environ 15", True),
        (30, "30", False),
        (1, "un", False),
    ]
    for mention in find_numbers(sample_text, "fr"):
        assert sample_text[mention.start : mention.end] == mention.text


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Les assaillants ont tué quatorze civils.", "fr", [(14, "quatorze", False)]),
        (
            "vingt et un blessés et trente-deux morts",
            "fr",
            [(21, "vingt et un", False), (32, "trente-deux", False)],
        ),
        ("Gunmen killed twenty-one villagers.", "en", [(21, "twenty-one", False)]),
        ("one hundred and five people", "en", [(105, "one hundred and five", False)]),
        ("a hundred people", "en", [(100, "a hundred", False)]),
        (
            "1,000 troops and 2.5 million displaced",
            "en",
            [(1000, "1,000", False), (2_500_000, "2.5 million", False)],
        ),
        (
            "1 000 soldats, 3.000 déplacés, 1,5 million",
            "fr",
            [(1000, "1 000", False), (3000, "3.000", False), (1_500_000, "1,5 million", False)],
        ),
        ("2\u202f500 réfugiés", "fr", [(2500, "2\u202f500", False)]),
        ("2000 soldiers were deployed", "en", [(2000, "2000", False)]),
        ("15km north", "en", [(15, "15", False)]),
    ],
)
def test_exact_counts(text: str, lang: str, expected: list[tuple[int, str, bool]]) -> None:
    assert values(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [
        ("several soldiers", "en", 3),
        ("a few houses", "en", 3),
        ("dozens of villagers", "en", 12),
        ("scores of people", "en", 12),
        ("a dozen fighters", "en", 12),
        ("hundreds of families", "en", 100),
        ("thousands of people", "en", 1000),
        ("tens of thousands of people", "en", 10_000),
        ("plusieurs combattants", "fr", 3),
        ("quelques maisons", "fr", 3),
        ("une dizaine de morts", "fr", 10),
        ("une douzaine de blessés", "fr", 12),
        ("des dizaines de maisons", "fr", 12),
        ("une vingtaine de civils", "fr", 20),
        ("des centaines de déplacés", "fr", 100),
        ("des milliers de personnes", "fr", 1000),
        ("varios heridos", "es", 3),
        ("Dutzende Häuser", "de", 12),
    ],
)
def test_vague_quantities_map_to_fixed_numbers(text: str, lang: str, value: int) -> None:
    [mention] = find_numbers(text, lang)
    assert (mention.value, mention.vague) == (value, True)


@pytest.mark.parametrize(
    ("text", "lang", "value", "phrase"),
    [
        ("about ten people", "en", 10, "about ten"),
        ("some 20 miles", "en", 20, "some 20"),
        ("nearly 200 homes", "en", 200, "nearly 200"),
        ("environ 15 kilomètres", "fr", 15, "environ 15"),
        ("près de 200 maisons", "fr", 200, "près de 200"),
        ("environ une dizaine de morts", "fr", 10, "environ une dizaine"),
    ],
)
def test_hedges_join_the_span_and_make_it_vague(
    text: str, lang: str, value: int, phrase: str
) -> None:
    assert values(text, lang) == [(value, phrase, True)]


def test_lower_bounds_are_not_vague() -> None:
    assert values("at least 14 people", "en") == [(14, "14", False)]
    assert values("au moins 14 morts", "fr") == [(14, "14", False)]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("la perte d'un soldat malien", "fr", [(1, "un", False)]),
        ("un jeune soldat", "fr", [(1, "un", False)]),
        ("un seul drone", "fr", [(1, "un seul", False)]),
        ("une opération réussie et un moyen de transport", "fr", []),
        ("une attaque terroriste", "fr", []),
        ("l'un des soldats", "fr", []),
        ("a soldier was killed", "en", [(1, "a", False)]),
        ("a Malian soldier", "en", [(1, "a", False)]),
        ("a single drone", "en", [(1, "a single", False)]),
        ("a terrorist attack", "en", []),
        ("one soldier died, no one else", "en", [(1, "one", False)]),
        ("un soldado murió", "es", []),
    ],
)
def test_articles_count_as_one_only_before_a_counted_noun(
    text: str, lang: str, expected: list[tuple[int, str, bool]]
) -> None:
    assert values(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("le 8 janvier 2025 vers 17h30", "fr"),
        ("on January 7, 2025 at 5:30 pm", "en"),
        ("In 2024, the war went on.", "en"),
        ("the 3rd battalion", "en"),
        ("le 1er régiment, le 3e jour", "fr"),
        ("40% of voters, 12 % des électeurs", "en"),
        ("M23 rebels flew Su-25 jets", "en"),
        ("il y a trois jours", "fr"),
        ("a decimal 1.5 is not a count", "en"),
        ("un bâtiment tout neuf", "fr"),
    ],
)
def test_dates_times_years_ordinals_and_percentages_are_not_counts(text: str, lang: str) -> None:
    assert find_numbers(text, lang) == []


def test_line_breaks_separate_number_words() -> None:
    assert [m.value for m in find_numbers("quatorze\n\nneuf", "fr")] == [14, 9]


def test_parse_number() -> None:
    assert parse_number("quatorze", "fr") == 14
    assert parse_number("vingt et un soldats", "fr") == 21
    assert parse_number("1 000", "fr") == 1000
    assert parse_number("1,000", "en") == 1000
    assert parse_number("dozens", "en") == 12
    assert parse_number("about ten", "en") == 10
    assert parse_number("un", "fr") == 1
    assert parse_number("2025", "en") == 2025
    assert parse_number("nothing here", "en") is None
    assert parse_number("", "en") is None


def test_number_in_text() -> None:
    assert number_in_text(14, "neutraliser quatorze terroristes", "fr")
    assert number_in_text(9, "la récupération de neuf motos", "fr")
    assert number_in_text(12, "dozens of people fled", "en")
    assert not number_in_text(8, "le 8 janvier", "fr")
    assert not number_in_text(15, "quatorze terroristes", "fr")


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=999_999))
def test_english_words_round_trip(n: int) -> None:
    words = english(n)
    assert parse_number(words, "en") == n
    text = f"Yesterday {words} soldiers were reported."
    [mention] = find_numbers(text, "en")
    assert (mention.value, mention.text, mention.vague) == (n, words, False)


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=999_999), st.sampled_from(["-", " "]))
def test_french_words_round_trip(n: int, joiner: str) -> None:
    words = french(n, joiner)
    assert parse_number(words, "fr") == n
    text = f"Hier, {words} soldats ont été signalés."
    [mention] = find_numbers(text, "fr")
    assert (mention.value, mention.text, mention.vague) == (n, words, False)


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=99_999_999))
def test_grouped_digits_round_trip(n: int) -> None:
    assert values(f"{n:,} people were displaced", "en") == [(n, f"{n:,}", False)]
    french_digits = f"{n:,}".replace(",", "\u202f")
    assert values(f"{french_digits} personnes déplacées", "fr") == [(n, french_digits, False)]


_PIECES = st.sampled_from(
    (
        "quatorze|neuf|trente|vingt et un|un soldat|plusieurs|une dizaine|des dizaines|environ"
        "|1 000|2025|17h30|8 janvier|hier|14|3e|twenty-one|dozens|about|a single|1,000|at 5 pm"
        "|42%|,|.|\n|soldats|morts|people|killed|M23|d'un|l'un|mille|cent"
    ).split("|")
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=14), st.sampled_from(["en", "fr"]))
def test_offsets_always_point_at_the_text(pieces: list[str], lang: str) -> None:
    text = " ".join(pieces)
    mentions = find_numbers(text, lang)
    assert mentions == find_numbers(text, lang)
    assert all(isinstance(mention, NumberMention) for mention in mentions)
    assert_well_placed(text, mentions)


# Pieces whose candidates could collide: hedges before counts, articles before "seul",
# digits next to times and dates, scales after numbers and words.
_CLASHING_PIECES = st.sampled_from(
    (
        "environ|about|nearly|au moins|at least|près de|un|une|a|seul|single|soldat|soldier"
        "|quinze|vingt et un|a hundred|hundred|mille|1,5 million|1.5 million|million|15km|km"
        "|1 000|1.000|1,000|14|30|5:30|17h30|8 janvier|mars|March|2025|du|au|dozens"
        "|une dizaine|des centaines|,|.|\n"
    ).split("|")
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_CLASHING_PIECES, max_size=14), st.sampled_from(["en", "fr", "de"]))
def test_mentions_are_sorted_and_never_overlap(pieces: list[str], lang: str) -> None:
    text = " ".join(pieces)
    assert_well_placed(text, find_numbers(text, lang))
