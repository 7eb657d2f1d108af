"""`summarizer batch --mode provider-batch` and `--output-format`, through the command line."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyarrow.parquet as pq
import pytest
import respx

from tests.backends import SECRET
from tests.batch.conftest import article, output_lines, write_jsonl
from tests.batch.test_cli import invoke
from tests.batch.test_provider_batch import rows
from tests.batch.test_provider_fakes import OPENAI, FakeOpenAIBatches, answered, chat_completion


@pytest.fixture
def openai_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    """An OpenAI backend named 'llm', configured through the environment as a user would."""
    backend = {"kind": "openai", "model": "gpt-4o", "retry": {"max_attempts": 1}}
    monkeypatch.setenv("SUMMARIZER_BACKENDS", json.dumps({"llm": backend}))
    monkeypatch.setenv("SUMMARIZER_CHAIN", '["llm"]')
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as mock:
        yield mock


@pytest.mark.usefixtures("openai_backend")
def test_provider_batch_submits_then_a_later_call_collects(
    tmp_path: Path, router: respx.MockRouter
) -> None:
    fake = FakeOpenAIBatches(router)
    sync = router.post(f"{OPENAI}/chat/completions").mock(
        return_value=httpx.Response(200, json=chat_completion())
    )
    source, out = write_jsonl(tmp_path / "in.jsonl", rows(3)), tmp_path / "out.jsonl"
    args = (str(source), "-o", str(out), "--mode", "provider-batch")

    code, _, stderr = invoke(*args, "--no-wait")
    assert code == 0, stderr
    (batch_id,) = fake.batches
    assert batch_id in stderr and "run the same command again" in stderr
    assert not out.exists() or output_lines(out) == []

    fake.finish(batch_id, lambda _cid, _body: answered(chat_completion()))
    code, _, stderr = invoke(*args, "--resume", "--output-format", "csv")
    assert code == 0, stderr
    lines = output_lines(out)
    assert sorted(line["id"] for line in lines) == ["a0", "a1", "a2"]
    assert {line["via"] for line in lines} == {"provider-batch"}
    assert sync.call_count == 0
    with out.with_suffix(".csv").open(encoding="utf-8", newline="") as handle:
        assert {row["article_id"] for row in csv.DictReader(handle)} == {"a0", "a1", "a2"}


def test_provider_batch_with_the_offline_backend_is_a_usage_error(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "r1", "text": article(1)}])
    code, _, stderr = invoke(
        str(source), "-o", str(tmp_path / "o.jsonl"), "--mode", "provider-batch"
    )
    assert code == 2
    assert "batch API" in stderr


def test_output_format_writes_the_flat_table_next_to_the_output(tmp_path: Path) -> None:
    data = [{"id": f"r{i}", "text": article(i)} for i in range(3)]
    source = write_jsonl(tmp_path / "in.jsonl", [*data, b"{broken"])
    out = tmp_path / "out.jsonl"
    code, _, stderr = invoke(str(source), "-o", str(out), "--output-format", "parquet")
    assert code == 3, stderr  # the broken line is a failed record; the export still happens
    table = pq.read_table(out.with_suffix(".parquet"))
    ids = set(table.column("article_id").to_pylist())
    assert ids == {line["id"] for line in output_lines(out)}
    assert len(ids) == 4 and "exported" in stderr


@pytest.mark.parametrize(
    ("option", "value"), [("--mode", "overnight"), ("--output-format", "xlsx")]
)
def test_unknown_mode_or_table_format_is_a_usage_error(
    tmp_path: Path, option: str, value: str
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "r1", "text": article(1)}])
    code, _, stderr = invoke(str(source), "-o", str(tmp_path / "o.jsonl"), option, value)
    assert code == 2
    assert option in stderr


@pytest.mark.parametrize(
    "limits",
    [("--max-tokens", "1000"), ("--max-cost", "0.5"), ("--max-rpm", "60"), ("--max-tpm", "9000")],
)
@pytest.mark.usefixtures("openai_backend")
def test_provider_batch_refuses_the_limits_it_cannot_apply(
    tmp_path: Path, router: respx.MockRouter, limits: tuple[str, str]
) -> None:
    fake = FakeOpenAIBatches(router)
    source, out = write_jsonl(tmp_path / "in.jsonl", rows(2)), tmp_path / "out.jsonl"
    args = (str(source), "-o", str(out), "--mode", "provider-batch", "--no-wait")
    code, stdout, stderr = invoke(*args, *limits)
    assert code == 2, stderr
    assert f"--mode provider-batch cannot apply {limits[0]}" in stderr
    assert "--mode sync" in stderr and stdout == ""
    assert not fake.batches and not out.exists()
