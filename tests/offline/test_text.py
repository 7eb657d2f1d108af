"""Sentences keep exact offsets; quotes stay verbatim and within the contract's limit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from service.backends.offline.text import MAX_QUOTE, clip, split_sentences


def test_sentences_and_paragraphs_with_offsets() -> None:
    text = "Mr. Smith arrived on Monday. He left at 5 p.m. Tuesday.\n\nUne autre phrase."
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Mr. Smith arrived on Monday.",
        "He left at 5 p.m. Tuesday.",
        "Une autre phrase.",
    ]
    assert [s.paragraph for s in sentences] == [0, 0, 1]
    assert all(text[s.start : s.end] == s.text for s in sentences)


@given(st.text(min_size=1, max_size=400))
def test_every_sentence_is_a_slice_of_the_text(text: str) -> None:
    for sentence in split_sentences(text):
        assert text[sentence.start : sentence.end] == sentence.text


def test_a_long_passage_is_clipped_to_a_verbatim_quote() -> None:
    text = " ".join(f"word{i}" for i in range(400))
    quote = clip(text, 0, len(text), focus=1500)
    assert len(quote) <= MAX_QUOTE
    assert quote in text
