"""Figures of the reliability scenarios, merged into bench/results/reliability.json.

`record(scenario, **figures)` writes only when UPDATE_RESULTS=1 is set, so that an
ordinary test run leaves the committed figures alone. The file keeps one entry per
scenario (the latest run replaces it) and the machine the figures were measured on.
"""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "reliability.json"


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }


def record(scenario: str, **figures: Any) -> bool:
    """Store `figures` under `scenario` when UPDATE_RESULTS=1; returns whether it wrote."""
    if os.environ.get("UPDATE_RESULTS") != "1":
        return False
    data: dict[str, Any] = {}
    if RESULTS.is_file():
        data = json.loads(RESULTS.read_text(encoding="utf-8"))
    scenarios = data.setdefault("scenarios", {})
    scenarios[scenario] = {
        **figures,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    data["machine"] = machine()
    data["scenarios"] = dict(sorted(scenarios.items()))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    tmp = RESULTS.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(RESULTS)
    return True
