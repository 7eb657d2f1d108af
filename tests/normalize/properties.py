"""Properties every finder's output must have, shared by the normaliser tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class _Mention(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def text(self) -> str: ...


def assert_sorted_and_disjoint(spans: Sequence[tuple[int, int]]) -> None:
    """Spans are non-empty, in text order and never overlap (touching is fine)."""
    for start, end in spans:
        assert start < end, spans
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert end <= start, spans


def assert_well_placed(text: str, mentions: Sequence[_Mention]) -> None:
    """Every mention's offsets point at its text; mentions are sorted and never overlap."""
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text, mention
    assert_sorted_and_disjoint([(m.start, m.end) for m in mentions])
