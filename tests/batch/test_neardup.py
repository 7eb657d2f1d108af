"""Near-duplicates: thresholds measured on wire copy, reuse re-checked, index survives resume."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.backends.offline import OfflineBackend
from service.batch import neardup
from service.batch.ledger import LedgerIndex
from service.batch.neardup import REPORT_THRESHOLD, REUSE_THRESHOLD, signature, similarity
from service.batch.records import text_key
from service.config import BackendConfig, Settings
from service.pipeline import Pipeline
from tests.batch.conftest import CountingBackend, output_lines, write_jsonl
from tests.batch.test_runner import run

BYLINE = "By Amina Diallo and Pierre Martin\n\n"
LEDE = (
    "BAMAKO, March 4 (Newsroom Wire) - Security forces fired tear gas on Tuesday to disperse "
    "several thousand protesters who gathered outside the national assembly in Bamako to "
    "denounce a new law extending the transition period, witnesses and a police source said."
)
BODY = """

The protesters, many of them students and market traders, chanted slogans against the \
government and burned tyres on the main road leading to the Martyrs' Bridge, blocking traffic \
for most of the afternoon.

A police officer who asked not to be named because he was not authorised to speak to the \
media said 27 people had been arrested and that four officers were slightly injured by \
stones. A hospital worker said 11 protesters were treated for breathing problems and one man \
had a broken arm.

The law, adopted last week by the national transitional council, pushes back elections until \
2027 and allows the interim president to stand as a candidate. Opposition parties have called \
it a constitutional coup.

"We will not accept that our vote is taken away from us," said Moussa Traore, a 24-year-old \
law student who said he had walked six kilometres to join the march. "We will come back every \
day until they listen."

The government spokesman did not respond to a request for comment. In a statement read on \
state television on Monday evening, the ministry of territorial administration said any \
unauthorised gathering would be dispersed and its organisers prosecuted.

Mali has been ruled by the military since coups in 2020 and 2021. The junta has expelled \
French troops and turned to Russia for security assistance while fighting jihadist groups \
linked to al Qaeda and Islamic State in the centre and north of the country.
"""
FOOTER = """
(Reporting by Amina Diallo in Bamako; Additional reporting by Pierre Martin in Dakar; \
Writing by Sofia Rossi; Editing by Mark Hughes)

Our Standards: The Newsroom Wire Trust Principles.
"""
BOILERPLATE = "Our Standards: The Newsroom Wire Trust Principles."
STORY = BYLINE + LEDE + BODY + FOOTER
NEW_LEDE = (
    "Police in Mali's capital used tear gas and batons on Tuesday against thousands of young "
    "people protesting outside parliament over a law that delays elections by two years, "
    "according to witnesses."
)
CHANGED_FIRST_LINE = STORY.replace(LEDE, NEW_LEDE)
UPDATE = (
    "UPDATE 1-Mali police fire tear gas at Bamako protest over election delay\n"
    "(Adds arrests, hospital figures, comment from protester)\n\n" + STORY
)
NEW_BYLINE = STORY.replace(BYLINE, "By Newsroom Wire Staff\n\n")
NEW_TOLL = STORY.replace("27 people had been arrested", "31 people had been arrested")

OTHER = """By Cheikh Sow

DAKAR, March 6 (Newsroom Wire) - Police in Senegal's capital fired tear gas on Thursday at \
hundreds of supporters of a jailed opposition leader who tried to march on the courthouse \
where his appeal was being heard, witnesses said.

The demonstrators, most of them young men, threw stones at police vehicles and set fire to \
tyres in the Colobane district, where several shops stayed closed for the day.

The interior ministry said in a statement that 43 people had been detained for public order \
offences and that two police officers were taken to hospital. A rights group said at least \
nine protesters were wounded, three of them by rubber bullets.

The opposition leader was sentenced in January to two years in prison for defamation, a \
ruling his lawyers say is designed to keep him out of next year's presidential election.

"They are putting our leader in jail because they are afraid of the ballot box," said \
Aissatou Ndiaye, a 31-year-old seamstress who was among the marchers. "We are not afraid of \
their tear gas."

A government spokesman said the authorities respected the right to protest but would not \
tolerate violence against people or property. The court adjourned the appeal hearing until \
next week.

(Reporting by Cheikh Sow in Dakar; Writing by Sofia Rossi; Editing by Mark Hughes)

Our Standards: The Newsroom Wire Trust Principles.
"""

SHORT = LEDE + BODY.split("\n\nThe law,")[0] + "\n" + FOOTER
SHORT_NEW_LEDE = SHORT.replace(LEDE, NEW_LEDE)


def jaccard(one: str, other: str) -> float:
    """The exact Jaccard similarity of two texts' shingle sets."""
    a, b = neardup.shingles(one), neardup.shingles(other)
    return len(a & b) / len(a | b)


# Measured: first line 0.77 (estimate 0.83), UPDATE 0.94 (0.91), byline 0.97 (0.98).
@pytest.mark.parametrize(
    "variant",
    [CHANGED_FIRST_LINE, UPDATE, NEW_BYLINE],
    ids=["changed-first-line", "update-line", "changed-byline"],
)
def test_a_republished_wire_story_is_above_the_reuse_threshold(variant: str) -> None:
    assert len(STORY.split()) > 300
    assert jaccard(STORY, variant) >= REUSE_THRESHOLD
    assert similarity(signature(STORY), signature(variant)) >= REUSE_THRESHOLD


def test_two_stories_of_one_outlet_with_the_same_boilerplate_stay_below_reporting() -> None:
    assert BOILERPLATE in STORY and BOILERPLATE in OTHER
    assert "tear gas" in STORY and "tear gas" in OTHER
    assert jaccard(STORY, OTHER) < 0.1  # measured 0.02
    assert similarity(signature(STORY), signature(OTHER)) < REPORT_THRESHOLD


def test_a_short_story_with_a_rewritten_lede_is_reported_not_reused() -> None:
    measured = similarity(signature(SHORT), signature(SHORT_NEW_LEDE))
    assert REPORT_THRESHOLD <= jaccard(SHORT, SHORT_NEW_LEDE) < REUSE_THRESHOLD  # 0.60
    assert REPORT_THRESHOLD <= measured < REUSE_THRESHOLD


def test_shingles_ignore_case_and_white_space() -> None:
    assert neardup.shingles("Police  FIRED\ntear gas on Tuesday") == neardup.shingles(
        "police fired tear gas on tuesday"
    )
    assert neardup.shingles("Two words") == {b"two words"}


def test_a_signature_round_trips_through_its_line_field_and_foreign_ones_are_refused() -> None:
    sig = signature(STORY)
    encoded = neardup.encode(sig)
    assert encoded.startswith(neardup.SIGNATURE_FORMAT + ":") and len(encoded) < 700
    decoded = neardup.decode(encoded)
    assert decoded is not None and similarity(decoded, sig) == 1.0
    assert neardup.band_keys(decoded) == neardup.band_keys(sig)
    tag, data = encoded.split(":")
    for foreign in (None, 42, "", f"w3p128s1:{data}", f"{tag}:{data[:-8]}", f"{tag}:*not-b64*"):
        assert neardup.decode(foreign) is None


def unrelated_texts(count: int) -> Iterator[str]:
    words = " ".join(set(STORY.split() + OTHER.split())).split()
    rng = random.Random(11)
    for _ in range(count):
        yield " ".join(rng.choice(words) for _ in range(120))


def test_the_index_finds_a_near_duplicate_among_many_and_keeps_16_pairs_per_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(neardup, "FLUSH_ENTRIES", 64)  # merge into the arrays often
    index = neardup.NearDupIndex()
    for number, text in enumerate(unrelated_texts(300)):
        index.add(signature(text), number * 1000)
    index.add(signature(STORY), 999_999)
    for text in unrelated_texts(40):
        index.add(signature(text + " more"), 5)
    assert 999_999 in index.candidates(signature(CHANGED_FIRST_LINE))
    assert 999_999 not in index.candidates(signature(OTHER))
    assert index.records == 341
    in_arrays = index.nbytes // 16  # one uint64 band hash + one int64 offset
    assert in_arrays % neardup.BANDS == 0 and in_arrays >= 300 * neardup.BANDS


# --- the runner ---

WIRE_ROWS: list[dict[str, Any] | bytes] = [
    {"id": "wire", "text": STORY, "published_at": "2025-03-04"},
    {"id": "other", "text": OTHER, "published_at": "2025-03-06"},
    {"id": "lede", "text": CHANGED_FIRST_LINE, "published_at": "2025-03-04"},
    {"id": "update", "text": UPDATE, "published_at": "2025-03-04"},
    {"id": "byline", "text": NEW_BYLINE, "published_at": "2025-03-04"},
]
TEXTS = {str(row["id"]): str(row["text"]) for row in WIRE_ROWS if isinstance(row, dict)}


def evidence(node: object) -> Iterator[dict[str, Any]]:
    """Every evidence item of a summary (dicts with quote / start / end)."""
    if isinstance(node, dict):
        if "quote" in node and "grounding" in node:
            yield node
        for value in node.values():
            yield from evidence(value)
    elif isinstance(node, list):
        for value in node:
            yield from evidence(value)


def assert_grounded_in(summary: dict[str, Any], text: str) -> None:
    found = [item for item in evidence(summary) if item["grounding"] != "ungrounded"]
    assert found
    for item in found:
        assert text[item["start"] : item["end"]] == item["quote"]


@pytest.mark.parametrize("concurrency", [1, 8])
async def test_near_duplicates_reuse_the_answer_rechecked_against_their_own_text(
    tmp_path: Path, pipeline: Pipeline, counting: CountingBackend, concurrency: int
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", WIRE_ROWS)
    out = tmp_path / "out.jsonl"
    counts = await run(pipeline, source, out, concurrency=concurrency)
    by_id = {line["id"]: line for line in output_lines(out)}
    assert counting.calls == 2 and sorted(counting.texts) == sorted([STORY, OTHER])
    assert (counts.near_duplicates, counts.ok, len(by_id)) == (3, 5, 5)
    for rid in ("lede", "update", "byline"):
        line = by_id[rid]
        assert line["near_duplicate_of"] == "wire"
        assert REUSE_THRESHOLD <= line["similarity"] <= 1
        assert line["summary"]["article"]["id"] == rid
        assert "minhash" not in line
        assert_grounded_in(line["summary"], TEXTS[rid])
    assert "minhash" in by_id["wire"] and "minhash" in by_id["other"]
    assert not {"near_duplicate_of", "similar_to"} & (by_id["other"].keys() | by_id["wire"].keys())
    lost = [w for w in by_id["lede"]["summary"]["warnings"] if w["code"] == "ungrounded"]
    assert any("BAMAKO, March 4 (Newsroom Wire)" in w["message"] for w in lost)
    assert not any(w["code"] == "ungrounded" for w in by_id["update"]["summary"]["warnings"])
    headline = by_id["wire"]["summary"]["headline"]
    assert by_id["update"]["summary"]["headline"] == headline


async def test_the_near_duplicate_index_is_rebuilt_from_the_output_on_resume(
    tmp_path: Path, pipeline: Pipeline, counting: CountingBackend
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", WIRE_ROWS)
    out = tmp_path / "out.jsonl"
    await run(pipeline, source, out, limit=2)  # wire and other only
    assert counting.calls == 2
    index = LedgerIndex.read(out)
    assert index.near.records == 2
    assert index.near.candidates(signature(CHANGED_FIRST_LINE)) == [index.by_key[text_key(STORY)]]
    await run(pipeline, source, out, resume=True)
    lines = output_lines(out)
    assert counting.calls == 2
    assert sorted(line["id"] for line in lines) == sorted(TEXTS)
    assert {line.get("near_duplicate_of") for line in lines[2:]} == {"wire"}


@pytest.mark.parametrize("concurrency", [1, 4])  # the earlier story written, or in flight
async def test_a_story_between_the_thresholds_is_summarised_and_reported(
    tmp_path: Path, pipeline: Pipeline, counting: CountingBackend, concurrency: int
) -> None:
    rows: list[dict[str, Any] | bytes] = [
        {"id": "short", "text": SHORT},
        {"id": "short-rewritten", "text": SHORT_NEW_LEDE},
    ]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    counts = await run(pipeline, source, out, concurrency=concurrency)
    second = {line["id"]: line for line in output_lines(out)}["short-rewritten"]
    assert counting.calls == 2 and counts.similar == 1 and counts.near_duplicates == 0
    assert second["similar_to"] == "short"
    assert REPORT_THRESHOLD <= second["similarity"] < REUSE_THRESHOLD
    assert "near_duplicate_of" not in second and "minhash" in second


async def test_a_changed_figure_is_not_reused_but_summarised_anew(
    tmp_path: Path, pipeline: Pipeline, counting: CountingBackend
) -> None:
    rows: list[dict[str, Any] | bytes] = [
        {"id": "wire", "text": STORY},
        {"id": "wire-toll", "text": NEW_TOLL},
    ]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    await run(pipeline, source, out)
    by_id = {line["id"]: line for line in output_lines(out)}
    first, second = by_id["wire"], by_id["wire-toll"]
    assert counting.calls == 2
    assert "27 captured or arrested" in first["summary"]["headline"]
    assert "31 captured or arrested" in second["summary"]["headline"]
    assert second["similar_to"] == "wire" and second["similarity"] >= REUSE_THRESHOLD


async def test_an_answer_of_a_backend_not_configured_now_is_not_reused(
    tmp_path: Path, offline: OfflineBackend, counting: CountingBackend
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", WIRE_ROWS[:3])
    out = tmp_path / "out.jsonl"
    retired = CountingBackend(offline, name="rules")
    settings = Settings(backends={"rules": BackendConfig(kind="offline")}, chain=["rules"])
    await run(Pipeline(settings, {"rules": retired}), source, out, limit=1)
    now = Pipeline(Settings(), {"offline": counting})
    await run(now, source, out, resume=True, force=True)
    lede = {line["id"]: line for line in output_lines(out)}["lede"]
    assert counting.calls == 2  # other, and lede summarised anew
    assert lede["similar_to"] == "wire" and "near_duplicate_of" not in lede
    assert lede["summary"]["extraction"]["backend"] == "offline"
