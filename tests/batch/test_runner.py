"""The runner: one line per record, duplicates summarised once, resume without gaps."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.batch.ledger import FingerprintMismatch, Ledger, LedgerError, state_path
from service.batch.readers import FieldMap, JsonlReader
from service.batch.runner import BatchRunner, Counts, RunOptions, UniqueIds, fingerprint
from service.config import Settings
from service.errors import BackendError
from service.pipeline import Pipeline
from tests.batch.conftest import CountingBackend, article, output_lines, write_jsonl
from tests.support.fakes import ScriptedBackend

ROWS: list[dict[str, Any] | bytes] = [
    {"id": "a", "text": article(1), "published_at": "2025-01-09"},
    {"id": "b", "text": article(2)},
    {"id": "wire-1", "text": article(3)},
    {"id": "wire-2", "text": "  " + article(3).replace(" ", "\n ")},  # reflowed copy
    b'{"id": "torn", ',
    {"id": "empty", "text": ""},
    {"id": "bad-date", "text": article(4), "published_at": "yesterday"},
    {"id": "a", "text": article(5)},  # the same source id twice
    {"url": "https://example.org/6", "text": article(6)},
    {"id": "wire-3", "text": article(3)},
]


async def run(
    pipeline: Pipeline,
    source: Path,
    out: Path,
    *,
    resume: bool = False,
    force: bool = False,
    **options: Any,
) -> Counts:
    """One batch run of a JSONL file into `out`."""
    stamp = fingerprint(pipeline, options.get("backend"))
    ledger = Ledger.open(out, stamp, resume=resume, force=force)
    try:
        runner = BatchRunner(pipeline, ledger, RunOptions(**options))
        return await runner.run(JsonlReader(FieldMap()).read(source))
    finally:
        ledger.close()


EXPECTED_IDS = {
    "a", "b", "wire-1", "wire-2", "at:{src}:5", "empty", "bad-date", "a#2",
    "https://example.org/6", "wire-3",
}  # fmt: skip


def expected_ids(source: Path) -> set[str]:
    return {rid.replace("{src}", source.name) for rid in EXPECTED_IDS}


async def test_every_record_gets_exactly_one_line(tmp_path: Path, pipeline: Pipeline) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", ROWS)
    out = tmp_path / "out.jsonl"
    counts = await run(pipeline, source, out, concurrency=3)
    lines = output_lines(out)
    ids = [line["id"] for line in lines]
    assert len(ids) == len(set(ids)) == len(ROWS)
    assert set(ids) == expected_ids(source)
    by_id = {line["id"]: line for line in lines}
    reasons = {rid: line["reason"] for rid, line in by_id.items() if line["status"] == "error"}
    assert reasons == {
        f"at:{source.name}:5": "invalid_record",
        "empty": "empty_text",
        "bad-date": "invalid_record",
    }
    assert by_id["a"]["summary"]["article"]["published_at"] == "2025-01-09"
    assert (counts.read, counts.ok, counts.failed, counts.duplicates) == (10, 7, 3, 2)
    assert counts.has_failures


async def test_identical_texts_are_summarised_once(
    tmp_path: Path, pipeline: Pipeline, counting: CountingBackend
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", ROWS)
    out = tmp_path / "out.jsonl"
    await run(pipeline, source, out, concurrency=8)
    by_id = {line["id"]: line for line in output_lines(out)}
    assert counting.calls == 5  # a, b, wire-1, a#2, example.org/6
    assert Counter(counting.texts)[article(3)] == 1
    for copy in ("wire-2", "wire-3"):
        assert by_id[copy]["duplicate_of"] == "wire-1"
        assert by_id[copy]["summary"]["headline"] == by_id["wire-1"]["summary"]["headline"]
        assert by_id[copy]["summary"]["article"]["id"] == copy
    assert "duplicate_of" not in by_id["wire-1"]


async def test_duplicates_of_a_failed_record_reuse_its_error_without_calls(
    tmp_path: Path,
) -> None:
    failing = ScriptedBackend([BackendError("HTTP 503", backend="scripted", status=503)])
    pipeline = Pipeline(Settings(), {"scripted": failing})  # type: ignore[dict-item]
    rows: list[dict[str, Any] | bytes] = [{"id": f"c{i}", "text": article(1)} for i in range(4)]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    counts = await run(pipeline, source, out, backend="scripted", concurrency=4)
    lines = output_lines(out)
    assert len(failing.requests) == 1
    assert {line["reason"] for line in lines} == {"backend_failed"}
    assert sorted(line["id"] for line in lines) == ["c0", "c1", "c2", "c3"]
    assert counts.failed == 4 and counts.duplicates == 3


@pytest.mark.parametrize("keep", [0, 3, 6])
async def test_resume_after_a_torn_write_has_no_gap_and_no_duplicate(
    tmp_path: Path, pipeline: Pipeline, counting: CountingBackend, keep: int
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", ROWS)
    out = tmp_path / "out.jsonl"
    await run(pipeline, source, out, concurrency=2)
    whole = out.read_bytes().splitlines(keepends=True)
    torn = whole[keep][: len(whole[keep]) // 2]  # the crash cut this line in half
    out.write_bytes(b"".join(whole[:keep]) + torn)
    calls_before = counting.calls
    counts = await run(pipeline, source, out, resume=True, concurrency=2)
    ids = [line["id"] for line in output_lines(out)]
    assert len(ids) == len(set(ids)) and set(ids) == expected_ids(source)
    assert counts.skipped == keep and counts.read == len(ROWS)
    assert counting.calls - calls_before <= 5
    again = await run(pipeline, source, out, resume=True)
    assert again.skipped == len(ROWS) and again.ok == again.failed == 0
    assert again.has_failures  # the earlier error lines still count


async def test_resume_reuses_results_of_duplicates_written_before_the_crash(
    tmp_path: Path, pipeline: Pipeline, counting: CountingBackend
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", ROWS)
    out = tmp_path / "out.jsonl"
    await run(pipeline, source, out, concurrency=1, limit=3)  # a, b, wire-1
    assert counting.calls == 3
    await run(pipeline, source, out, resume=True, concurrency=1)
    assert Counter(counting.texts)[article(3)] == 1
    assert len(output_lines(out)) == len(ROWS)


async def test_a_run_refuses_an_existing_output_without_resume(
    tmp_path: Path, pipeline: Pipeline
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", ROWS[:2])
    out = tmp_path / "out.jsonl"
    await run(pipeline, source, out)
    with pytest.raises(LedgerError, match="--resume"):
        await run(pipeline, source, out)


async def test_resume_refuses_another_fingerprint_unless_forced(
    tmp_path: Path, pipeline: Pipeline
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", ROWS[:3])
    out = tmp_path / "out.jsonl"
    await run(pipeline, source, out, limit=1)
    state = state_path(out)
    body = json.loads(state.read_text())
    assert body["fingerprint"]["backends"] == ["offline:offline:rules-v1"]
    body["fingerprint"]["prompt_version"] = "older"
    state.write_text(json.dumps(body))
    with pytest.raises(FingerprintMismatch, match="prompt_version"):
        await run(pipeline, source, out, resume=True)
    assert len(output_lines(out)) == 1
    counts = await run(pipeline, source, out, resume=True, force=True)
    assert counts.skipped == 1 and len(output_lines(out)) == 3
    after = json.loads(state.read_text())
    assert after["previous"][-1]["prompt_version"] == "older"


async def test_resume_without_a_state_file_is_refused(tmp_path: Path, pipeline: Pipeline) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", ROWS[:2])
    out = tmp_path / "out.jsonl"
    await run(pipeline, source, out, limit=1)
    state_path(out).unlink()
    with pytest.raises(FingerprintMismatch, match="--force"):
        await run(pipeline, source, out, resume=True)


async def test_a_text_over_the_configured_limit_is_too_large_without_a_call(
    tmp_path: Path, counting: CountingBackend
) -> None:
    pipeline = Pipeline(Settings(max_article_chars=1000), {"offline": counting})
    rows: list[dict[str, Any] | bytes] = [
        {"id": "long", "text": article(1) * 20},
        {"id": "short", "text": article(2)},
    ]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    await run(pipeline, source, out)
    by_id = {line["id"]: line for line in output_lines(out)}
    assert by_id["long"]["reason"] == "too_large" and by_id["short"]["status"] == "ok"
    assert counting.calls == 1


async def test_a_reflowed_copy_gets_offsets_into_its_own_text(
    tmp_path: Path, pipeline: Pipeline
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", ROWS)
    out = tmp_path / "out.jsonl"
    await run(pipeline, source, out)
    by_id = {line["id"]: line for line in output_lines(out)}
    reflowed = "  " + article(3).replace(" ", "\n ")
    copy, primary = by_id["wire-2"]["summary"], by_id["wire-1"]["summary"]
    quotes = list(evidence(copy))
    assert quotes and all(reflowed[q["start"] : q["end"]] == q["quote"] for q in quotes)
    assert [q["start"] for q in quotes] != [q["start"] for q in evidence(primary)]
    assert copy["article"]["content_sha256"] != primary["article"]["content_sha256"]
    assert copy["headline"] == primary["headline"]
    same = by_id["wire-3"]["summary"]  # byte-identical: copied as it is
    assert list(evidence(same)) == list(evidence(primary))


def evidence(node: object) -> Iterator[dict[str, Any]]:
    """Every grounded evidence item of a summary."""
    if isinstance(node, dict):
        if "quote" in node and node.get("start") is not None:
            yield node
        for value in node.values():
            yield from evidence(value)
    elif isinstance(node, list):
        for value in node:
            yield from evidence(value)


async def test_retry_failed_redoes_error_lines_and_keeps_one_line_per_record(
    tmp_path: Path, counting: CountingBackend
) -> None:
    rows: list[dict[str, Any] | bytes] = [{"id": f"r{i}", "text": article(i)} for i in range(4)]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    failing = ScriptedBackend([BackendError("HTTP 503", backend="scripted", status=503)])
    failing.kind, failing.model = "offline", "rules-v1"  # the fingerprint of `counting`
    down = Pipeline(Settings(), {"offline": failing})  # type: ignore[dict-item]
    await run(down, source, out, limit=2)
    assert [line["status"] for line in output_lines(out)] == ["error", "error"]
    up = Pipeline(Settings(), {"offline": counting})
    stamp = fingerprint(up, None)
    ledger = Ledger.open(out, stamp, resume=True, force=False, retry_failed=True)
    try:
        assert ledger.index.removed_failed == 2 and not ledger.index.done
        counts = await BatchRunner(up, ledger, RunOptions()).run(
            JsonlReader(FieldMap()).read(source)
        )
    finally:
        ledger.close()
    lines = output_lines(out)
    assert sorted(line["id"] for line in lines) == ["r0", "r1", "r2", "r3"]
    assert {line["status"] for line in lines} == {"ok"}
    assert counts.ok == 4 and not counts.has_failures and counting.calls == 4


async def test_retry_failed_keeps_ok_lines_and_needs_resume(
    tmp_path: Path, pipeline: Pipeline
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", ROWS)
    out = tmp_path / "out.jsonl"
    await run(pipeline, source, out)
    before = output_lines(out)
    stamp = fingerprint(pipeline, None)
    with pytest.raises(LedgerError, match="--resume"):
        Ledger.open(out, stamp, resume=False, force=False, retry_failed=True)
    ledger = Ledger.open(out, stamp, resume=True, force=False, retry_failed=True)
    ledger.close()
    kept = output_lines(out)
    assert kept == [line for line in before if line["status"] == "ok"]
    assert ledger.index.removed_failed == 3 and ledger.index.done == {k["id"] for k in kept}
    assert not (tmp_path / "out.jsonl.tmp").exists()


async def test_a_crash_while_compacting_leaves_the_old_output_whole(
    tmp_path: Path, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", ROWS)
    out = tmp_path / "out.jsonl"
    await run(pipeline, source, out)
    before = out.read_bytes()

    def power_cut(*_: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr("service.batch.ledger.os.replace", power_cut)
    stamp = fingerprint(pipeline, None)
    with pytest.raises(OSError, match="Input/output"):
        Ledger.open(out, stamp, resume=True, force=False, retry_failed=True)
    assert out.read_bytes() == before
    monkeypatch.undo()
    counts = await run(pipeline, source, out, resume=True)
    assert counts.skipped == len(ROWS) and out.read_bytes() == before


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["a", "a", "a#2"], ["a", "a#2", "a#2#2"]),
        (["a", "a#2", "a"], ["a", "a#2", "a#3"]),
        (["a", "a", "a", "a#3", "a#2"], ["a", "a#2", "a#3", "a#3#2", "a#2#2"]),
    ],
)
def test_generated_ids_never_take_an_id_given(given: list[str], expected: list[str]) -> None:
    unique = UniqueIds()
    assert [unique(rid) for rid in given] == expected
    again = UniqueIds()  # a resumed run derives the same ids from the same input
    assert [again(rid) for rid in given] == expected


@pytest.mark.parametrize("order", [["a", "a", "a#2"], ["a", "a#2", "a"]])
async def test_repeated_and_suffixed_ids_each_get_a_line_after_a_crash(
    tmp_path: Path, pipeline: Pipeline, order: list[str]
) -> None:
    rows: list[dict[str, Any] | bytes] = [
        {"id": rid, "text": article(n)} for n, rid in enumerate(order)
    ]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    await run(pipeline, source, out, limit=2)  # killed after two lines
    counts = await run(pipeline, source, out, resume=True)
    lines = output_lines(out)
    ids = [line["id"] for line in lines]
    assert len(ids) == len(set(ids)) == 3
    assert counts.skipped == 2 and counts.ok == 1
    texts = {line["summary"]["article"]["content_sha256"] for line in lines}
    assert len(texts) == 3  # every record was summarised, none skipped in another's place
