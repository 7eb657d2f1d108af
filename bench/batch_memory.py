"""Peak memory of `summarizer batch` as the archive grows: it must not grow with the archive.

Generates JSONL archives of distinct short news texts (seeded, with some exact and
near-duplicate wire copies among them), runs the real `summarizer batch` command on
each with the offline backend, samples the process's resident memory as it works,
and writes bench/results/batch-memory.json: peak RSS per archive size, records per
second, and the memory slope over the largest run (MB per 10,000 records, fitted on
the samples after the first tenth).
Usage: python bench/batch_memory.py [--sizes 1000 10000 100000] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_EVERY_S = 0.5

CITIES = ["Lyon", "Nairobi", "Lima", "Dhaka", "Kyiv", "Bamako", "Manila", "Quito", "Tunis"]
ACTORS = ["Police", "Soldiers", "Gunmen", "Protesters", "Rebels", "Militiamen", "Students"]
VERBS = ["clashed with", "attacked", "marched against", "detained", "dispersed", "fired on"]
TARGETS = ["farmers", "a convoy", "traders", "residents", "a patrol", "workers", "villagers"]
SOURCES = ["the interior ministry said", "witnesses said", "a local official said"]
FILLER = [
    "Shops stayed closed for most of the day",
    "Roads into the centre were blocked",
    "The authorities announced an inquiry",
    "Hospitals asked for blood donations",
    "Schools in the district were shut",
    "Talks between the two sides broke down",
    "A curfew was imposed from dusk",
    "Residents said the area had been tense for weeks",
]


def story(rng: random.Random) -> str:
    """A distinct short report: actors, place, toll, source and two filler sentences."""
    city, actor = rng.choice(CITIES), rng.choice(ACTORS)
    day = date(2020, 1, 1) + timedelta(days=rng.randrange(1500))
    first = (
        f"{actor} {rng.choice(VERBS)} {rng.choice(TARGETS)} in {city} on "
        f"{day:%d %B %Y}, {rng.choice(SOURCES)}."
    )
    toll = f"At least {rng.randrange(1, 90)} people were killed and {rng.randrange(90)} injured."
    extra = ". ".join(rng.sample(FILLER, 3))
    return f"{first} {toll} {extra}. Reference {rng.getrandbits(48):x}."


def records(size: int, seed: int) -> Iterator[dict[str, str]]:
    """`size` input rows: ~90% distinct, ~5% exact copies, ~5% copies with a new first line."""
    rng = random.Random(seed)
    recent: list[str] = []
    for n in range(size):
        roll = rng.random()
        if recent and roll < 0.05:
            text = rng.choice(recent)
        elif recent and roll < 0.10:
            text = "UPDATE: adds detail. " + rng.choice(recent)
        else:
            text = story(rng)
            recent = [*recent[-99:], text]
        yield {"id": f"rec-{n:07d}", "text": text, "published_at": "2025-01-09"}


def write_archive(path: Path, size: int, seed: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in records(size, seed):
            handle.write(json.dumps(row) + "\n")


def status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a live process, in kB."""
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def count_lines(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def one_run(size: int, seed: int, concurrency: int, workdir: Path) -> dict[str, object]:
    archive, output = workdir / f"archive-{size}.jsonl", workdir / f"out-{size}.jsonl"
    write_archive(archive, size, seed)
    command = [
        *(sys.executable, "-m", "service.cli", "batch", str(archive)),
        *("-o", str(output), "--concurrency", str(concurrency)),
    ]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    samples: list[tuple[int, float]] = []
    peak_kb = 0
    next_count = time.perf_counter()
    while process.poll() is None:
        try:
            now = status(process.pid)
        except (FileNotFoundError, ProcessLookupError):
            break
        peak_kb = max(peak_kb, now.get("VmHWM", 0))
        if time.perf_counter() >= next_count:  # counting output lines costs a read: not too often
            samples.append((count_lines(output), now.get("VmRSS", 0) / 1024))
            next_count = time.perf_counter() + max(SAMPLE_EVERY_S, len(samples) * 0.05)
        time.sleep(SAMPLE_EVERY_S / 5)
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    if process.returncode not in (0, 3):
        raise RuntimeError(f"batch exited {process.returncode}: {stderr.decode()[-500:]}")
    lines = count_lines(output)
    if lines != size:
        raise RuntimeError(f"{size} records in, {lines} output lines")
    return {
        "records": size,
        "exit_code": process.returncode,
        "elapsed_s": round(elapsed, 1),
        "records_per_s": round(size / elapsed, 1),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "samples": [(done, round(rss, 1)) for done, rss in samples],
    }


def slope_mb_per_10k(samples: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of RSS over records done, after the first tenth of the run."""
    if not samples:
        return None
    last = samples[-1][0]
    kept = [(done, rss) for done, rss in samples if done >= last / 10]
    if len(kept) < 3 or len({done for done, _ in kept}) < 2:
        return None
    slope, _ = statistics.linear_regression([d for d, _ in kept], [r for _, r in kept])
    return round(slope * 10_000, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "batch-memory.json"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="batch-memory-") as tmp:
        runs = [one_run(size, args.seed, args.concurrency, Path(tmp)) for size in args.sizes]
    largest = runs[-1]
    samples = largest["samples"]
    assert isinstance(samples, list)
    result = {
        "what": "summarizer batch, offline backend: peak RSS by archive size",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "date": date.today().isoformat(),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "packages": {p: metadata.version(p) for p in ("pydantic", "datasketch")},
        },
        "archive": "seeded short reports; ~5% exact copies, ~5% copies with a new first line",
        "runs": [{k: v for k, v in run.items() if k != "samples"} for run in runs],
        "largest_run_rss_samples": samples,
        "largest_run_mb_per_10k_records": slope_mb_per_10k(samples),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    summary = {"runs": result["runs"], "mb_per_10k": result["largest_run_mb_per_10k_records"]}
    print(json.dumps(summary, indent=2))  # noqa: T201 - a benchmark's report


if __name__ == "__main__":
    main()
