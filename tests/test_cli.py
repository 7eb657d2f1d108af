"""`summarizer summarize` prints the same JSON as the API; bad input exits 2 with a reason."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from service.cli import app
from tests.conftest import SAMPLE

runner = CliRunner()


def test_summarize_a_file_prints_the_summary_json() -> None:
    result = runner.invoke(
        app, ["summarize", str(SAMPLE), "--published-at", "2025-01-09", "--id", "mali-1"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["language"] == "fr"
    assert body["article"]["id"] == "mali-1"
    assert body["extraction"]["backend"] == "offline"
    assert body["events"], "the sample reports events"


def test_summarize_reads_standard_input() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    result = runner.invoke(app, ["summarize", "-", "--published-at", "2025-01-09"], input=text)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["article"]["length"] == len(text)


def test_bad_inputs_exit_2_with_a_reason(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    cases = {
        (str(empty),): "invalid article",
        (str(binary),): "not UTF-8",
        (str(tmp_path / "missing.txt"),): "cannot read",
        (str(SAMPLE), "--published-at", "hier"): "not an ISO 8601",
        (str(SAMPLE), "--backend", "nope"): "unknown backend",
    }
    for args, reason in cases.items():
        result = runner.invoke(app, ["summarize", *args])
        assert result.exit_code == 2, (args, result.output)
        assert reason in result.stderr, (args, result.stderr)
        assert result.stdout == ""
