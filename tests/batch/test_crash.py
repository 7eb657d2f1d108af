"""A batch killed with SIGKILL at random moments while it writes, and resumed, ends with every
id exactly once: no duplicate, none missing."""

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
KILLS = 5
POLL_S = 0.005
START_TIMEOUT_S = 90.0


def start(source: Path, out: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", APP, "batch", str(source), "-o", str(out), "--resume"]
    return subprocess.Popen(
        [*command, "--concurrency", "4"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def written(out: Path) -> int:
    """Whole lines in the output so far."""
    try:
        return out.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def kill_once_grown(process: subprocess.Popen[bytes], out: Path, target: int) -> bool:
    """SIGKILL the run as soon as the output holds `target` lines; False if it ended first."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while process.poll() is None and time.monotonic() < deadline:
        if written(out) >= target:
            process.kill()
            process.wait(timeout=60)
            return True
        time.sleep(POLL_S)
    process.kill()
    process.wait(timeout=60)
    return False


@pytest.mark.slow
def test_sigkill_while_the_output_is_written_then_resume(tmp_path: Path) -> None:
    rows = [{"id": f"r{i}", "text": article(i % 100)} for i in range(RECORDS)]
    wire = [STORY, CHANGED_FIRST_LINE, UPDATE, NEW_BYLINE]
    for n, text in enumerate(wire):  # near-duplicates spread over the run
        rows.insert(n * 30, {"id": f"w{n}", "text": text})
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    rng = random.Random(3)
    interrupted = []  # (lines before the run, lines when killed) of each kill mid-output
    for _ in range(KILLS):
        before = written(out)
        process = start(source, out)
        if kill_once_grown(process, out, before + rng.randint(3, 20)):
            interrupted.append((before, written(out)))
    final = start(source, out)
    assert final.wait(timeout=120) == 0
    # Every kill fell while records were being written: the output had grown in that run
    # and was not complete.
    assert len(interrupted) >= KILLS - 1, interrupted
    assert all(before < at < len(rows) for before, at in interrupted), interrupted
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    ids = Counter(line["id"] for line in lines)
    assert set(ids) == {f"r{i}" for i in range(RECORDS)} | {f"w{n}" for n in range(len(wire))}
    assert max(ids.values()) == 1
    # However the kills fell, the wire story was summarised once and reused by its copies.
    near = {line["id"]: line.get("near_duplicate_of") for line in lines if line["id"][0] == "w"}
    assert near == {"w0": None, "w1": "w0", "w2": "w0", "w3": "w0"}
