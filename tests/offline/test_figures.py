"""Casualty and seizure phrases: number words, vague quantities, neutralised stays neutralised."""

from __future__ import annotations

import pytest

from schemas import FigureKind as K
from service.backends.offline.figures import FigureFinding, find_figures, usable_numbers
from service.normalize.numbers import find_numbers


def figures(text: str, lang: str) -> list[FigureFinding]:
    numbers = usable_numbers(text, find_numbers(text, lang), [])
    return find_figures(text, 0, len(text), numbers, lang)


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("fr", "L'armée affirme neutraliser quatorze combattants.", (K.NEUTRALISED, 14, False)),
        ("fr", "Le bilan fait état de la perte d'un gendarme.", (K.KILLED, 1, False)),
        ("fr", "Trois civils ont été blessés.", (K.INJURED, 3, False)),
        ("fr", "Les forces ont procédé à la récupération de douze fusils.", (K.SEIZED, 12, False)),
        ("en", "The blast left dozens wounded.", (K.INJURED, 12, True)),
        ("en", "Five people were killed in the attack.", (K.KILLED, 5, False)),
        ("en", "Police arrested 40 demonstrators.", (K.CAPTURED, 40, False)),
        ("en", "More than 2,000 residents were displaced.", (K.DISPLACED, 2000, False)),
    ],
)
def test_figure_kind_value_and_vagueness(
    lang: str, text: str, expected: tuple[K, int, bool]
) -> None:
    found = figures(text, lang)
    assert [(f.kind, f.value, f.vague) for f in found] == [expected]
    assert found[0].raw in text


def test_neutralised_is_never_turned_into_killed() -> None:
    (found,) = figures("Les soldats ont pu neutraliser quatorze terroristes.", "fr")
    assert found.kind is K.NEUTRALISED
    assert found.raw == "neutraliser quatorze terroristes"


def test_an_outcome_without_a_number_has_a_null_value() -> None:
    (found,) = figures("La frappe a permis de neutraliser des éléments en fuite.", "fr")
    assert (found.kind, found.value) == (K.NEUTRALISED, None)


def test_seized_items_keep_their_unit() -> None:
    (found,) = figures("Les militaires ont saisi huit motos.", "fr")
    assert (found.kind, found.value, found.unit) == (K.SEIZED, 8, "motos")


def test_a_range_keeps_both_bounds_and_counts_the_lowest() -> None:
    (found,) = figures("Between 10 and 15 people were killed.", "en")
    assert (found.value, found.low, found.high) == (10, 10, 15)


def test_distances_and_dates_are_not_counts() -> None:
    text = "Le 7 janvier, la colonne a été détruite à 15 kilomètres au sud."
    assert all(f.value is None for f in figures(text, "fr"))
