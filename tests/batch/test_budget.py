"""Run-wide budgets: stop dispatching once spent, write what is in flight, resume goes on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from typer.testing import CliRunner

from service.config import BackendConfig, Settings
from service.pipeline import Pipeline
from tests.backends import fixture
from tests.batch.conftest import article, output_lines, write_jsonl
from tests.batch.test_cli import make_app
from tests.batch.test_runner import run
from tests.support.fakes import ScriptedBackend, draft, invalid

OPENAI_URL = "https://api.openai.com/v1/chat/completions"
ROWS: list[dict[str, Any] | bytes] = [{"id": f"r{i}", "text": article(i)} for i in range(6)]
IDS = [f"r{i}" for i in range(6)]


def priced(backend: ScriptedBackend, **prices: float) -> Pipeline:
    """A pipeline over a scripted LLM-like backend (100 in + 50 out tokens per call)."""
    config = BackendConfig(kind="openai", model=backend.model, base_url="http://127.0.0.1:9/v1",
                           **prices)  # fmt: skip
    settings = Settings(backends={"scripted": config}, chain=["scripted"], max_attempts=1)
    return Pipeline(settings, {"scripted": backend})  # type: ignore[dict-item]


async def test_a_token_budget_stops_new_records_and_resume_goes_on(tmp_path: Path) -> None:
    backend = ScriptedBackend([draft()])
    pipeline = priced(backend)
    source = write_jsonl(tmp_path / "in.jsonl", ROWS)
    out = tmp_path / "out.jsonl"
    counts = await run(pipeline, source, out, concurrency=1, max_tokens=400)
    assert counts.budget_reached and counts.tokens == 450  # three records of 150
    assert [line["id"] for line in output_lines(out)] == IDS[:3]
    # The budget is per run: what earlier runs spent is not counted again.
    counts = await run(pipeline, source, out, resume=True, concurrency=1, max_tokens=400)
    assert counts.skipped == 3 and counts.tokens == 450
    assert not counts.budget_reached  # the input ended with the budget
    ids = Counter(line["id"] for line in output_lines(out))
    assert sorted(ids) == IDS and max(ids.values()) == 1
    assert len(backend.requests) == 6


async def test_records_in_flight_when_the_budget_is_reached_are_written(tmp_path: Path) -> None:
    pipeline = priced(ScriptedBackend([0.01]))  # each call takes a moment
    source = write_jsonl(tmp_path / "in.jsonl", ROWS)
    out = tmp_path / "out.jsonl"
    counts = await run(pipeline, source, out, concurrency=3, max_tokens=1)
    lines = output_lines(out)
    assert counts.budget_reached
    assert sorted(line["id"] for line in lines) == IDS[:3]
    assert {line["status"] for line in lines} == {"ok"}


async def test_a_cost_budget_uses_the_configured_prices(tmp_path: Path) -> None:
    pipeline = priced(ScriptedBackend([draft()]), input_usd_per_mtok=2.0, output_usd_per_mtok=8.0)
    source = write_jsonl(tmp_path / "in.jsonl", ROWS)
    out = tmp_path / "out.jsonl"
    counts = await run(pipeline, source, out, concurrency=1, max_cost=0.001)
    assert counts.budget_reached and len(output_lines(out)) == 2
    assert counts.cost_usd == pytest.approx(2 * (100 * 2.0 + 50 * 8.0) / 1e6)


async def test_tokens_of_failed_extractions_count_too(tmp_path: Path) -> None:
    pipeline = priced(ScriptedBackend([invalid(["headline: too long"])]))
    source = write_jsonl(tmp_path / "in.jsonl", ROWS)
    out = tmp_path / "out.jsonl"
    counts = await run(pipeline, source, out, concurrency=1, max_tokens=150)
    lines = output_lines(out)
    assert counts.budget_reached and counts.tokens == 200  # two failures of 80 + 20
    assert [line["reason"] for line in lines] == ["invalid_output", "invalid_output"]


async def test_duplicates_cost_nothing(tmp_path: Path) -> None:
    backend = ScriptedBackend([draft()])
    rows: list[dict[str, Any] | bytes] = [{"id": f"c{i}", "text": article(1)} for i in range(4)]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    counts = await run(priced(backend), source, out, concurrency=1, max_tokens=10_000)
    assert counts.tokens == 150 and counts.duplicates == 3 and len(backend.requests) == 1


# --- the command line, over a fake of the OpenAI API ---


@pytest.fixture
def gpt_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Settings naming one OpenAI backend, through a TOML file."""
    path = tmp_path / "summarizer.toml"
    path.write_text(
        'chain = ["gpt"]\nmax_attempts = 1\n\n[backends.gpt]\nkind = "openai"\n'
        'model = "gpt-4o"\ninput_usd_per_mtok = 2.5\noutput_usd_per_mtok = 10.0\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("SUMMARIZER_CONFIG_FILE", str(path))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-budget")
    yield path


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(make_app(), ["batch", *args])
    return result.exit_code, " ".join(result.stderr.replace("│", " ").split())


@pytest.mark.usefixtures("gpt_config")
def test_the_command_exits_4_when_the_budget_is_reached_then_resumes(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", ROWS)
    out = tmp_path / "out.jsonl"
    reply = httpx.Response(200, json=fixture("openai_chat_completion_tool_calls.json"))
    with respx.mock:
        route = respx.post(OPENAI_URL).mock(return_value=reply)
        code, stderr = invoke(str(source), "-o", str(out), "--concurrency", "1",
                              "--max-tokens", "5000")  # fmt: skip
        assert code == 4, stderr
        assert route.call_count == 3  # 2,255 tokens a call (1,843 in, 412 out)
        assert "budget reached: 6,765 tokens (5,529 in, 1,236 out), $0.0262 spent" in stderr
        assert "rerun with --resume (and a larger budget) to continue" in stderr
        assert len(output_lines(out)) == 3
        code, stderr = invoke(str(source), "-o", str(out), "--resume", "--max-cost", "1")
        assert code == 0, stderr
        assert route.call_count == 6 and "3 skipped" in stderr
    ids = Counter(line["id"] for line in output_lines(out))
    assert sorted(ids) == IDS and max(ids.values()) == 1


def test_max_cost_without_prices_is_a_usage_error(tmp_path: Path, gpt_config: Path) -> None:
    gpt_config.write_text(
        'chain = ["gpt"]\n\n[backends.gpt]\nkind = "openai"\nmodel = "gpt-4o"\n', encoding="utf-8"
    )
    source = write_jsonl(tmp_path / "in.jsonl", ROWS)
    out = tmp_path / "out.jsonl"
    code, stderr = invoke(str(source), "-o", str(out), "--max-cost", "0.5")
    assert code == 2
    assert "--max-cost needs prices" in stderr and "gpt" in stderr
    assert not out.exists()
    code, stderr = invoke(str(source), "-o", str(out), "--max-cost", "0.5", "--backend", "offline")
    assert code == 0, stderr  # the offline backend is free


async def test_tokens_spent_on_a_backend_that_failed_before_the_fallback_count(
    tmp_path: Path,
) -> None:
    broken = ScriptedBackend([invalid(["headline: too long"])], name="broken")
    answering = ScriptedBackend([draft()], name="answering")
    configs = {
        name: BackendConfig(kind="openai", model="m", base_url="http://127.0.0.1:9/v1")
        for name in ("broken", "answering")
    }
    settings = Settings(backends=configs, chain=["broken", "answering"], max_attempts=1)
    pipeline = Pipeline(settings, {"broken": broken, "answering": answering})  # type: ignore[dict-item]
    source = write_jsonl(tmp_path / "in.jsonl", ROWS[:2])
    counts = await run(pipeline, source, tmp_path / "out.jsonl", concurrency=1, max_tokens=10**6)
    assert counts.ok == 2
    assert counts.tokens == 2 * (150 + 100)  # each record: the answer plus the failed try
