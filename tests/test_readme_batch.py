"""The README's worked batch example is what the command prints and writes: kept true here.

`UPDATE_GOLDEN=1` rewrites the README blocks after a deliberate change.
"""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from service.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
ARCHIVE = ROOT / "examples" / "wire-archive.jsonl"
CSV_COLUMNS = [
    "article_id", "status", "error_reason", "event_type", "sub_event_type", "event_date",
    "location", "country_code", "fatalities", "injured", "captured_or_arrested", "neutralised",
    "claimed_by", "grounded",
]  # fmt: skip


def block(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"(<!-- {name}:start -->\n```[a-z]*\n)(.*?)(\n```\n<!-- {name}:end -->)", re.DOTALL
    )


def abridged(line: dict[str, Any]) -> dict[str, Any]:
    """What `jq` shows of an output line in the README: the record's fate and its events."""
    keep = ("id", "status", "duplicate_of", "near_duplicate_of", "similarity", "reason")
    view = {key: line[key] for key in keep if key in line}
    summary = line.get("summary")
    if summary is not None:
        view["events"] = [
            {
                "type": event["sub_event_type"],
                "date": (event.get("when") or {}).get("date"),
                "place": (event.get("where") or {}).get("name"),
                "figures": [f"{f['kind']} {f.get('value')}" for f in event.get("figures", [])],
            }
            for event in summary["events"]
        ]
    return view


def run_example(tmp_path: Path) -> tuple[str, str, str]:
    """Run the README's command; return its stderr summary, abridged output and CSV view."""
    out = tmp_path / "events.jsonl"
    args = ["batch", str(ARCHIVE), "-o", str(out), "--concurrency", "1", "--output-format", "csv"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 3, result.stderr  # the blank brief is a failed record
    lines = [json.loads(raw) for raw in out.read_text(encoding="utf-8").splitlines()]
    shown = "\n".join(json.dumps(abridged(line), ensure_ascii=False) for line in lines)
    with out.with_suffix(".csv").open(encoding="utf-8", newline="") as handle:
        rows = [[row[column] for column in CSV_COLUMNS] for row in csv.DictReader(handle)]
    table = "\n".join(",".join(_cell(c) for c in row) for row in [CSV_COLUMNS, *rows])
    finished = [line for line in result.stderr.splitlines() if line.startswith("batch finished")]
    summary = re.sub(r" in \d+:\d\d:\d\d;", " in 0:00:02;", finished[0])
    summary = summary.replace(str(out), "events.jsonl")
    return summary, shown, table


def _cell(value: str) -> str:
    return f'"{value}"' if "," in value or '"' in value else value


def test_readme_batch_example_is_what_the_command_writes(tmp_path: Path) -> None:
    summary, shown, table = run_example(tmp_path)
    readme = README.read_text(encoding="utf-8")
    views = {"batch-stderr": summary, "batch-output": shown, "batch-csv": table}
    if os.environ.get("UPDATE_GOLDEN") == "1":
        for name, text in views.items():
            readme = block(name).sub(lambda m, t=text: m.group(1) + t + m.group(3), readme)
        README.write_text(readme, encoding="utf-8")
    for name, text in views.items():
        match = block(name).search(readme)
        assert match, f"README lacks the {name} block"
        assert match.group(2) == text, f"README block {name} is out of date"
