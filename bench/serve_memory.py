"""Peak memory of `summarizer serve` under 64 concurrent requests, offline and fake LLM.

For each backend a fresh server starts (a subprocess on a free loopback port; the fake
LLM server in a process of its own, answering at once with a draft grounded in the
article), is warmed up, then holds 64 concurrent requests (closed loop, ~3,000
characters each) for a fixed time. The server's resident memory is read idle, after
the warm-up, and its peak (VmHWM) after the load.
Writes bench/results/serve-memory.json.
Usage: python bench/serve_memory.py [--seconds 20] [--concurrency 64] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from _common import (
    FAKE_BACKEND,
    RESULTS,
    FakeLLMProcess,
    Server,
    apply_quick,
    article_of_about,
    closed_loop,
    fake_backend_env,
    memory_kb,
    offline_draft,
    result_header,
    write_result,
)

BACKENDS = ("offline", FAKE_BACKEND)


async def one_backend(
    backend: str, text: str, draft: dict[str, Any], concurrency: int, seconds: float
) -> dict[str, Any]:
    """Start a server for `backend`, load it, and read its memory."""
    body = json.dumps({"text": text}).encode()
    with ExitStack() as stack:
        env: dict[str, str] = {}
        if backend == FAKE_BACKEND:
            fake = stack.enter_context(FakeLLMProcess(draft))
            env = fake_backend_env(fake.base_url)
        server = stack.enter_context(Server(env, max_concurrent_requests=concurrency))
        url = server.url + "/v1/summaries"
        idle = memory_kb(server.pid)
        await closed_loop(url, body, concurrency=1, seconds=0, min_requests=3)
        warm = memory_kb(server.pid)
        load = await closed_loop(
            url, body, concurrency=concurrency, seconds=seconds, min_requests=concurrency
        )
        after = memory_kb(server.pid)
    return {
        "backend": backend,
        "idle_rss_mb": mb(idle["VmRSS"]),
        "warm_rss_mb": mb(warm["VmRSS"]),
        "peak_before_load_mb": mb(warm["VmHWM"]),
        "peak_rss_mb": mb(after["VmHWM"]),
        "rss_after_load_mb": mb(after["VmRSS"]),
        "load": load.report(),
    }


def mb(kb: int) -> float:
    """kB to MB, one decimal."""
    return round(kb / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0, help="Of load per backend.")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--quick", action="store_true", help="A tiny run for a smoke test.")
    parser.add_argument("--out", type=Path, default=RESULTS / "serve-memory.json")
    args = parser.parse_args()
    apply_quick(parser, args, {"seconds": 0.5, "concurrency": 16})
    doc_id, text = article_of_about(3000)
    draft = offline_draft(text, None)
    runs = [
        asyncio.run(one_backend(backend, text, draft, args.concurrency, args.seconds))
        for backend in BACKENDS
    ]
    result = result_header("summarizer serve: peak resident memory under concurrent requests")
    result["settings"] = {
        "concurrency": args.concurrency,
        "seconds": args.seconds,
        "article": f"wikievents-dev.jsonl:{doc_id} ({len(text)} characters)",
        "server": "SUMMARIZER_MAX_CONCURRENT_REQUESTS set to the concurrency (default: 32)",
    }
    result["runs"] = runs
    write_result(args.out, result)
    for run in runs:
        print(  # noqa: T201 - a benchmark's report
            f"{run['backend']:<8} idle {run['idle_rss_mb']} MB, peak under "
            f"{args.concurrency} concurrent {run['peak_rss_mb']} MB "
            f"({run['load']['requests_per_s']} req/s, errors {run['load']['errors']})"
        )


if __name__ == "__main__":
    main()
