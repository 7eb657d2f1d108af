"""`summarizer batch`: data in the file, progress on stderr, exit codes 0 / 2 / 3."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from service.batch.cli import register
from service.batch.command import (
    Eta,
    InputPosition,
    ProgressDisplay,
    progress_line,
    records_of,
)
from service.batch.ledger import Ledger, state_path
from service.batch.readers import FieldMap
from service.batch.runner import Counts
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


def test_retry_failed_redoes_error_lines_and_needs_resume(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "ok", "text": article(1)}, b"{nope"])
    out = tmp_path / "out.jsonl"
    assert invoke(str(source), "-o", str(out))[0] == 3
    code, _, stderr = invoke(str(source), "-o", str(out), "--retry-failed")
    assert code == 2 and "--resume" in stderr
    code, _, stderr = invoke(str(source), "-o", str(out), "--resume", "--retry-failed")
    assert code == 3, stderr  # the broken line fails again, and says so once
    assert "retry: removed 1 error line(s)" in stderr and "1 skipped, 0 duplicates" in stderr
    lines = output_lines(out)
    assert sorted(line["id"] for line in lines) == ["at:in.jsonl:2", "ok"]


def test_help_documents_the_exit_codes_and_the_per_run_budget() -> None:
    result = runner.invoke(make_app(), ["batch", "--help"])
    text = " ".join(result.stdout.replace("│", " ").split())
    assert "4 budget reached: rerun with --resume" in text
    assert "not earlier runs" in text and "--max-cost" in text and "--retry-failed" in text


def test_the_final_line_says_what_was_done_and_spent(tmp_path: Path) -> None:
    rows = [{"id": "a", "text": article(1)}, {"id": "b", "text": article(1)}]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    code, _, stderr = invoke(str(source), "-o", str(out))
    assert code == 0, stderr
    assert (
        "batch finished: 2 read, 2 done, 0 failed, 0 skipped, 1 duplicates, 0 near-duplicates, "
        "0 similar in 0:00:0"
    ) in stderr
    assert "0 tokens (0 in, 0 out), $0.0000 spent" in stderr


def test_the_position_follows_offsets_lines_and_files(tmp_path: Path) -> None:
    jsonl = write_jsonl(
        tmp_path / "in.jsonl", [{"id": f"r{i}", "text": article(i)} for i in range(4)]
    )
    table = tmp_path / "in.csv"
    table.write_text("id,text\n" + "".join(f"c{i},{article(i)}\n" for i in range(4)))
    folder = tmp_path / "texts"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(article(1) + name, encoding="utf-8")
    plan = [(jsonl, "jsonl"), (table, "csv"), (folder, "txt-dir")]
    position = InputPosition(plan)
    sizes = [jsonl.stat().st_size, table.stat().st_size, 2 * (folder / "a.txt").stat().st_size]
    assert position.total == sum(sizes)
    seen = []
    for item in position.track(records_of(plan, FieldMap())):
        seen.append((item.id, position.consumed))
    starts = [0, *(len(line) for line in jsonl.read_bytes().splitlines(keepends=True))]
    assert [at for _, at in seen[:4]] == [sum(starts[: i + 1]) for i in range(4)]
    per_line = sizes[1] / 5  # the CSV: 5 lines, records on lines 2 to 5
    assert [at for _, at in seen[4:8]] == [sizes[0] + round(n * per_line) for n in (2, 3, 4, 5)]
    assert [at for _, at in seen[8:]] == [sizes[0] + sizes[1] + sizes[2] // 2, sum(sizes)]


def test_the_eta_counts_from_the_first_record_that_needed_work() -> None:
    now = [0.0]
    eta = Eta(total=10_000, clock=lambda: now[0])
    assert eta.update(4_000, working=False) is None  # skipping what a resumed run has
    now[0] = 1.0
    assert eta.update(5_000, working=True) is None  # the clock starts here
    now[0] = 11.0
    assert eta.update(6_000, working=True) == pytest.approx(40.0)  # 1,000 B in 10 s
    counts = Counts(read=12, ok=9, failed=1, skipped=2, duplicates=3, near_duplicates=1)
    line = progress_line(counts, elapsed=5.0, left=3725.0)
    assert line == (
        "ETA 1:02:05 · 2.0 rec/s · 9 done, 1 failed, 2 skipped, 3 duplicates, 1 near-duplicates"
    )
    assert progress_line(counts, elapsed=5.0, left=None).startswith("ETA -- ·")
    assert progress_line(counts, elapsed=5.0, left=10, share=0.374).startswith("37% · ETA 0:00:10")


def test_resuming_with_the_input_named_another_way_writes_nothing_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    rows = [b"{torn", {"text": article(1)}, {"id": "r2", "text": "  "}, {"text": article(2)}]
    write_jsonl(tmp_path / "in.jsonl", rows)
    code, _, stderr = invoke("in.jsonl", "-o", "out.jsonl")
    assert code == 3, stderr
    first = output_lines(tmp_path / "out.jsonl")
    assert "at:in.jsonl:1" in {line["id"] for line in first}
    for named in ("./in.jsonl", str(tmp_path / "in.jsonl"), "../" + tmp_path.name + "/in.jsonl"):
        code, _, stderr = invoke(named, "-o", "out.jsonl", "--resume")
        assert code == 3 and "4 skipped" in stderr, (named, stderr)
    assert output_lines(tmp_path / "out.jsonl") == first
    assert first[0]["locator"] == "in.jsonl:1"  # the locator keeps the path as given


def test_the_progress_bar_renders_on_a_terminal_and_stays_off_elsewhere(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl", [{"id": f"r{i}", "text": article(i)} for i in range(4)]
    )
    plan = [(source, "jsonl")]
    screens = []
    for terminal in (True, False):
        screen = io.StringIO()
        console = Console(file=screen, force_terminal=terminal, width=120)
        position = InputPosition(plan)
        with ProgressDisplay(console, position) as display:
            for item in position.track(records_of(plan, FieldMap())):
                display.update(Counts(read=1, ok=1) if item.id == "r0" else Counts(ok=2))
        screens.append(screen.getvalue())
    shown = screens[0]
    assert "━" in shown  # the bar
    assert "75% · ETA" in shown and "rec/s" in shown and "2 done" in shown
    assert screens[1] == ""  # not a terminal: nothing on stderr but the final summary
