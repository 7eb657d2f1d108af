"""Batch throughput against its limit: `summarizer batch` with an LLM of fixed latency.

The fake LLM server (its own process) answers every request after a fixed latency
(200 ms) with one valid draft; each generated article is distinct (no duplicate to
reuse) and carries the sentence that draft quotes, so every record must cost exactly
one call. The real `summarizer batch` command runs with an 'openai' backend pointed at
the fake (SUMMARIZER_BACKENDS / SUMMARIZER_CHAIN, a dummy key) at each concurrency.

Articles per second are counted at the fake, from the first request's arrival to the
last answer (start-up excluded), and compared with the ideal `concurrency / latency`.
CPU use of the batch process and of the fake over that window shows where the
machine's CPU becomes the limit: the batch's CPU time per article gives the highest
rate one core allows, and so the concurrency beyond which the ideal is out of reach.
Writes bench/results/throughput.json and throughput.png.
Usage: python bench/throughput.py [--articles 2000] [--concurrency 8 32 128] [--quick]
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _common import (
    FAKE_BACKEND,
    RESULTS,
    ROOT,
    CpuSample,
    FakeLLMProcess,
    apply_quick,
    fake_backend_env,
    memory_kb,
    result_header,
    service_env,
    write_result,
)
from batch_memory import story

from tests.support.fakes import ARTICLE

PUBLISHED_AT = "2025-03-05"
"""A Wednesday: the draft's "on Monday" resolves to 2025-03-03, as it says."""
SAMPLE_EVERY_S = 0.2
CPU_BOUND_CORES = 0.9
"""An event loop running or waiting for a CPU this share of the time is CPU-bound."""


def write_archive(path: Path, size: int, seed: int) -> int:
    """`size` distinct generated articles, each ending with the sentences the draft quotes;
    returns their mean length in characters.

    Each holds two generated reports: with one, a few pairs among 2,000 share enough
    stock sentences to count as near-duplicates, whose answers the batch reuses.
    """
    rng = random.Random(seed)
    chars = 0
    with path.open("w", encoding="utf-8") as handle:
        for n in range(size):
            text = f"{story(rng)} {story(rng)} {ARTICLE}"
            chars += len(text)
            row = {"id": f"art-{n:05d}", "text": text, "published_at": PUBLISHED_AT}
            handle.write(json.dumps(row) + "\n")
    return round(chars / max(size, 1))


def in_flight(arrivals: Sequence[float], latency_s: float) -> list[int]:
    """Requests the fake was holding at each arrival (each is held `latency_s`)."""
    ordered = sorted(arrivals)
    return [i - bisect.bisect_right(ordered, at - latency_s) + 1 for i, at in enumerate(ordered)]


def check_output(path: Path, size: int) -> dict[str, int]:
    """Count the output lines: every one ok, from the fake, after one call, none reused."""
    counts = {"lines": 0, "ok": 0, "one_attempt": 0, "reused": 0, "other_backend": 0}
    with path.open(encoding="utf-8") as handle:
        for raw in handle:
            line = json.loads(raw)
            counts["lines"] += 1
            counts["ok"] += line.get("status") == "ok"
            counts["reused"] += "duplicate_of" in line or "near_duplicate_of" in line
            extraction = (line.get("summary") or {}).get("extraction") or {}
            counts["one_attempt"] += extraction.get("attempts") == 1
            counts["other_backend"] += extraction.get("backend") != FAKE_BACKEND
    if counts["lines"] != size or counts["ok"] != size:
        raise RuntimeError(f"{size} records in, output: {counts}")
    return counts


def cpu_between(samples: list[CpuSample], start: float, end: float) -> dict[str, Any]:
    """CPU use of the batch, the fake and the machine between two instants."""
    inside = [s for s in samples if start <= s.at <= end]
    if len(inside) < 2:
        inside = samples[-2:]
    return inside[0].until(inside[-1])


def one_run(
    fake: FakeLLMProcess, archive: Path, size: int, concurrency: int, latency_s: float
) -> dict[str, Any]:
    """Run the batch command once; measure rate, calls, CPU and memory."""
    fake.reset()
    output = archive.with_name(f"out-{concurrency}.jsonl")
    command = [
        *(sys.executable, "-m", "service.cli", "batch", str(archive)),
        *("-o", str(output), "--concurrency", str(concurrency), "--limit", str(size)),
    ]
    env = service_env(fake_backend_env(fake.base_url))
    samples: list[CpuSample] = []
    peak_kb = 0
    with tempfile.TemporaryFile() as stderr:
        started = time.monotonic()
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr
        )
        while process.poll() is None:
            try:
                samples.append(CpuSample.take({"batch": process.pid, "fake": fake.pid}))
                peak_kb = max(peak_kb, memory_kb(process.pid).get("VmHWM", 0))
            except (FileNotFoundError, ProcessLookupError):
                break
            time.sleep(SAMPLE_EVERY_S)
        elapsed = time.monotonic() - started
        if process.returncode != 0:
            stderr.seek(0)
            tail = stderr.read()[-800:].decode(errors="replace")
            raise RuntimeError(f"batch exited {process.returncode}: {tail}")
    lines = check_output(output, size)
    arrivals = sorted(fake.arrivals())
    if len(arrivals) != size:
        raise RuntimeError(f"{size} articles made {len(arrivals)} LLM calls; output: {lines}")
    window = arrivals[-1] - arrivals[0] + latency_s
    rate = size / window
    ideal = concurrency / latency_s
    held = in_flight(arrivals, latency_s)
    cpu = cpu_between(samples, arrivals[0], arrivals[-1] + latency_s)
    batch = cpu["batch"]
    return {
        "concurrency": concurrency,
        "articles": size,
        "ideal_articles_per_s": round(ideal, 1),
        "articles_per_s": round(rate, 1),
        "fraction_of_ideal": round(rate / ideal, 3),
        "calls": len(arrivals),
        "calls_per_article": round(len(arrivals) / size, 3),
        "output": lines,
        "requests_held_by_fake": {
            "median": statistics.median(held),
            "max": max(held),
        },
        "cpu": cpu,
        "batch_cpu_ms_per_article": round(batch["cpu_s"] * 1000 / size, 2),
        "cpu_bound": batch["cores"] + batch["waiting_for_cpu"] >= CPU_BOUND_CORES,
        "window_s": round(window, 2),
        "process_wall_s": round(elapsed, 2),
        "start_up_s": round(arrivals[0] - started, 2),
        "batch_peak_rss_mb": round(peak_kb / 1024, 1),
    }


def cpu_limit(runs: list[dict[str, Any]], latency_s: float) -> dict[str, Any]:
    """Where one core stops keeping up: 1 / (CPU per article), and that concurrency."""
    per_article_ms = min(run["batch_cpu_ms_per_article"] for run in runs)
    max_rate = 1000 / per_article_ms
    first_bound = next((run["concurrency"] for run in runs if run["cpu_bound"]), None)
    return {
        "batch_cpu_ms_per_article": per_article_ms,
        "one_core_max_articles_per_s": round(max_rate, 1),
        "concurrency_where_cpu_limits": round(max_rate * latency_s, 1),
        "first_measured_cpu_bound_concurrency": first_bound,
        "rule": "ideal = concurrency / latency is reachable while it stays under "
        "1 / (batch CPU per article); the batch's event loop runs on one core. Below "
        "that, each slot also spends the article's CPU time between calls: expected "
        "fraction of ideal = latency / (latency + CPU per article)",
        "expected_fraction_below_the_limit": round(
            latency_s / (latency_s + per_article_ms / 1000), 3
        ),
    }


def expected_rate(concurrency: int, latency_s: float, limit: dict[str, Any]) -> float:
    """Articles/s on an otherwise idle machine: each slot waits for the LLM and then works
    its article on the one event loop, and that loop can do at most 1 / CPU per article."""
    cpu_s = float(limit["batch_cpu_ms_per_article"]) / 1000
    return round(min(concurrency / (latency_s + cpu_s), 1 / cpu_s), 1)


def plot(runs: list[dict[str, Any]], limit: dict[str, Any], path: Path) -> None:
    """Measured, expected and ideal articles/s, and CPU use, by concurrency."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    levels = [str(run["concurrency"]) for run in runs]
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    left.plot(levels, [r["ideal_articles_per_s"] for r in runs], "--", marker="o", label="ideal")
    expected = [r["expected_articles_per_s"] for r in runs]
    left.plot(levels, expected, ":", marker="o", label="expected from CPU per article")
    left.plot(levels, [r["articles_per_s"] for r in runs], marker="o", label="measured")
    for level, run in zip(levels, runs, strict=True):
        where = (level, run["articles_per_s"])
        label = f"{run['fraction_of_ideal']:.0%}"
        left.annotate(label, where, textcoords="offset points", xytext=(6, 6), ha="left")
    ceiling = limit["one_core_max_articles_per_s"]
    left.axhline(ceiling, color="grey", linewidth=1, label="one core: 1 / CPU per article")
    left.set_yscale("log")
    left.set_xlabel("concurrency")
    left.set_ylabel("articles / s")
    left.set_title("summarizer batch, LLM latency fixed")
    left.legend(fontsize=8)
    batch = [r["cpu"]["batch"] for r in runs]
    series = {
        "batch: on a CPU": [b["cores"] for b in batch],
        "batch: on or waiting for a CPU": [b["cores"] + b["waiting_for_cpu"] for b in batch],
        "fake LLM: on a CPU": [r["cpu"]["fake"]["cores"] for r in runs],
        "machine, every user": [r["cpu"]["machine"]["busy_cores"] for r in runs],
    }
    for label, values in series.items():
        right.plot(levels, values, marker="o", label=label)
    right.axhline(1.0, color="grey", linestyle="--", linewidth=1, label="one core")
    right.set_xlabel("concurrency")
    right.set_ylabel("cores")
    right.set_title("CPU while the batch runs")
    right.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def knee_size(concurrency: int, args: argparse.Namespace) -> int:
    """Articles for a knee run: `knee_seconds` at the ideal rate, at most --articles."""
    seconds = float(args.knee_seconds) * concurrency / float(args.latency)
    return min(int(args.articles), math.ceil(seconds))


def summary_line(run: dict[str, Any]) -> str:
    """One run for the terminal."""
    batch, fake, machine = run["cpu"]["batch"], run["cpu"]["fake"], run["cpu"]["machine"]
    return (
        f"c={run['concurrency']:<4} {run['articles']:>5} articles: "
        f"{run['articles_per_s']:>7}/s of ideal "
        f"{run['ideal_articles_per_s']:>6}/s = {run['fraction_of_ideal']:.0%}  "
        f"batch {batch['cores']:.2f} cores (+{batch['waiting_for_cpu']:.2f} waiting for one), "
        f"fake {fake['cores']:.2f}, machine {machine['busy_cores']:.2f}  "
        f"calls/article {run['calls_per_article']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.2, help="Seconds per LLM answer.")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 32, 128])
    parser.add_argument(
        "--knee",
        type=int,
        nargs="*",
        default=[2, 4],
        help="Lower concurrencies run first to locate the CPU limit, on as many articles "
        "as --knee-seconds take at the ideal rate.",
    )
    parser.add_argument("--knee-seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--quick", action="store_true", help="A tiny run for a smoke test.")
    parser.add_argument("--out", type=Path, default=RESULTS / "throughput.json")
    parser.add_argument("--plot", type=Path, default=None, help="Default: OUT with .png.")
    args = parser.parse_args()
    apply_quick(parser, args, {"articles": 40, "concurrency": [4, 16], "knee": []})
    plan = [(level, knee_size(level, args)) for level in args.knee]
    plan += [(level, args.articles) for level in args.concurrency]
    with tempfile.TemporaryDirectory(prefix="throughput-") as tmp:
        archive = Path(tmp) / "archive.jsonl"
        mean_chars = write_archive(archive, max(size for _, size in plan), args.seed)
        with FakeLLMProcess(latency_s=args.latency) as fake:
            runs = [one_run(fake, archive, size, level, args.latency) for level, size in plan]
    result = result_header("summarizer batch with a fixed-latency LLM: articles/s vs ideal")
    result["settings"] = {
        "articles": args.articles,
        "latency_s": args.latency,
        "concurrency": args.concurrency,
        "knee_concurrency": args.knee,
        "knee_articles": "as many as knee_seconds take at the ideal rate (a prefix of the archive)",
        "knee_seconds": args.knee_seconds,
        "archive": "distinct generated articles (two short reports each, then the sentences "
        "the draft quotes)",
        "mean_article_chars": mean_chars,
        "rate": "articles / (last request's arrival + latency - first request's arrival), "
        "counted at the fake LLM; start-up excluded",
    }
    result["runs"] = runs
    result["cpu_limit"] = limit = cpu_limit(runs, args.latency)
    for run in runs:
        run["expected_articles_per_s"] = expected_rate(run["concurrency"], args.latency, limit)
    write_result(args.out, result)
    plot(runs, limit, args.plot or args.out.with_suffix(".png"))
    for run in runs:
        print(summary_line(run))  # noqa: T201 - a benchmark's report
    print(json.dumps(result["cpu_limit"], indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
