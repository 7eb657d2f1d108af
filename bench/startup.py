"""Start-up time and resident memory of `summarizer serve` with the offline backend.

Starts the real server on a free loopback port, waits for /healthz, measures RSS
idle and after summarising the sample article, and writes bench/results/startup.json.
Usage: python bench/startup.py [--runs N] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from datetime import date
from importlib import metadata
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "samples" / "fr-mali-diangassagou.txt"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def one_run(text: str) -> dict[str, float]:
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=url, timeout=60) as client:
            while True:
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.05)
                if time.perf_counter() - started > 60:
                    raise RuntimeError("server did not start within 60 s")
            ready = time.perf_counter() - started
            idle = rss_mb(process.pid)
            first = time.perf_counter()
            response = client.post(
                "/v1/summaries", json={"text": text, "published_at": "2025-01-09"}
            )
            response.raise_for_status()
            first_ms = (time.perf_counter() - first) * 1000
            again = time.perf_counter()
            client.post("/v1/summaries", json={"text": text, "published_at": "2025-01-09"})
            warm_ms = (time.perf_counter() - again) * 1000
            after = rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return {
        "ready_s": round(ready, 2),
        "idle_rss_mb": round(idle, 1),
        "first_request_ms": round(first_ms, 1),
        "warm_request_ms": round(warm_ms, 1),
        "rss_after_requests_mb": round(after, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "startup.json")
    args = parser.parse_args()
    text = SAMPLE.read_text(encoding="utf-8")
    runs = [one_run(text) for _ in range(args.runs)]
    medians = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    result = {
        "what": "summarizer serve, offline backend: start-up and memory (medians)",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "date": date.today().isoformat(),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "packages": {p: metadata.version(p) for p in ("fastapi", "uvicorn", "pydantic")},
        },
        "runs": runs,
        "median": medians,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(medians, indent=2))  # noqa: T201 - a benchmark's report


if __name__ == "__main__":
    main()
