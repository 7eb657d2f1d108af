"""Long articles: overlapping chunks in, one draft out.

An article longer than a backend's context is cut on paragraph, then sentence boundaries
(`split_article`), each chunk is extracted on its own, and `merge_chunk_drafts` makes one
draft of the per-chunk drafts: an event seen in two chunks (in their overlap, or told again
later in the article) is kept once, ids are renumbered and links remapped. The merged draft
is grounded against the whole article like any other (`service.validate.check_draft`);
`place_in_chunks` then moves a quote that the article holds several times to the occurrence
inside the chunk it was quoted from (grounding alone picks the first).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TypeVar

from annotated_types import MaxLen
from pydantic import BaseModel

from schemas import (
    Actor,
    Event,
    EventLink,
    Evidence,
    Figure,
    Grounding,
    Modality,
    SubEventType,
    SummaryDraft,
)
from service.backends.offline.text import split_sentences
from service.grounding import Locator, fold, ground_evidence, grounded_fields
from service.injection import find_instructions

__all__ = [
    "MAX_EVENTS",
    "Chunk",
    "MergedDraft",
    "duplicate_events",
    "merge_chunk_drafts",
    "merge_drafts",
    "place_in_chunks",
    "sentence_boundaries",
    "split_article",
]

PARAGRAPH = 2
SENTENCE = 1
INSIDE = 0
"""Levels of a cut: a chunk ends where the best level allows (paragraph, then sentence;
inside a sentence only when the sentence alone is longer than a chunk)."""
CLOSERS = "\"'»”’)\\]」』）》〉】"
# Full stops of scripts written without spaces or with their own stops: a sentence ends
# after them even when no white space follows (CJK text has none).
_WIDE_STOP = re.compile(rf"[。！？｡︒﹒﹖﹗‼⁇⁈⁉।॥؟۔።፧᙮᠃᠉]+[{CLOSERS}]*\s*")
# A Latin stop then a capital of another script (Cyrillic, Greek) or a caseless letter
# (Arabic, Hebrew, Devanagari): the offline splitter only knows Latin capitals.
_STOP_THEN_SPACE = re.compile(rf"[.!?…]+[{CLOSERS}]*\s+(?=\S)")
# Sentences glued together where the line breaks were lost: "...reported.Major General".
_GLUED = re.compile(rf"(?<=[a-zß-öø-ÿ])[.!?]+[{CLOSERS}]*(?=[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ])")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_CLAUSE_END = re.compile(r"(?:[,;:]\s+|[，、；：]\s*)(?=\S)")
_WORD_START = re.compile(r"\s(?=\S)")
_JOINERS = frozenset("\u200c\u200d\u2060")


@dataclass(frozen=True)
class Chunk:
    """A slice of the article sent to a backend on its own."""

    start: int
    """Offset of the chunk in the whole article text."""
    end: int
    text: str
    """`article_text[start:end]`."""


def split_article(text: str, max_chars: int, overlap_chars: int) -> list[Chunk]:
    """Cut `text` into chunks of at most `max_chars` characters that overlap.

    Chunks end on paragraph boundaries first, then on sentence boundaries (the offline
    backend's sentence splitter, plus full stops of other scripts: CJK and Devanagari stops
    with no space after them, a stop before a non-Latin capital, sentences glued together
    where line breaks were lost). A paragraph boundary is taken when it fills at least half
    a chunk; otherwise the furthest sentence boundary. A sentence longer than `max_chars`
    is cut after a clause's punctuation or between words, and only inside a word (never
    inside a character and its combining marks) when a word is longer than a chunk.

    The next chunk starts at the earliest sentence boundary within the last
    `overlap_chars` characters of the previous one, so the overlap is made of whole
    sentences; when the last sentence alone is longer, it is the overlap if it is at most
    twice `overlap_chars` (and half a chunk), else the chunks only touch. Every character
    is in some chunk; a text of at most `max_chars` characters is one chunk.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, not {max_chars}")
    if not 0 <= overlap_chars < max_chars:
        raise ValueError(
            f"overlap_chars must be at least 0 and less than max_chars ({max_chars}), "
            f"not {overlap_chars}"
        )
    if len(text) <= max_chars:
        return [Chunk(0, len(text), text)]
    levels = _cut_levels(text, max_chars)
    bounds = [*sorted(levels), len(text)]
    spans: list[tuple[int, int]] = []
    start = covered = 0
    while len(text) - start > max_chars:
        end = _chunk_end(bounds, levels, start, covered, max_chars)
        spans.append((start, end))
        start, covered = _overlap_start(bounds, start, end, overlap_chars, max_chars), end
    spans.append((start, len(text)))
    return [Chunk(begin, end, text[begin:end]) for begin, end in spans]


def sentence_boundaries(text: str) -> dict[int, int]:
    """Offsets where a sentence starts (0 and the text's end excluded) -> PARAGRAPH or SENTENCE.

    With blank lines in the text, they separate paragraphs and a single line break is a
    sentence boundary (hard-wrapped text); without, every line break separates paragraphs.
    """
    cuts: dict[int, int] = {}
    blank_lines = _BLANK_LINE.search(text) is not None
    sentences = split_sentences(text)
    for previous, sentence in zip(sentences, sentences[1:], strict=False):
        gap = text[previous.end : sentence.start]
        breaks = _BLANK_LINE.search(gap) is not None if blank_lines else "\n" in gap
        cuts[sentence.start] = PARAGRAPH if breaks else SENTENCE
    extra = [m.end() for m in _WIDE_STOP.finditer(text)]
    extra += [m.end() for m in _GLUED.finditer(text)]
    extra += [m.end() for m in _STOP_THEN_SPACE.finditer(text) if _other_script(text[m.end()])]
    for position in extra:
        cuts.setdefault(position, SENTENCE)
    return {position: level for position, level in cuts.items() if 0 < position < len(text)}


def _other_script(char: str) -> bool:
    """A letter that starts a sentence in a script the offline splitter does not read."""
    if not char.isalpha() or char.islower():
        return False
    return not unicodedata.name(char, "").startswith("LATIN")


def _cut_levels(text: str, max_chars: int) -> dict[int, int]:
    """Every place a chunk may end, with its level; a sentence longer than a chunk is cut."""
    levels = sentence_boundaries(text)
    edges = [0, *sorted(levels), len(text)]
    for begin, end in zip(edges, edges[1:], strict=False):
        position = begin
        while end - position > max_chars:
            position = _inner_cut(text, position, position + max_chars)
            levels[position] = INSIDE
    return levels


def _inner_cut(text: str, start: int, limit: int) -> int:
    """Where to cut inside an overlong sentence, in `(start, limit]`: after a clause in the
    second half, else at a word's start, else inside a word but not inside a character."""
    half = start + (limit - start + 1) // 2
    stop = min(limit + 1, len(text))
    clauses = [m.end() for m in _CLAUSE_END.finditer(text, half, stop) if m.end() <= limit]
    if clauses:
        return clauses[-1]
    words = [m.end() for m in _WORD_START.finditer(text, start + 1, stop) if m.end() <= limit]
    if words:
        return words[-1]
    cut = limit
    while cut > start + 1 and _joined(text, cut):
        cut -= 1
    return cut


def _joined(text: str, position: int) -> bool:
    """True when cutting before `position` would split a character from its marks."""
    char, before = text[position], text[position - 1]
    marks = unicodedata.category(char) in ("Mn", "Mc", "Me")
    return marks or char in _JOINERS or before in _JOINERS or (before == "\r" and char == "\n")


def _chunk_end(
    bounds: list[int], levels: dict[int, int], start: int, covered: int, max_chars: int
) -> int:
    """The end of the chunk starting at `start`: past `covered`, within `max_chars`."""
    low = bisect.bisect_right(bounds, covered)
    high = bisect.bisect_right(bounds, start + max_chars)
    candidates = bounds[low:high]
    half = start + max_chars // 2
    return max(candidates, key=lambda b: (b >= half, levels[b] if b >= half else 0, b))


def _overlap_start(
    bounds: list[int], start: int, end: int, overlap_chars: int, max_chars: int
) -> int:
    """Where the chunk after `[start, end)` starts (see `split_article`)."""
    following = bounds[bisect.bisect_right(bounds, end)]
    inside = bounds[bisect.bisect_right(bounds, start) : bisect.bisect_left(bounds, end)]
    fits = [b for b in inside if following - b <= max_chars]
    if not fits or overlap_chars == 0:
        return end
    within = [b for b in fits if end - b <= overlap_chars]
    if within:
        return within[0]
    last = fits[-1]
    if end - last <= min(2 * overlap_chars, max_chars // 2):
        return last
    return end


def merge_drafts(drafts: Sequence[tuple[Chunk, SummaryDraft]], article_text: str) -> SummaryDraft:
    """One draft for the whole article from per-chunk drafts (see `merge_chunk_drafts`)."""
    return merge_chunk_drafts(drafts, article_text).draft


def place_in_chunks(
    checked: SummaryDraft, hints: Mapping[str, tuple[int, int]], article_text: str
) -> SummaryDraft:
    """A checked draft whose quotes sit in the chunk they were quoted from.

    `hints` are `MergedDraft.hints` (evidence path -> the chunk's `[start, end)`); the
    paths of a draft do not change through `check_draft`. A quote that grounding placed
    outside its chunk is moved to its occurrence inside the chunk when it is found there at
    least as well; passages addressed to the model stay set aside, as in grounding.
    """
    placed = checked.model_copy(deep=True)
    instructions = [(s.start, s.end) for s in find_instructions(article_text)]
    locators: dict[tuple[int, int], Locator] = {}
    for path, field in grounded_fields(placed):
        for position, item in enumerate(field.evidence):
            window = hints.get(f"{path}.evidence[{position}]")
            if window is None or item.start is None or item.end is None:
                continue
            begin, stop = window
            if begin <= item.start and item.end <= stop:
                continue
            if window not in locators:
                locators[window] = Locator(article_text[begin:stop], _clip(instructions, window))
            found = ground_evidence(item, locators[window])
            if found.start is None or found.end is None or not _as_good(found, item.grounding):
                continue
            field.evidence[position] = found.model_copy(
                update={"start": found.start + begin, "end": found.end + begin}
            )
    return placed


_RANK = {Grounding.EXACT: 0, Grounding.NORMALIZED: 1, Grounding.FUZZY: 2}


def _as_good(found: Evidence, before: Grounding | None) -> bool:
    """True when `found` is grounded at least as well as the quote was before."""
    if found.grounding not in _RANK or before not in _RANK:
        return False
    return _RANK[found.grounding] <= _RANK[before]


def _clip(spans: Iterable[tuple[int, int]], window: tuple[int, int]) -> list[tuple[int, int]]:
    """`spans` that meet `window`, in the window's offsets."""
    begin, stop = window
    return [
        (max(start, begin) - begin, min(end, stop) - begin)
        for start, end in spans
        if start < stop and end > begin
    ]


# --- merging --------------------------------------------------------------------------------


def _bound(model: type[BaseModel], name: str) -> int:
    """The contract's bound on the length of a list field."""
    return next(m.max_length for m in model.model_fields[name].metadata if isinstance(m, MaxLen))


MAX_EVENTS = _bound(SummaryDraft, "events")
MAX_QUOTES = _bound(Event, "evidence")
MAX_ACTORS = _bound(Event, "actors")
MAX_FIGURES = _bound(Event, "figures")
MAX_LINKS = _bound(Event, "links")
SHARED_QUOTE_CHARS = 24
"""The shortest quote that, said again, tells the same event again."""


@dataclass(frozen=True)
class MergedDraft:
    """The draft of a whole article made from its chunks' drafts."""

    draft: SummaryDraft
    hints: dict[str, tuple[int, int]]
    """Evidence path ('events[0].where.evidence[1]') -> `[start, end)` of the chunk it was
    quoted from (for `place_in_chunks`)."""
    sources: tuple[tuple[int, ...], ...]
    """For each event of `draft`, the chunks (indices in text order) it was reported in."""


@dataclass(frozen=True)
class _Key:
    """What the duplicate rule compares."""

    sub: SubEventType
    spans: tuple[tuple[int, int], ...]
    quotes: frozenset[str]
    place: str | None
    place_id: int | None
    day: str | None


@dataclass(frozen=True)
class _Seen:
    """One event of one chunk's draft."""

    event: Event
    chunk: int
    order: int
    key: _Key


def duplicate_events(first: Event, second: Event) -> bool:
    """Whether two grounded events are one by the merge rule.

    Same sub-event type, and either event quotes that overlap in the article or are the same
    words (the event told again later; at least `SHARED_QUOTE_CHARS` of them, as a phrase
    like "the attack" names many events), or the same place (name or GeoNames id) on the
    same day. A month or a year is too coarse to tell two events apart: it does not count.
    """
    return _same(_key(first, _offsets(first)), _key(second, _offsets(second)))


def _offsets(event: Event) -> list[tuple[int, int]]:
    return [(e.start, e.end) for e in event.evidence if e.start is not None and e.end is not None]


def _key(event: Event, spans: Iterable[tuple[int, int]]) -> _Key:
    where = event.where
    day = event.when.date if event.when.date is not None and len(event.when.date) == 10 else None
    return _Key(
        sub=event.sub_event_type,
        spans=tuple(spans),
        quotes=frozenset(
            q for q in (fold(e.quote) for e in event.evidence) if len(q) >= SHARED_QUOTE_CHARS
        ),
        place=(fold(where.name) or None) if where is not None else None,
        place_id=where.geonames_id if where is not None else None,
        day=day,
    )


def _same(a: _Key, b: _Key) -> bool:
    if a.sub is not b.sub:
        return False
    if a.quotes & b.quotes:
        return True
    if any(s < f and t < e for s, e in a.spans for t, f in b.spans):
        return True
    if a.day is None or a.day != b.day:
        return False
    return (a.place is not None and a.place == b.place) or (
        a.place_id is not None and a.place_id == b.place_id
    )


def merge_chunk_drafts(
    drafts: Sequence[tuple[Chunk, SummaryDraft]], article_text: str
) -> MergedDraft:
    """One draft for the whole article from per-chunk drafts, with grounding hints.

    Events of different chunks that `duplicate_events` calls one (their quotes located in
    their chunk, hence in the whole text) are merged, unless that would merge two events of
    one chunk's draft: the backend saw those together and kept them apart. A merged event
    is its best-evidenced report (the most evidence quotes; the first on a tie) with the
    others' quotes, actors and figures added without repeats (an actor is its label, type
    and role; a figure its kind, numbers, unit and side), and their date, place or
    attribution when it has none. Events keep their drafts' order, chunk after chunk, and
    are renumbered e1..en; a link to a merged-away event points to the kept one.

    Past the contract's cap (`MAX_EVENTS`), the events with the most evidence quotes are
    kept (then those reported in the most chunks, then the first). Headline and summary
    are those of the chunk that reports the first event that is not background (the lead
    of a news story comes first), else of the first chunk; the language is the one of most
    of the text. Quotes are never rewritten: they stay the article's own words.
    """
    if not drafts:
        raise ValueError("no chunk drafts to merge")
    ordered = sorted(drafts, key=lambda pair: (pair[0].start, pair[0].end))
    for chunk, _ in ordered:
        if article_text[chunk.start : chunk.end] != chunk.text:
            raise ValueError(f"chunk [{chunk.start}, {chunk.end}) is not the article's text there")
    merged = [_merge_group(group) for group in _groups(_read(ordered))]
    if len(merged) > MAX_EVENTS:
        ranked = sorted(range(len(merged)), key=lambda i: (*merged[i].rank(), i))
        merged = [merged[i] for i in sorted(ranked[:MAX_EVENTS])]
    ids = {(s.chunk, s.event.id): f"e{n}" for n, m in enumerate(merged, 1) for s in m.group}
    events = [
        m.event.model_copy(update={"id": f"e{n}", "links": _links(m.group, ids, f"e{n}")})
        for n, m in enumerate(merged, 1)
    ]
    lead = next((m.base for m in merged if m.event.modality is not Modality.BACKGROUND), None)
    head = ordered[lead.chunk if lead is not None else 0][1]
    draft = SummaryDraft(
        headline=head.headline,
        summary=head.summary,
        language=_language(ordered),
        events=events,
    )
    return MergedDraft(
        draft=draft,
        hints=_hints(draft, ordered),
        sources=tuple(tuple(sorted({s.chunk for s in m.group})) for m in merged),
    )


def _read(ordered: Sequence[tuple[Chunk, SummaryDraft]]) -> list[_Seen]:
    """Every event of every chunk, its event quotes located in the whole text."""
    seen: list[_Seen] = []
    for index, (chunk, draft) in enumerate(ordered):
        locator = Locator(chunk.text)
        for order, event in enumerate(draft.events):
            found = [locator.locate(e.quote) for e in event.evidence]
            spans = [(chunk.start + f.start, chunk.start + f.end) for f in found if f is not None]
            seen.append(_Seen(event, index, order, _key(event, spans)))
    return seen


def _groups(seen: list[_Seen]) -> list[list[_Seen]]:
    """The events told more than once, together; in order of their first report."""
    parent = list(range(len(seen)))
    chunks = [{s.chunk} for s in seen]

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in sorted(_candidates(seen)):
        if seen[i].chunk == seen[j].chunk or not _same(seen[i].key, seen[j].key):
            continue
        a, b = root(i), root(j)
        if a != b and not chunks[a] & chunks[b]:
            a, b = min(a, b), max(a, b)
            parent[b] = a
            chunks[a] |= chunks[b]
    groups: dict[int, list[_Seen]] = {}
    for i, item in enumerate(seen):
        groups.setdefault(root(i), []).append(item)
    return [groups[r] for r in sorted(groups)]


def _candidates(seen: list[_Seen]) -> set[tuple[int, int]]:
    """Pairs of events that may be one: a shared quote, place and day, or overlapping spans."""
    buckets: dict[tuple[object, ...], list[int]] = {}
    for i, item in enumerate(seen):
        key = item.key
        names: list[tuple[object, ...]] = [(key.sub, "quote", q) for q in key.quotes]
        if key.day is not None:
            names += [
                (key.sub, "place", key.day, key.place),
                (key.sub, "id", key.day, key.place_id),
            ]
        for name in names:
            if name[-1] is not None:
                buckets.setdefault(name, []).append(i)
    pairs = {pair for members in buckets.values() for pair in combinations(members, 2)}
    spans = sorted((s, e, i) for i, item in enumerate(seen) for s, e in item.key.spans)
    active: list[tuple[int, int]] = []
    for start, end, i in spans:
        active = [(stop, j) for stop, j in active if stop > start]
        pairs.update((min(i, j), max(i, j)) for _, j in active if j != i)
        active.append((end, i))
    return pairs


@dataclass(frozen=True)
class _Merged:
    """One event of the article: its reports, the best-evidenced one, and their merge."""

    event: Event
    base: _Seen
    group: list[_Seen]

    def rank(self) -> tuple[int, int]:
        """Sort key of the events kept past the cap: most quotes, then most chunks."""
        return -_quotes(self.event), -len({s.chunk for s in self.group})


def _merge_group(group: list[_Seen]) -> _Merged:
    """The group's event: its best-evidenced report, completed by the others."""
    base = max(group, key=lambda s: (_quotes(s.event), -group.index(s)))
    event = base.event
    others = [s.event for s in group if s is not base]
    if not others:
        return _Merged(event, base, group)
    dated = [o.when for o in others if o.when.date is not None]
    update = {
        "evidence": _union([event.evidence, *(o.evidence for o in others)]),
        "actors": _combined([event.actors, *(o.actors for o in others)], _actor_id, MAX_ACTORS),
        "figures": _combined(
            [event.figures, *(o.figures for o in others)], _figure_id, MAX_FIGURES
        ),
        "when": event.when if event.when.date is not None or not dated else dated[0],
        "where": event.where or next((o.where for o in others if o.where), None),
        "attribution": event.attribution
        or next((o.attribution for o in others if o.attribution), None),
    }
    return _Merged(event.model_copy(update=update), base, group)


_Part = TypeVar("_Part", Actor, Figure)


def _combined(
    lists: Sequence[Sequence[_Part]], identity: Callable[[_Part], Hashable], cap: int
) -> list[_Part]:
    """The parts of all lists without repeats; a repeated part adds its quotes to the first."""
    kept: dict[Hashable, _Part] = {}
    for part in (p for parts in lists for p in parts):
        name = identity(part)
        if name in kept:
            first = kept[name]
            kept[name] = first.model_copy(
                update={"evidence": _union([first.evidence, part.evidence])}
            )
        elif len(kept) < cap:
            kept[name] = part
    return list(kept.values())


def _actor_id(actor: Actor) -> Hashable:
    return fold(actor.label), actor.actor_type, actor.role


def _figure_id(figure: Figure) -> Hashable:
    numbers = (figure.value, figure.low, figure.high)
    said = fold(figure.raw) if numbers == (None, None, None) else None
    return figure.kind, numbers, fold(figure.unit or ""), fold(figure.whose or ""), said


def _union(lists: Iterable[Sequence[Evidence]]) -> list[Evidence]:
    """The quotes of all lists, each once (by its folded words), at most MAX_QUOTES."""
    kept: dict[str, Evidence] = {}
    for item in (e for evidence in lists for e in evidence):
        if len(kept) < MAX_QUOTES:
            kept.setdefault(fold(item.quote), item)
    return list(kept.values())


def _quotes(event: Event) -> int:
    """How many quotes the event's fields rest on."""
    return sum(len(field.evidence) for _, field in grounded_fields(event))


def _links(group: list[_Seen], ids: Mapping[tuple[int, str], str], own: str) -> list[EventLink]:
    """The group's links, pointing at the renumbered events (each target once)."""
    links: dict[str, EventLink] = {}
    for item in group:
        for link in item.event.links:
            target = ids.get((item.chunk, link.event_id))
            if target is not None and target != own and len(links) < MAX_LINKS:
                links.setdefault(target, EventLink(event_id=target, relation=link.relation))
    return list(links.values())


def _language(ordered: Sequence[tuple[Chunk, SummaryDraft]]) -> str:
    """The language of most of the text (the first chunk's on a tie)."""
    weight: dict[str, int] = {}
    for chunk, draft in ordered:
        weight[draft.language] = weight.get(draft.language, 0) + len(chunk.text)
    return max(weight, key=lambda code: weight[code])


def _hints(
    draft: SummaryDraft, ordered: Sequence[tuple[Chunk, SummaryDraft]]
) -> dict[str, tuple[int, int]]:
    """Evidence path -> the window of the chunk whose draft holds that very quote."""
    windows: dict[int, tuple[int, int]] = {}
    for chunk, chunk_draft in ordered:
        for _, field in grounded_fields(chunk_draft):
            for item in field.evidence:
                windows[id(item)] = (chunk.start, chunk.end)
    return {
        f"{path}.evidence[{position}]": windows[id(item)]
        for path, field in grounded_fields(draft)
        for position, item in enumerate(field.evidence)
        if id(item) in windows
    }
