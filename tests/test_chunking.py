"""Long articles: split into overlapping chunks, one draft per chunk, merged into one."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas import (
    Actor,
    ActorRole,
    ActorType,
    Event,
    EventLink,
    EventTime,
    Evidence,
    Figure,
    FigureKind,
    Grounding,
    LinkRelation,
    Modality,
    Place,
    SubEventType,
    SummaryDraft,
    WarningCode,
)
from schemas.event import SUB_EVENT_TYPES
from service.article import Article
from service.backends.offline import OfflineBackend
from service.chunking import (
    MAX_EVENTS,
    Chunk,
    duplicate_events,
    merge_chunk_drafts,
    merge_drafts,
    place_in_chunks,
    sentence_boundaries,
    split_article,
)
from service.grounding import grounded_fields
from service.validate import check_draft

ROOT = Path(__file__).resolve().parents[1]
WIKIEVENTS = ROOT.parent / "shared" / "eval" / "wikievents-dev.jsonl"

# --- splitting -------------------------------------------------------------------------------

EN = (
    "army village attack soldiers reported police market killed wounded convoy morning "
    "officials said river bridge protest crowd dispersed region night gunmen"
).split()
FR = (
    "armée village attaque soldats signalé marché tués blessés convoi matin responsables "
    "déclaré fleuve pont manifestation foule dispersée région nuit élèves été"
).split()
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


@dataclass(frozen=True)
class Built:
    """A generated text and where its sentences and paragraphs start."""

    text: str
    sentences: tuple[int, ...]
    paragraphs: frozenset[int]

    def units(self) -> list[tuple[int, int]]:
        """Each sentence with the white space after it."""
        edges = [*self.sentences, len(self.text)]
        return list(zip(edges, edges[1:], strict=False))


def _build(paragraphs: list[list[str]], sentence_gap: str, paragraph_gap: str) -> Built:
    text, sentences, starts = "", [], set()
    for number, paragraph in enumerate(paragraphs):
        text += paragraph_gap if number else ""
        starts.add(len(text))
        for index, sentence in enumerate(paragraph):
            text += sentence_gap if index else ""
            sentences.append(len(text))
            text += sentence
    return Built(text, tuple(sentences), frozenset(starts))


@st.composite
def latin_sentence(draw: st.DrawFn, words: list[str]) -> str:
    chosen = draw(st.lists(st.sampled_from(words), min_size=1, max_size=30))
    commas = draw(st.lists(st.booleans(), min_size=len(chosen), max_size=len(chosen)))
    body = " ".join(
        w + ("," if c and i < len(chosen) - 1 else "")
        for i, (w, c) in enumerate(zip(chosen, commas, strict=True))
    )
    return body[0].upper() + body[1:] + draw(st.sampled_from(".!?"))


@st.composite
def latin_text(draw: st.DrawFn) -> Built:
    words = draw(st.sampled_from([EN, FR]))
    paragraphs = draw(
        st.lists(st.lists(latin_sentence(words), min_size=1, max_size=6), min_size=1, max_size=8)
    )
    return _build(paragraphs, " ", "\n\n")


@st.composite
def cjk_text(draw: st.DrawFn) -> Built:
    sentence = st.builds(
        lambda body, stop: body + stop,
        st.text(CJK, min_size=1, max_size=60),
        st.sampled_from("。！？"),
    )
    paragraphs = draw(st.lists(st.lists(sentence, min_size=1, max_size=6), min_size=1, max_size=8))
    return _build(paragraphs, "", "\n")


def _limits(draw: st.DrawFn) -> tuple[int, int]:
    max_chars = draw(st.integers(30, 600))
    return max_chars, draw(st.integers(0, max_chars - 1))


def _check_cover(text: str, chunks: list[Chunk], max_chars: int, overlap_chars: int) -> None:
    """Every character is in a chunk; chunks are slices within the limit and move forward."""
    assert chunks[0].start == 0 and chunks[-1].end == len(text)
    for chunk in chunks:
        assert chunk.text == text[chunk.start : chunk.end]
        assert 0 < len(chunk.text) <= max_chars
    bound = max(overlap_chars, min(2 * overlap_chars, max_chars // 2))
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert before.start < after.start <= before.end < after.end
        assert before.end - after.start <= bound


def _in_overlong(built: Built, position: int, max_chars: int) -> bool:
    return any(s < position < e and e - s > max_chars for s, e in built.units())


@given(st.data())
@settings(max_examples=150, deadline=None)
def test_latin_chunks_end_on_paragraphs_then_sentences(data: st.DataObject) -> None:
    built = data.draw(latin_text())
    max_chars, overlap_chars = _limits(data.draw)
    text = built.text
    chunks = split_article(text, max_chars, overlap_chars)
    _check_cover(text, chunks, max_chars, overlap_chars)
    if len(text) <= max_chars:
        assert chunks == [Chunk(0, len(text), text)]
    starts = set(built.sentences)
    for chunk in chunks[:-1]:
        # A sentence boundary, or between words of a sentence longer than a chunk.
        if chunk.end not in starts:
            assert _in_overlong(built, chunk.end, max_chars), (chunk.end, text)
            assert text[chunk.end - 1].isspace() and not text[chunk.end].isspace()
    covered = 0
    for chunk in chunks[:-1]:
        if chunk.end not in built.paragraphs:
            lowest = max(chunk.start + max_chars // 2, covered + 1)
            skipped = [p for p in built.paragraphs if lowest <= p <= chunk.start + max_chars]
            assert not skipped, f"chunk {chunk.start}-{chunk.end} skips paragraph at {skipped}"
        covered = chunk.end
    for later in chunks[1:]:
        assert later.start in starts or _in_overlong(built, later.start, max_chars)


@given(st.data())
@settings(max_examples=100, deadline=None)
def test_chunks_overlap_by_whole_sentences(data: st.DataObject) -> None:
    built = data.draw(latin_text())
    max_chars, overlap_chars = _limits(data.draw)
    longest = max(end - start for start, end in built.units())
    max_chars = max(max_chars, 4 * longest)
    overlap_chars = max(overlap_chars, longest)
    chunks = split_article(built.text, max_chars, overlap_chars)
    _check_cover(built.text, chunks, max_chars, overlap_chars)
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert after.start < before.end, "consecutive chunks do not overlap"
        assert before.end - after.start <= overlap_chars
        assert after.start in built.sentences


@given(st.data())
@settings(max_examples=100, deadline=None)
def test_cjk_text_without_spaces_is_cut_after_full_stops(data: st.DataObject) -> None:
    built = data.draw(cjk_text())
    max_chars, overlap_chars = _limits(data.draw)
    chunks = split_article(built.text, max_chars, overlap_chars)
    _check_cover(built.text, chunks, max_chars, overlap_chars)
    for chunk in chunks[:-1]:
        assert chunk.end in built.sentences or _in_overlong(built, chunk.end, max_chars)
        if chunk.end in built.sentences:
            assert built.text[chunk.end - 1] in "。！？\n"


def test_a_word_is_cut_only_when_longer_than_a_chunk() -> None:
    text = "Una " + "x" * 40 + "\u0301y fin."  # a cut every 20 characters would split x + mark
    chunks = split_article(text, 20, 5)
    assert [(c.start, c.end) for c in chunks] == [(0, 4), (4, 24), (24, 43), (43, len(text))]
    assert "".join(c.text for c in _without_overlap(chunks)) == text
    assert chunks[-1].text == "x\u0301y fin.", "a mark left its letter"


def _without_overlap(chunks: list[Chunk]) -> Iterator[Chunk]:
    end = 0
    for chunk in chunks:
        yield Chunk(end, chunk.end, chunk.text[end - chunk.start :])
        end = chunk.end


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Взрыв прогремел утром. Погибли трое. Полиция начала расследование.", 2),
        ("مقتل ثلاثة في انفجار. وقالت الشرطة إنها تحقق.", 1),
        ("Three soldiers were killed.Major General Ivanov died on Monday.The army said so.", 2),
        ("Dr. Smith met Mr. Jones in the U.S. capital. He left.", 1),
        ("一名士兵死亡。警方正在调查！目击者说，爆炸发生在早上？", 2),
    ],
)
def test_sentence_boundaries_of_other_scripts_and_glued_text(text: str, expected: int) -> None:
    assert len(sentence_boundaries(text)) == expected


def test_single_newlines_are_sentences_when_blank_lines_mark_paragraphs() -> None:
    text = "First line of a wrapped\nparagraph ends here.\n\nSecond paragraph.\nIts line."
    levels = sentence_boundaries(text)
    assert levels[text.index("Second")] > levels[text.index("paragraph ends")]
    assert levels[text.index("Its")] == levels[text.index("paragraph ends")]


@pytest.mark.parametrize(
    ("max_chars", "overlap_chars", "message"),
    [
        (0, 0, "max_chars must be at least 1"),
        (100, 100, "overlap_chars must be"),
        (100, -1, "overlap_chars must be"),
    ],
)
def test_bad_limits_are_refused(max_chars: int, overlap_chars: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        split_article("Some text.", max_chars, overlap_chars)


# --- merging ---------------------------------------------------------------------------------

S1 = "On 3 May 2024 gunmen attacked a convoy near Gao, killing 5 soldiers. "
S2 = "Later that day a market in Kidal was shelled and 3 people were injured, officials said. "
S3 = "On 4 May the army arrested 12 suspects in Menaka. "
TEXT = S1 + S2 + S3
FIRST = Chunk(0, len(S1 + S2), S1 + S2)
SECOND = Chunk(len(S1), len(TEXT), S2 + S3)


def quotes(*texts: str) -> list[Evidence]:
    return [Evidence(quote=text) for text in texts]


def event(
    event_id: str,
    quote: str,
    sub: SubEventType = SubEventType.ARMED_CLASH,
    *,
    figures: tuple[Figure, ...] = (),
    actors: tuple[Actor, ...] = (),
    links: tuple[tuple[str, LinkRelation], ...] = (),
    place: str | None = None,
    day: str | None = None,
    modality: Modality = Modality.ASSERTED,
) -> Event:
    kind = next(t for t, subs in SUB_EVENT_TYPES.items() if sub in subs)
    return Event(
        id=event_id,
        event_type=kind,
        sub_event_type=sub,
        description=f"{sub.value} reported.",
        evidence=quotes(quote),
        when=EventTime(
            date=day,
            precision="day" if day else "unknown",
            derivation="stated" if day else "unknown",
            evidence=quotes(quote) if day else [],
        ),
        where=Place(name=place, evidence=quotes(place)) if place else None,
        actors=list(actors),
        figures=list(figures),
        modality=modality,
        links=[EventLink(event_id=target, relation=rel) for target, rel in links],
    )


def figure(kind: FigureKind, value: int, raw: str) -> Figure:
    return Figure(kind=kind, value=value, raw=raw, evidence=quotes(raw))


def actor(name: str, label: str, role: ActorRole = ActorRole.TARGET) -> Actor:
    return Actor(
        name=name, label=label, actor_type=ActorType.CIVILIANS, role=role, evidence=quotes(name)
    )


def draft(*events: Event, headline: str = "Headline", language: str = "en") -> SummaryDraft:
    return SummaryDraft(
        headline=headline, summary=f"{headline}.", language=language, events=list(events)
    )


SHELLED = SubEventType.SHELLING_ARTILLERY_MISSILE


def overlap_drafts() -> list[tuple[Chunk, SummaryDraft]]:
    """The Kidal shelling is in both chunks (their overlap), told with different quotes."""
    injured = figure(FigureKind.INJURED, 3, "3 people were injured")
    first = draft(
        event(
            "e1",
            "gunmen attacked a convoy near Gao",
            figures=(figure(FigureKind.KILLED, 5, "killing 5 soldiers"),),
        ),
        event(
            "e2",
            "a market in Kidal was shelled",
            SHELLED,
            figures=(injured,),
            actors=(actor("people", "civilians"),),
            links=(("e1", LinkRelation.EARLIER_RELATED),),
        ),
        headline="Gunmen attack convoy near Gao",
    )
    second = draft(
        event(
            "e1",
            "market in Kidal was shelled and 3 people were injured",
            SHELLED,
            figures=(injured, figure(FigureKind.INJURED, 3, "3 people")),
            actors=(actor("people", "Civilians"), actor("officials", "officials", ActorRole.OTHER)),
        ),
        event(
            "e2",
            "the army arrested 12 suspects in Menaka",
            SubEventType.ARRESTS,
            links=(("e1", LinkRelation.FOLLOW_UP),),
        ),
        headline="Army arrests suspects in Menaka",
    )
    return [(SECOND, second), (FIRST, first)]  # in any order


def test_an_event_seen_in_the_overlap_is_kept_once_with_links_remapped() -> None:
    merged = merge_chunk_drafts(overlap_drafts(), TEXT)
    events = merged.draft.events
    assert [(e.id, e.sub_event_type) for e in events] == [
        ("e1", SubEventType.ARMED_CLASH),
        ("e2", SHELLED),
        ("e3", SubEventType.ARRESTS),
    ]
    assert merged.sources == ((0,), (0, 1), (1,))
    shelling = events[1]
    assert [(f.kind, f.value) for f in shelling.figures] == [(FigureKind.INJURED, 3)]
    assert [a.label for a in shelling.actors] == ["Civilians", "officials"], "base: 2nd report"
    assert [e.quote for e in shelling.evidence] == [
        "market in Kidal was shelled and 3 people were injured",
        "a market in Kidal was shelled",
    ]
    assert [(x.event_id, x.relation) for x in shelling.links] == [
        ("e1", LinkRelation.EARLIER_RELATED)
    ]
    assert [(x.event_id, x.relation) for x in events[2].links] == [("e2", LinkRelation.FOLLOW_UP)]
    assert merged.draft.headline == "Gunmen attack convoy near Gao"
    checked, issues = check_draft(merged.draft, Article(text=TEXT, published=date(2024, 5, 5)))
    assert not [i for i in issues if i.code in (WarningCode.UNGROUNDED, WarningCode.BROKEN_LINK)]
    assert not any(
        duplicate_events(a, b) for a in checked.events for b in checked.events if a is not b
    )


def test_merge_drafts_returns_the_merged_draft() -> None:
    assert merge_drafts(overlap_drafts(), TEXT) == merge_chunk_drafts(overlap_drafts(), TEXT).draft


def _two_chunks(text_a: str, text_b: str) -> tuple[str, Chunk, Chunk]:
    text = text_a + text_b
    return text, Chunk(0, len(text_a), text_a), Chunk(len(text_a), len(text), text_b)


def test_an_event_told_again_later_is_merged_by_quote_or_by_place_and_day() -> None:
    text, a, b = _two_chunks(
        "A bomb exploded at the Kabul airport on 2 June 2024. Police said the same day. ",
        "Recap: a bomb exploded at the Kabul airport. In Kabul on 2 June a shop was shelled. "
        "In Herat a clinic was shelled. ",
    )
    bombs = SubEventType.REMOTE_EXPLOSIVE
    merged = merge_chunk_drafts(
        [
            (
                a,
                draft(
                    event("e1", "A bomb exploded at the Kabul airport", bombs),
                    event(
                        "e2", "Police said the same day", SHELLED, place="Kabul", day="2024-06-02"
                    ),
                ),
            ),
            (
                b,
                draft(
                    event("e1", "a bomb exploded at the Kabul airport", bombs),
                    event("e2", "a shop was shelled", SHELLED, place="Kabul", day="2024-06-02"),
                    event("e3", "a clinic was shelled", SHELLED, place="Kabul"),
                ),
            ),
        ],
        text,
    )
    assert [(e.id, e.sub_event_type) for e in merged.draft.events] == [
        ("e1", bombs),
        ("e2", SHELLED),
        ("e3", SHELLED),
    ]
    assert merged.sources == ((0, 1), (0, 1), (1,)), "no day: the clinic stays its own event"


def test_a_short_phrase_said_again_is_not_the_same_event() -> None:
    text, a, b = _two_chunks(
        "Gunmen hit Gao. The attack ended. ", "Gunmen hit Ansongo. The attack ended. "
    )
    merged = merge_chunk_drafts(
        [(a, draft(event("e1", "The attack ended"))), (b, draft(event("e1", "The attack ended")))],
        text,
    )
    assert merged.sources == ((0,), (1,))


def test_two_events_of_one_chunk_are_never_merged() -> None:
    text, a, b = _two_chunks(
        "Gunmen attacked Gao on 3 May 2024. Gunmen attacked Gao again that evening. ",
        "Gunmen attacked Gao on 3 May 2024. ",
    )
    first = event("e1", "Gunmen attacked Gao on 3 May 2024", place="Gao", day="2024-05-03")
    again = event("e2", "Gunmen attacked Gao again", place="Gao", day="2024-05-03")
    recap = event("e1", "Gunmen attacked Gao on 3 May 2024", place="Gao", day="2024-05-03")
    merged = merge_chunk_drafts([(a, draft(first, again)), (b, draft(recap))], text)
    assert merged.sources == ((0, 1), (0,))


def test_past_the_cap_the_best_evidenced_events_are_kept() -> None:
    sentences = [f"Event number {n} happened in town {n}. " for n in range(45)]
    text = "".join(sentences)
    chunks, offset = [], 0
    for part in (sentences[:15], sentences[15:30], sentences[30:]):
        body = "".join(part)
        chunks.append(Chunk(offset, offset + len(body), body))
        offset += len(body)
    drafts = []
    for number, chunk in enumerate(chunks):
        events = []
        for index in range(15):
            n = number * 15 + index
            rich = n % 3 != 0  # every third event has a single quote
            place = f"town {n}" if rich else None
            target = "e2" if index % 2 == 0 else "e1"  # every e1 has one quote: dropped
            links = ((target, LinkRelation.SAME_OPERATION),) if index >= 2 else ()
            events.append(
                event(f"e{index + 1}", f"Event number {n} happened", place=place, links=links)
            )
        drafts.append((chunk, draft(*events)))
    merged = merge_chunk_drafts(drafts, text)
    kept = merged.draft.events
    assert len(kept) == MAX_EVENTS == 30
    assert [e.id for e in kept] == [f"e{n}" for n in range(1, 31)]
    assert all(e.where is not None for e in kept), "an event with fewer quotes was kept"
    numbers = [int(e.evidence[0].quote.split()[2]) for e in kept]
    assert numbers == sorted(numbers), "kept events leave the article's order"
    new_id = {n: e.id for n, e in zip(numbers, kept, strict=True)}
    for n, kept_event in zip(numbers, kept, strict=True):
        index = n % 15
        wanted = [new_id[n - index + 1]] if index >= 2 and index % 2 == 0 else []
        assert [link.event_id for link in kept_event.links] == wanted, n
    SummaryDraft.model_validate(merged.draft.model_dump())


def test_headline_from_the_first_chunk_with_a_reported_event_and_language_of_most_text() -> None:
    text, a, b = _two_chunks("Court ruled on 2019 bombing. " * 3, "Une bombe a explosé mardi. ")
    merged = merge_drafts(
        [
            (
                a,
                draft(
                    event("e1", "2019 bombing", modality=Modality.BACKGROUND),
                    headline="Old",
                    language="en",
                ),
            ),
            (
                b,
                draft(
                    event("e1", "Une bombe a explosé", SubEventType.REMOTE_EXPLOSIVE),
                    headline="Bombe",
                    language="fr",
                ),
            ),
        ],
        text,
    )
    assert (merged.headline, merged.summary, merged.language) == ("Bombe", "Bombe.", "en")
    none = merge_drafts([(a, draft(headline="Lead")), (b, draft(headline="Later"))], text)
    assert none.headline == "Lead" and none.events == []


def test_a_repeated_quote_is_grounded_in_the_chunk_it_came_from() -> None:
    repeated = "Two people died."
    text, a, b = _two_chunks(
        f"A bus crashed near Mopti. {repeated} ", f"A blast hit Gao market. {repeated} "
    )
    blast = event(
        "e1",
        "A blast hit Gao market",
        SubEventType.REMOTE_EXPLOSIVE,
        figures=(figure(FigureKind.KILLED, 2, repeated),),
    )
    merged = merge_chunk_drafts([(a, draft()), (b, draft(blast))], text)
    assert merged.hints["events[0].figures[0].evidence[0]"] == (b.start, b.end)
    checked, _ = check_draft(merged.draft, Article(text=text))
    grounded = checked.events[0].figures[0].evidence[0]
    assert grounded.start == text.index(repeated), "grounding alone takes the first occurrence"
    placed = place_in_chunks(checked, merged.hints, text)
    moved = placed.events[0].figures[0].evidence[0]
    assert (moved.start, moved.end) == (text.rindex(repeated), text.rindex(repeated) + 16)
    assert moved.quote == text[moved.start : moved.end] and moved.grounding is Grounding.EXACT
    assert checked.events[0].figures[0].evidence[0].start == grounded.start, "input changed"


def test_drafts_that_do_not_fit_the_article_are_refused() -> None:
    with pytest.raises(ValueError, match="no chunk drafts"):
        merge_chunk_drafts([], TEXT)
    with pytest.raises(ValueError, match=r"chunk \[0, 5\) is not the article's text"):
        merge_chunk_drafts([(Chunk(0, 5, "Later"), draft())], TEXT)


# --- long real documents ---------------------------------------------------------------------

CHUNK_CHARS = 2000
OVERLAP_CHARS = 300
RECALL_MARGIN = 0.02
"""How much lower chunked recall may be than whole-text recall (measured: it is higher)."""


@cache
def quality() -> ModuleType:
    """bench/quality.py, whose WikiEvents reader and matching rule score the documents."""
    spec = importlib.util.spec_from_file_location("bench_quality", ROOT / "bench" / "quality.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def offline() -> Iterator[OfflineBackend]:
    backend = OfflineBackend("offline")
    yield backend
    backend.close()


@pytest.mark.slow
@pytest.mark.skipif(not WIKIEVENTS.exists(), reason=f"evaluation data not in {WIKIEVENTS}")
def test_long_wikievents_documents_chunked_then_merged(
    offline: OfflineBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    bench = quality()
    docs = [d for d in bench.read_wikievents(WIKIEVENTS, None) if len(d.text) > CHUNK_CHARS]
    recalled = {"whole": 0, "chunked": 0}
    mentions = chunk_count = 0
    for doc in docs:
        article = Article(text=doc.text, id=doc.id, language="en")
        whole, _ = check_draft(offline.summarize(article), article)
        chunks = split_article(doc.text, CHUNK_CHARS, OVERLAP_CHARS)
        chunk_count += len(chunks)
        drafts = [(c, offline.summarize(Article(text=c.text, language="en"))) for c in chunks]
        merged = merge_chunk_drafts(drafts, doc.text)
        checked, _ = check_draft(merged.draft, article)
        placed = place_in_chunks(checked, merged.hints, doc.text)
        _assert_grounded_in_whole_text(placed, merged.hints, doc.text)
        events = placed.events
        for i, first in enumerate(events):
            for j in range(i + 1, len(events)):
                if duplicate_events(first, events[j]):
                    assert set(merged.sources[i]) & set(merged.sources[j]), (doc.id, i, j)
        scored = [m for m in doc.mentions if bench.compatible_types(m.kind)]
        mentions += len(scored)
        for name, found in (("whole", whole.events), ("chunked", events)):
            recalled[name] += sum(bench.recalled(m, found, 50, anywhere=False) for m in scored)
    whole_recall, chunked_recall = (recalled[n] / mentions for n in ("whole", "chunked"))
    with capsys.disabled():
        print(  # noqa: T201 - the figures this test measures
            f"\nWikiEvents dev, {len(docs)} documents over {CHUNK_CHARS} chars "
            f"({chunk_count} chunks of <= {CHUNK_CHARS}, overlap {OVERLAP_CHARS}): "
            f"event-mention recall whole text {whole_recall:.3f}, chunked {chunked_recall:.3f} "
            f"({mentions} mentions)"
        )
    assert len(docs) >= 10 and chunk_count > len(docs)
    assert chunked_recall >= whole_recall - RECALL_MARGIN


def _assert_grounded_in_whole_text(
    placed: SummaryDraft, hints: dict[str, tuple[int, int]], text: str
) -> None:
    """Every grounded quote is the whole text's slice, inside its chunk when it is there."""
    for path, field in grounded_fields(placed):
        for position, item in enumerate(field.evidence):
            if item.start is None or item.end is None:
                continue
            assert item.quote == text[item.start : item.end]
            window = hints.get(f"{path}.evidence[{position}]")
            if window is not None and text.find(item.quote, *window) >= 0:
                assert window[0] <= item.start and item.end <= window[1], (path, item)
