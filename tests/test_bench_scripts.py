"""Benchmarks are not timed tests: this only checks that each script runs and reports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_startup_benchmark_runs_and_writes_its_result(tmp_path: Path) -> None:
    out = tmp_path / "startup.json"
    subprocess.run(
        [sys.executable, "bench/startup.py", "--runs", "1", "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=180,
    )
    result = json.loads(out.read_text())
    assert result["machine"]["cores"] >= 1
    assert set(result["median"]) >= {"ready_s", "idle_rss_mb", "rss_after_requests_mb"}
    assert result["median"]["idle_rss_mb"] > 0


def test_batch_memory_benchmark_runs_every_record_and_reports_peak_rss(tmp_path: Path) -> None:
    out = tmp_path / "batch-memory.json"
    subprocess.run(
        [sys.executable, "bench/batch_memory.py", "--sizes", "30", "60", "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=240,
    )
    result = json.loads(out.read_text())
    assert [run["records"] for run in result["runs"]] == [30, 60]
    assert all(run["peak_rss_mb"] > 0 and run["exit_code"] == 0 for run in result["runs"])
