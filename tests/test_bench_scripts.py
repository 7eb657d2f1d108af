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
