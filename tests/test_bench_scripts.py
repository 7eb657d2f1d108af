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


def run_bench(*args: str, timeout: float = 240) -> str:
    """Run a bench script from the repository root; its stdout."""
    done = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return done.stdout


def test_overhead_benchmark_compares_service_and_backend_and_profiles(tmp_path: Path) -> None:
    out = tmp_path / "overhead.json"
    stdout = run_bench("bench/overhead.py", "--quick", "--concurrency", "1", "2", "--out", str(out))
    result = json.loads(out.read_text())
    assert result["machine"]["cores"] >= 1 and "overhead.py" in result["command"]
    for article in ("3k", "sample"):
        data = result["articles"][article]
        assert [row["concurrency"] for row in data["fake"]] == [1, 2]
        assert [row["concurrency"] for row in data["offline"]] == [1, 2]
        for row in data["fake"]:
            # One request to the service costs exactly one call to the LLM: the draft is valid.
            assert row["fake_calls_per_request"] == 1.0
            assert row["errors"] == {}
            assert row["latency"]["p50_ms"] > row["overhead"]["p50_ms"]
            assert row["backend_own"]["p50_ms"] > 0
    assert 2500 <= result["articles"]["3k"]["chars"] <= 3500
    headline = result["headline"]
    assert isinstance(headline["fake_llm_3k_overhead_target_met"], bool)
    assert isinstance(headline["offline_sample_target_met"], bool)
    shares = result["profile"]["self_time_by_package"]
    assert shares and all(0 < item["share"] <= 1 for item in shares)
    assert any(item["package"].startswith("service.") for item in shares)
    inclusive = result["profile"]["service_functions_inclusive"]
    assert any(item["function"] == "check_draft" for item in inclusive)
    assert (tmp_path / "overhead.png").read_bytes().startswith(b"\x89PNG")
    assert "overhead p50" in stdout


def test_throughput_benchmark_makes_one_call_per_article(tmp_path: Path) -> None:
    out = tmp_path / "throughput.json"
    stdout = run_bench(
        "bench/throughput.py",
        *("--articles", "24", "--concurrency", "6", "--knee", "--latency", "0.05"),
        *("--out", str(out)),
    )
    result = json.loads(out.read_text())
    (run,) = result["runs"]
    assert run["calls"] == 24 and run["calls_per_article"] == 1.0
    assert run["output"] == {
        "lines": 24, "ok": 24, "one_attempt": 24, "reused": 0, "other_backend": 0
    }  # fmt: skip
    assert run["ideal_articles_per_s"] == 120.0
    assert 0 < run["fraction_of_ideal"] <= 1.05
    assert run["requests_held_by_fake"]["max"] <= 6
    assert result["cpu_limit"]["batch_cpu_ms_per_article"] > 0
    assert (tmp_path / "throughput.png").read_bytes().startswith(b"\x89PNG")
    assert "c=6" in stdout and "calls/article 1.0" in stdout


def test_serve_memory_benchmark_reports_peak_rss_of_each_backend(tmp_path: Path) -> None:
    out = tmp_path / "serve-memory.json"
    stdout = run_bench(
        "bench/serve_memory.py", "--seconds", "0.2", "--concurrency", "6", "--out", str(out)
    )
    result = json.loads(out.read_text())
    assert [run["backend"] for run in result["runs"]] == ["offline", "fake"]
    for run in result["runs"]:
        assert run["load"]["errors"] == {} and run["load"]["latency"]["n"] >= 6
        assert 0 < run["idle_rss_mb"] <= run["peak_rss_mb"]
    assert "peak under 6 concurrent" in stdout
