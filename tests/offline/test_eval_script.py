"""The CASE evaluation script runs end to end on a few rows (the score is not asserted)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "eval_case.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_case", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_eval_script_writes_scores_for_the_first_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = load_script()
    if not module.DATA.exists():
        pytest.skip(f"evaluation data not present: {module.DATA}")
    output = tmp_path / "case.json"
    assert module.main(["--limit", "20", "--output", str(output)]) == 0
    report = json.loads(output.read_text(encoding="utf-8"))
    assert report["n"] == 20
    assert 0.0 <= report["accuracy"] <= 1.0 and 0.0 <= report["macro_f1"] <= 1.0
    assert sum(row["support"] for row in report["per_label"].values()) == 20
    assert {"platform", "python", "cpus"} <= set(report["machine"])
    assert "accuracy" in capsys.readouterr().out
