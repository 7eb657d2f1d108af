"""Quotes become offsets into the submitted text: exact, normalised, fuzzy or ungrounded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from schemas import Evidence, Grounding
from service.grounding import Locator, NormalizedText, ground_evidence

TEXT = "L'armée a «repoussé»  une attaque\nvers 17h30, selon l’État-Major."


def test_exact_quote_gets_its_offsets() -> None:
    located = Locator(TEXT).locate("une attaque")
    assert located is not None
    assert located.grounding is Grounding.EXACT
    assert TEXT[located.start : located.end] == "une attaque"


def test_quote_with_other_spaces_quotes_and_case_is_found_normalised() -> None:
    located = Locator(TEXT).locate('"REPOUSSÉ" une attaque vers 17h30, selon l\'état-major')
    assert located is not None
    assert located.grounding is Grounding.NORMALIZED
    expected = "«repoussé»  une attaque\nvers 17h30, selon l’État-Major"
    assert TEXT[located.start : located.end] == expected


def test_close_paraphrase_is_fuzzy_and_short_miss_is_not_found() -> None:
    locator = Locator(TEXT)
    fuzzy = locator.locate("a repoussé une attaque vers 17h3O, selon")
    assert fuzzy is not None and fuzzy.grounding is Grounding.FUZZY
    assert "une attaque" in TEXT[fuzzy.start : fuzzy.end]
    assert locator.locate("quatorze") is None


def test_invented_quote_is_ungrounded_without_offsets() -> None:
    evidence = ground_evidence(Evidence(quote="the rebels surrendered to the army"), Locator(TEXT))
    assert evidence.grounding is Grounding.UNGROUNDED
    assert (evidence.start, evidence.end) == (None, None)


def test_model_offsets_are_replaced_by_the_service() -> None:
    evidence = ground_evidence(Evidence(quote="une attaque", start=0, end=3), Locator(TEXT))
    start = TEXT.index("une attaque")
    assert (evidence.start, evidence.end) == (start, start + len("une attaque"))


@given(
    st.text(min_size=1, max_size=300),
    st.integers(min_value=0, max_value=299),
    st.integers(min_value=1, max_value=60),
)
def test_any_substring_is_found_where_it_is(text: str, start: int, length: int) -> None:
    start = start % len(text)
    quote = text[start : start + length]
    located = Locator(text).locate(quote)
    if not quote.strip():
        assert located is None
        return
    assert located is not None
    assert text[located.start : located.end] == quote or located.grounding is not Grounding.EXACT
    assert 0 <= located.start < located.end <= len(text)


@given(st.text(max_size=300))
def test_normalised_offsets_map_back_into_the_text(text: str) -> None:
    normalized = NormalizedText(text)
    assert len(normalized.origin) == len(normalized.text)
    assert all(0 <= i < len(text) for i in normalized.origin)
    assert normalized.origin == sorted(normalized.origin)


@given(
    st.lists(st.sampled_from(["tirs", "à", "Gao", "«", "»", "’", " ", "\n", "\u00a0", "É"]),
             min_size=1, max_size=40)
)  # fmt: skip
def test_a_respaced_quote_maps_to_a_span_with_the_same_folded_text(parts: list[str]) -> None:
    text = "".join(parts)
    quote = " ".join(text.split())
    located = Locator(text).locate(quote)
    if not quote:
        assert located is None
        return
    assert located is not None
    span = text[located.start : located.end]
    assert NormalizedText(span).text.strip() == NormalizedText(quote).text.strip()


def test_decomposed_text_grounds_a_composed_quote_with_offsets_on_the_clusters() -> None:
    text = "Les forces arme\u0301es ont riposte\u0301 a\u0300 l'attaque."
    located = Locator(text).locate("forces armées ont riposté")
    assert located is not None and located.grounding is Grounding.NORMALIZED
    assert text[located.start : located.end] == "forces arme\u0301es ont riposte\u0301"


def test_a_passage_padded_with_white_space_never_breaks_the_quote_bound() -> None:
    words = ["mot"] * 120
    text = (" " * 20).join(words)
    quote = " ".join(words)
    evidence = ground_evidence(Evidence(quote=quote), Locator(text))
    assert evidence.grounding is Grounding.NORMALIZED
    assert (evidence.start, evidence.end) == (0, len(text))
    assert evidence.quote == quote
