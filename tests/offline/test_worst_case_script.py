"""The worst-case benchmark script runs (tiny sizes) and writes its report (no timings asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "offline_worst_case.py"


def test_quick_run_writes_every_case_with_its_timings(tmp_path: Path) -> None:
    out = tmp_path / "offline-worst-case.json"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(out.read_text(encoding="utf-8"))
    assert {"what", "command", "date", "quick", "repeats", "machine", "results"} <= set(report)
    assert report["quick"] is True and report["repeats"] == 1
    assert report["machine"]["cores"] >= 1 and report["machine"]["python"]
    cases = {row["case"]: row for row in report["results"]}
    assert {"whitespace-200", "whitespace-400", "killed-x10", "killed-x20"} <= set(cases)
    for row in cases.values():
        assert {"case", "input", "chars", "events", "runs_s", "median_s", "min_s"} <= set(row)
        assert len(row["runs_s"]) == 1 and row["median_s"] >= 0 and row["chars"] > 0
    assert "median s" in done.stdout and "whitespace-400" in done.stdout
