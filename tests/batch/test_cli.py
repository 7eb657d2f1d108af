"""`summarizer batch`: data in the file, progress on stderr, exit codes 0 / 2 / 3."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from service.batch.cli import register
from service.batch.ledger import Ledger, state_path
from tests.batch.conftest import article, output_lines, write_jsonl

runner = CliRunner()


def make_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test app."""

    register(app)
    return app


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(make_app(), ["batch", *args])
    flat = " ".join(result.stderr.replace("│", " ").split())  # rich boxes wrap usage errors
    return result.exit_code, result.stdout, flat


def test_a_clean_archive_exits_0_with_data_only_in_the_file(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl", [{"id": f"r{i}", "text": article(i)} for i in range(3)]
    )
    out = tmp_path / "out.jsonl"
    code, stdout, stderr = invoke(str(source), "-o", str(out))
    assert code == 0, stderr
    assert stdout == ""
    assert "3 done, 0 failed" in stderr
    assert sorted(line["id"] for line in output_lines(out)) == ["r0", "r1", "r2"]
    assert json.loads(state_path(out).read_text())["fingerprint"]["schema_version"]


def test_failed_records_exit_3_and_resume_keeps_saying_so(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "ok", "text": article(1)}, b"{nope"])
    out = tmp_path / "out.jsonl"
    code, _, stderr = invoke(str(source), "-o", str(out))
    assert code == 3, stderr
    assert "1 done, 1 failed" in stderr
    code, _, stderr = invoke(str(source), "-o", str(out), "--resume")
    assert code == 3 and "2 skipped" in stderr
    assert len(output_lines(out)) == 2


def test_csv_and_txt_dir_inputs_in_one_run(tmp_path: Path) -> None:
    table = tmp_path / "in.csv"
    table.write_text(f'key,body\nk1,"{article(1)}"\n', encoding="utf-8")
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "one.txt").write_text(article(2), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, _, stderr = invoke(
        str(table), str(folder), "-o", str(out), "--text-field", "body", "--id-field", "key"
    )
    assert code == 0, stderr
    assert sorted(line["id"] for line in output_lines(out)) == ["k1", "one.txt"]


def test_limit_and_dry_run(tmp_path: Path) -> None:
    rows = [{"id": f"r{i}", "text": article(i % 2)} for i in range(4)]
    source = write_jsonl(tmp_path / "in.jsonl", [*rows, {"id": "blank", "text": " "}])
    out = tmp_path / "out.jsonl"
    code, _, stderr = invoke(str(source), "-o", str(out), "--dry-run")
    assert code == 3 and "5 read, 4 valid, 1 invalid, 2 duplicates" in stderr
    assert not out.exists()
    code, _, stderr = invoke(str(source), "-o", str(out), "--limit", "2")
    assert code == 0, stderr
    assert sorted(line["id"] for line in output_lines(out)) == ["r0", "r1"]


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": article(1)}])
    odd = tmp_path / "in.xml"
    odd.write_text("<x/>")
    out = tmp_path / "out.jsonl"
    cases = [
        ((str(tmp_path / "missing.jsonl"), "-o", str(out)), "does not exist"),
        ((str(odd), "-o", str(out)), "--input-format"),
        ((str(source), "-o", str(out), "--input-format", "parquet"), "jsonl"),
        ((str(source), "-o", str(out), "--backend", "nope"), "unknown backend"),
        ((str(source), "-o", str(out), "--concurrency", "0"), "concurrency"),
    ]
    for args, message in cases:
        code, stdout, stderr = invoke(*args)
        assert code == 2, (args, stderr)
        assert message in stderr, (args, stderr)
        assert stdout == ""
    assert not out.exists() or out.stat().st_size == 0


def test_existing_output_and_foreign_fingerprint_exit_2(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": article(1)}])
    out = tmp_path / "out.jsonl"
    assert invoke(str(source), "-o", str(out))[0] == 0
    code, _, stderr = invoke(str(source), "-o", str(out))
    assert code == 2 and "--resume" in stderr
    state = state_path(out)
    body = json.loads(state.read_text())
    body["fingerprint"]["schema_version"] = "0.9.0"
    state.write_text(json.dumps(body))
    code, _, stderr = invoke(str(source), "-o", str(out), "--resume")
    assert code == 2 and "schema_version" in stderr
    assert invoke(str(source), "-o", str(out), "--resume", "--force")[0] == 0


def test_a_write_failure_is_a_crash_exit_1_and_resume_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [{"id": f"r{i}", "text": article(i)} for i in range(3)]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    real_append = Ledger.append

    def disk_full(self: Ledger, line: dict[str, Any]) -> int:
        if self.handle.tell() > 0:
            raise OSError(28, "No space left on device")
        return real_append(self, line)

    monkeypatch.setattr(Ledger, "append", disk_full)
    code, stdout, stderr = invoke(str(source), "-o", str(out), "--concurrency", "1")
    assert code == 1 and "No space left on device" in stderr and stdout == ""
    assert len(output_lines(out)) == 1
    monkeypatch.setattr(Ledger, "append", real_append)
    out.write_bytes(out.read_bytes() + b'{"id": "r')  # and a torn line, as after a kill
    code, _, stderr = invoke(str(source), "-o", str(out), "--resume")
    assert code == 0 and "torn" in stderr and "1 skipped" in stderr
    assert sorted(line["id"] for line in output_lines(out)) == ["r0", "r1", "r2"]
