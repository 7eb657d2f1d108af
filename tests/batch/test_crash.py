"""A batch killed with SIGKILL at random moments and resumed ends with every id exactly once."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.batch.conftest import article, write_jsonl
from tests.batch.test_neardup import CHANGED_FIRST_LINE, NEW_BYLINE, STORY, UPDATE

ROOT = Path(__file__).resolve().parents[2]
APP = (
    "import typer\n"
    "from service.batch.cli import register\n"
    "app = typer.Typer()\n"
    "app.callback()(lambda: None)\n"
    "register(app)\n"
    "app()\n"
)
RECORDS = 120


def start(source: Path, out: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", APP, "batch", str(source), "-o", str(out), "--resume"]
    return subprocess.Popen(
        [*command, "--concurrency", "4"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.slow
def test_sigkill_at_random_moments_then_resume(tmp_path: Path) -> None:
    rows = [{"id": f"r{i}", "text": article(i % 100)} for i in range(RECORDS)]
    wire = [STORY, CHANGED_FIRST_LINE, UPDATE, NEW_BYLINE]
    for n, text in enumerate(wire):  # near-duplicates spread over the run
        rows.insert(n * 30, {"id": f"w{n}", "text": text})
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    rng = random.Random(3)
    kills = 0
    for _ in range(4):
        process = start(source, out)
        time.sleep(rng.uniform(0.8, 3.0))
        if process.poll() is None:
            process.kill()
            kills += 1
        process.wait(timeout=60)
    final = start(source, out)
    assert final.wait(timeout=120) == 0
    assert kills >= 1
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    ids = Counter(line["id"] for line in lines)
    assert set(ids) == {f"r{i}" for i in range(RECORDS)} | {f"w{n}" for n in range(len(wire))}
    assert max(ids.values()) == 1
    # However the kills fell, the wire story was summarised once and reused by its copies.
    near = {line["id"]: line.get("near_duplicate_of") for line in lines if line["id"][0] == "w"}
    assert near == {"w0": None, "w1": "w0", "w2": "w0", "w3": "w0"}
