"""A defect met on one record (in a backend, the checks or a reader) is that record's error
line, `internal_error`, and the run goes on: one bad record never blocks the archive."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from schemas import EventSummary
from service.article import Article
from service.backends import build_backends, close_backends
from service.backends.base import Backend, RawExtraction
from service.batch.ledger import Ledger
from service.batch.provider import run_provider_batch
from service.batch.readers import FieldMap, JsonlReader, read_safely
from service.batch.records import Record, RecordError
from service.batch.runner import BatchRunner, Counts, RunOptions, fingerprint
from service.config import Settings
from service.pipeline import Pipeline
from tests.backends import FakeSleep, fixture
from tests.batch.conftest import CountingBackend, article, output_lines, write_jsonl
from tests.batch.test_cli import invoke
from tests.batch.test_provider_batch import OLLAMA, archive, llm_settings
from tests.batch.test_provider_batch import rows as provider_rows
from tests.batch.test_provider_batch import text as provider_text

MARKER = "Quarantined-copy"
"""A word in the texts that meet the defect (and that no log may show)."""


class Defective(Pipeline):
    """The pipeline, with a defect for texts holding MARKER: in summarising, or in the
    checks that re-ground an earlier answer on a copy."""

    def __init__(self, *args: Any, where: str = "summarize", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.where = where

    async def summarize(self, article: Article, backend: str | None = None) -> EventSummary:
        if self.where == "summarize" and MARKER in article.text:
            raise KeyError(f"offset of {article.text[:40]!r}")
        return await super().summarize(article, backend)

    def accept(
        self, backend: Backend, article: Article, raw: RawExtraction, *, calls: int = 1
    ) -> tuple[EventSummary, bool]:
        if self.where == "accept" and MARKER in article.text:
            raise IndexError(f"quote of {article.text[:40]!r}")
        return super().accept(backend, article, raw, calls=calls)


async def run(pipeline: Pipeline, source: Path, out: Path, **options: Any) -> Counts:
    ledger = Ledger.open(out, fingerprint(pipeline, None), resume=out.exists(), force=False)
    try:
        runner = BatchRunner(pipeline, ledger, RunOptions(**options))
        return await runner.run(JsonlReader(FieldMap()).read(source))
    finally:
        ledger.close()


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as mock:
        yield mock


def bad_text(n: int) -> str:
    return f"{MARKER} {article(n)}"


async def test_a_defect_while_summarising_is_that_records_error_line(
    tmp_path: Path, counting: CountingBackend, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    rows = [
        {"id": "ok-1", "text": article(1)},
        {"id": "bad", "text": bad_text(2)},
        {"id": "ok-2", "text": article(3)},
        {"id": "bad-copy", "text": bad_text(2)},  # the same text: waits for "bad", reuses
    ]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    pipeline = Defective(Settings(), {"offline": counting})

    counts = await run(pipeline, source, out, concurrency=4)

    by_id = {line["id"]: line for line in output_lines(out)}
    assert sorted(by_id) == ["bad", "bad-copy", "ok-1", "ok-2"]
    assert by_id["ok-1"]["status"] == by_id["ok-2"]["status"] == "ok"
    bad = by_id["bad"]
    assert (bad["status"], bad["reason"]) == ("error", "internal_error")
    assert bad["detail"] == "summarising failed unexpectedly (KeyError)"
    assert (by_id["bad-copy"]["reason"], by_id["bad-copy"]["duplicate_of"]) == (
        "internal_error",
        "bad",
    )
    assert (counts.ok, counts.failed) == (2, 2)
    logged = [r for r in caplog.records if r.getMessage() == "record failed: internal error"]
    assert [(r.record_id, r.error_type) for r in logged] == [("bad", "KeyError")]  # type: ignore[attr-defined]
    assert "test_defects.py" in logged[0].at  # type: ignore[attr-defined]
    assert MARKER not in caplog.text and "Police arrested" not in caplog.text

    again = await run(pipeline, source, out)  # resumed: the error line stands, nothing redone
    assert again.skipped == 4 and len(output_lines(out)) == 4


async def test_a_defect_in_the_checks_of_a_copy_fails_that_copy_only(
    tmp_path: Path, counting: CountingBackend
) -> None:
    text = article(5)
    rows = [
        {"id": "primary", "text": text},
        {"id": "reflowed", "text": f"{MARKER}\n" + text},  # a near-duplicate, re-grounded
        {"id": "after", "text": article(6)},
    ]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    pipeline = Defective(Settings(), {"offline": counting}, where="accept")

    counts = await run(pipeline, source, out, concurrency=1)

    by_id = {line["id"]: line for line in output_lines(out)}
    assert [by_id[rid]["status"] for rid in ("primary", "reflowed", "after")] == [
        "ok",
        "error",
        "ok",
    ]
    assert by_id["reflowed"]["reason"] == "internal_error"
    assert "IndexError" in by_id["reflowed"]["detail"]
    assert MARKER not in by_id["reflowed"]["detail"]
    assert counts.failed == 1


class Exploding:
    """A reader with a defect: it fails after its first record."""

    def read(self, path: Path) -> Iterator[Record | RecordError]:
        yield from list(JsonlReader(FieldMap()).read(path))[:1]
        raise TypeError(f"{MARKER} cannot be compared")


class Vanishing:
    """A reader whose file becomes unreadable after its first record."""

    def read(self, path: Path) -> Iterator[Record | RecordError]:
        yield from list(JsonlReader(FieldMap()).read(path))[:1]
        raise PermissionError(13, "Permission denied", str(path))


@pytest.mark.parametrize(
    ("reader", "reason", "detail"),
    [
        (Exploding(), "internal_error", "reading the file failed unexpectedly (TypeError)"),
        (Vanishing(), "unreadable", "cannot read the input after 1 record(s): Permission denied"),
    ],
)
def test_a_reader_that_fails_ends_its_file_with_one_error(
    tmp_path: Path, reader: Any, reason: str, detail: str, caplog: pytest.LogCaptureFixture
) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl", [{"id": "r1", "text": article(1)}, {"id": "r2", "text": bad_text(2)}]
    )
    items = list(read_safely(reader, source))
    assert [type(item).__name__ for item in items] == ["Record", "RecordError"]
    error = items[1]
    assert isinstance(error, RecordError)
    assert (error.id, error.reason) == ("at:in.jsonl", reason)
    assert error.detail.startswith(detail)
    assert MARKER not in caplog.text


def test_a_reader_defect_does_not_stop_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write_jsonl(tmp_path / "first.jsonl", [{"id": "a", "text": article(1)}])
    second = write_jsonl(tmp_path / "second.jsonl", [{"id": "b", "text": article(2)}])
    real_read = JsonlReader.read

    def read(self: JsonlReader, path: Path) -> Iterator[Record | RecordError]:
        if path.name == "first.jsonl":
            raise UnicodeError("a codec defect")
        return real_read(self, path)

    monkeypatch.setattr(JsonlReader, "read", read)
    out = tmp_path / "out.jsonl"
    code, _, stderr = invoke(str(first), str(second), "-o", str(out))
    assert code == 3, stderr
    lines = {line["id"]: line for line in output_lines(out)}
    assert lines["at:first.jsonl"]["reason"] == "internal_error"
    assert lines["b"]["status"] == "ok"


async def test_a_defect_on_the_synchronous_path_of_provider_batch_fails_that_record_only(
    tmp_path: Path, router: respx.MockRouter
) -> None:
    settings = llm_settings(model="llama3.1", base_url=OLLAMA, mode="json")
    router.post(f"{OLLAMA}/files").mock(return_value=httpx.Response(404, text="404 page"))
    body = fixture("ollama_openai_chat_completion.json")["body"]
    router.post(f"{OLLAMA}/chat/completions").mock(return_value=httpx.Response(200, json=body))
    data = [*provider_rows(3), {"id": "bad", "text": f"{MARKER} {provider_text(9)}"}]
    where = archive(tmp_path, data)
    backends = build_backends(settings)
    pipeline = Defective(settings, backends)
    ledger = Ledger.open(where.out, fingerprint(pipeline, None), resume=False, force=False)
    try:
        counts = await run_provider_batch(
            pipeline,
            ledger,
            JsonlReader(FieldMap()).read(where.source),
            RunOptions(concurrency=2),
            state_path=where.state,
            sleep=FakeSleep(),
        )
    finally:
        ledger.close()
        await close_backends(backends)
    lines = where.by_id()
    assert sorted(lines) == ["a0", "a1", "a2", "bad"]
    assert [lines[rid]["status"] for rid in ("a0", "a1", "a2")] == ["ok"] * 3
    assert (lines["bad"]["reason"], lines["bad"]["via"]) == ("internal_error", "sync-fallback")
    assert (counts.ok, counts.failed) == (3, 1)
