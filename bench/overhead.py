"""Service overhead: the latency `summarizer serve` adds over its backend's own time.

One real server (a subprocess on a free loopback port) has two backends: `fake`, an
'openai' backend pointed at the fake LLM server (its own process, answering at once
with a draft grounded in the article), and `offline`. This process is the client
(httpx, async, closed loop) and sends each article at each concurrency for a fixed time.

The backend's own time is measured side by side: for the fake, the exact request body
the service sends is replayed straight to the fake at the same concurrency (loopback
round trip + the fake's work); for the offline backend, its extraction is timed in
this process right after the concurrency-1 run. Overhead = service percentile -
backend percentile. The server's own pipeline time (`extraction.latency_ms`) splits
the rest into HTTP and pipeline; the server's CPU time per request, read from /proc,
is the same overhead without the waits of a shared machine.

pyinstrument profiles, taken in this process, go in the results with their top costs:
the fake-LLM path, by calling the ASGI app directly (no client code in the profile),
and the offline path's CPU work (extraction and checks of the sample article).
Writes bench/results/overhead.json and overhead.png.
Usage: python bench/overhead.py [--seconds 20] [--concurrency 1 8 64] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from _common import (
    FAKE_BACKEND,
    FAKE_KEY_ENV,
    RESULTS,
    SAMPLE_PUBLISHED,
    FakeLLMProcess,
    Server,
    apply_quick,
    article_of_about,
    closed_loop,
    cpu_meter,
    fake_backend_env,
    percentiles,
    pipeline_ms,
    result_header,
    sample_article,
    top_costs,
    write_result,
)

OVERHEAD_TARGET_MS = 5.0
"""p50 overhead per article of 3,000 characters, fake LLM answering at once."""
OFFLINE_TARGET_MS = 50.0
"""p50 latency of the offline backend on the sample article."""
PROFILE_CONCURRENCY = 8


def articles() -> dict[str, dict[str, Any]]:
    """The two articles: ~3,000 characters of WikiEvents text, and the sample article."""
    doc_id, text = article_of_about(3000)
    return {
        "3k": {"source": f"wikievents-dev.jsonl:{doc_id}", "text": text, "published_at": None},
        "sample": {
            "source": "samples/fr-mali-diangassagou.txt",
            "text": sample_article(),
            "published_at": SAMPLE_PUBLISHED,
        },
    }


class OfflineAlone:
    """The offline backend in this process: drafts for the fake, and its own time."""

    def __init__(self, texts: dict[str, dict[str, Any]]) -> None:
        from schemas import ArticleIn
        from service.article import Article
        from service.backends.offline import OfflineBackend

        self.backend = OfflineBackend("offline")
        self.articles = {
            name: Article.from_input(ArticleIn(text=a["text"], published_at=a["published_at"]))
            for name, a in texts.items()
        }

    def draft(self, name: str) -> dict[str, Any]:
        """The offline draft of an article, as JSON: grounded in it by construction."""
        draft = self.backend.summarize(self.articles[name])
        dumped: dict[str, Any] = draft.model_dump(mode="json", exclude_none=True)
        return dumped

    def own_time(self, name: str, runs: int) -> dict[str, float]:
        """Percentiles and mean CPU time of `runs` extractions of an article."""
        times = []
        cpu_started = time.process_time()
        for _ in range(runs):
            started = time.perf_counter()
            self.backend.summarize(self.articles[name])
            times.append(time.perf_counter() - started)
        cpu_ms = (time.process_time() - cpu_started) * 1000 / max(runs, 1)
        return percentiles(times) | {"cpu_ms_per_call": round(cpu_ms, 2)}

    def close(self) -> None:
        """Close the gazetteer."""
        self.backend.close()


def request_body(article: dict[str, Any], backend: str) -> bytes:
    """The POST /v1/summaries body for `article` on `backend`."""
    body = {"text": article["text"], "backend": backend}
    if article["published_at"]:
        body["published_at"] = article["published_at"]
    return json.dumps(body).encode()


def subtract(service: dict[str, float], backend: dict[str, float]) -> dict[str, float]:
    """Service percentile minus backend percentile, for p50, p95 and p99 (ms)."""
    return {
        key: round(service[key] - backend[key], 2)
        for key in ("p50_ms", "p95_ms", "p99_ms")
        if key in service and key in backend
    }


def per_request(cpu: dict[str, float], count: int) -> float:
    """CPU milliseconds per request (or call)."""
    return round(cpu["cpu_s"] * 1000 / max(count, 1), 2)


async def fake_rows(
    server: Server, fake: FakeLLMProcess, body: bytes, levels: Sequence[int], args: Any
) -> list[dict[str, Any]]:
    """Service vs direct-to-fake latency at each concurrency; one fake call per request."""
    fake.capture_next()
    await closed_loop(server.url + "/v1/summaries", body, concurrency=1, seconds=0, min_requests=1)
    sent = json.dumps(fake.last_body()).encode()
    rows = []
    for level in levels:
        before = fake.count()
        with cpu_meter({"server": server.pid, "fake": fake.pid}) as cpu:
            load = await closed_loop(
                server.url + "/v1/summaries",
                body,
                concurrency=level,
                seconds=args.seconds,
                server_ms=pipeline_ms,
            )
        calls = fake.count() - before
        direct = await closed_loop(
            fake.base_url + "/chat/completions",
            sent,
            concurrency=level,
            seconds=args.baseline_seconds,
            min_requests=level,
        )
        row = load.report()
        own = percentiles(direct.latencies_s)
        row |= {
            "backend_own": own,
            "overhead": subtract(row["latency"], own),
            "pipeline": percentiles([ms / 1000 for ms in load.server_ms]),
            "fake_calls_per_request": round(calls / max(load.requests, 1), 3),
            "cpu": cpu,
            "server_cpu_ms_per_request": per_request(cpu["server"], load.requests),
            "fake_cpu_ms_per_call": per_request(cpu["fake"], calls),
        }
        row["http_p50_ms"] = round(row["latency"]["p50_ms"] - row["pipeline"]["p50_ms"], 2)
        rows.append(row)
        fake.reset()
    return rows


async def offline_rows(
    server: Server, body: bytes, own_time: Callable[[], dict[str, float]], args: Any
) -> list[dict[str, Any]]:
    """Service latency of the offline backend at each concurrency; its own time is
    measured right after the first level, in the same conditions."""
    rows = []
    own: dict[str, float] = {}
    for level in args.concurrency:
        with cpu_meter({"server": server.pid}) as cpu:
            load = await closed_loop(
                server.url + "/v1/summaries",
                body,
                concurrency=level,
                seconds=args.seconds,
                server_ms=pipeline_ms,
                min_requests=level,
            )
        if not own:
            own = own_time()
        row = load.report()
        row |= {
            "backend_own": own,
            "overhead": subtract(row["latency"], own) if level == 1 else {},
            "pipeline": percentiles([ms / 1000 for ms in load.server_ms]),
            "cpu": cpu,
            "server_cpu_ms_per_request": per_request(cpu["server"], load.requests),
        }
        row["cpu_overhead_ms_per_request"] = round(
            row["server_cpu_ms_per_request"] - own["cpu_ms_per_call"], 2
        )
        row["http_p50_ms"] = round(row["latency"]["p50_ms"] - row["pipeline"]["p50_ms"], 2)
        rows.append(row)
    return rows


async def warm_up(server: Server, bodies: Sequence[bytes], requests: int) -> None:
    """First requests load the SDKs and the gazetteer: not part of any measure."""
    for body in bodies:
        await closed_loop(
            server.url + "/v1/summaries", body, concurrency=1, seconds=0, min_requests=requests
        )


async def asgi_post(app: Any, path: str, body: bytes) -> int:
    """One POST straight into an ASGI app; returns the status (the profile sees the app only)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    status = 0

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # never: the app reads one message
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])

    await app(scope, receive, send)
    return status


class InlineExecutor(ThreadPoolExecutor):
    """Runs each submitted call at once in the calling thread.

    The pipeline hands CPU-bound steps (the checks, token counts) to worker threads,
    which a pyinstrument profile of the event loop's thread would not see; with this
    as the loop's default executor, every step of a request is profiled.
    """

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting caller
            future.set_exception(exc)
        return future


async def profile_fake(base_url: str, body: bytes, requests: int) -> dict[str, Any]:
    """Profile `requests` summaries through the fake LLM, PROFILE_CONCURRENCY at a time;
    steps the service runs in worker threads run inline here (see InlineExecutor)."""
    from pyinstrument import Profiler

    from service import logs
    from service.backends import close_backends
    from service.config import BackendConfig, Settings
    from service.main import create_app

    os.environ.setdefault(FAKE_KEY_ENV, "sk-bench-not-a-real-key")
    config = BackendConfig(
        kind="openai", model="gpt-4o", base_url=base_url, api_key_env=FAKE_KEY_ENV
    )
    settings = Settings(backends={FAKE_BACKEND: config}, chain=[FAKE_BACKEND])
    app = create_app(settings)
    asyncio.get_running_loop().set_default_executor(InlineExecutor(max_workers=1))
    saved = logging.getLogger().handlers[:]
    logs.configure(settings.log_level)  # logging is part of the served path
    with open(os.devnull, "w") as devnull:
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(devnull)
        for _ in range(3):
            await asgi_post(app, "/v1/summaries", body)
        queue = list(range(requests))
        statuses: list[int] = []

        async def worker() -> None:
            while queue:
                queue.pop()
                statuses.append(await asgi_post(app, "/v1/summaries", body))

        profiler = Profiler(interval=0.001, async_mode="disabled")
        profiler.start()
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(PROFILE_CONCURRENCY)))
        elapsed = time.perf_counter() - started
        profiler.stop()
    logging.getLogger().handlers[:] = saved
    await close_backends(app.state.pipeline.backends)
    if set(statuses) != {200}:
        raise RuntimeError(f"profiled requests answered {sorted(set(statuses))}")
    session = profiler.last_session
    assert session is not None
    costs = top_costs(session.root_frame(trim_stem=False))
    costs["requests"] = requests
    costs["concurrency"] = PROFILE_CONCURRENCY
    costs["busy_ms_per_request"] = round(costs["busy_s"] * 1000 / requests, 2)
    costs["wall_s"] = round(elapsed, 3)
    return costs


def profile_offline(alone: OfflineAlone, name: str, runs: int) -> dict[str, Any]:
    """Profile the offline path's CPU work in this process: extraction, then the checks."""
    from pyinstrument import Profiler

    from service.prompts import render
    from service.validate import check_draft

    article = alone.articles[name]
    prompt = render(article)
    profiler = Profiler(interval=0.001, async_mode="disabled")
    profiler.start()
    for _ in range(runs):
        check_draft(alone.backend.summarize(article), article, prompt)
    profiler.stop()
    session = profiler.last_session
    assert session is not None
    costs = top_costs(session.root_frame(trim_stem=False))
    costs["article"] = name
    costs["runs"] = runs
    costs["busy_ms_per_article"] = round(costs["busy_s"] * 1000 / runs, 2)
    return costs


async def measure(args: Any) -> dict[str, Any]:
    """Every configuration, side by side, against one server and one fake."""
    texts = articles()
    alone = OfflineAlone(texts)
    drafts = {name: alone.draft(name) for name in texts}
    results: dict[str, Any] = {}
    profile: dict[str, Any] | None = None
    offline_profile: dict[str, Any] | None = None
    with (
        FakeLLMProcess() as fake,
        Server(
            fake_backend_env(fake.base_url, offline_too=True),
            max_concurrent_requests=max(args.concurrency),
        ) as server,
    ):
        for name, article in texts.items():
            fake.set_draft(drafts[name])
            bodies = {b: request_body(article, b) for b in (FAKE_BACKEND, "offline")}
            await warm_up(server, list(bodies.values()), args.warmup)
            fake.reset()
            results[name] = {
                "source": article["source"],
                "chars": len(article["text"]),
                "fake": await fake_rows(server, fake, bodies[FAKE_BACKEND], args.concurrency, args),
                "offline": await offline_rows(
                    server,
                    bodies["offline"],
                    functools.partial(alone.own_time, name, args.offline_runs),
                    args,
                ),
            }
        if args.profile_requests:
            fake.set_draft(drafts["3k"])
            body = request_body(texts["3k"], FAKE_BACKEND)
            profile = await profile_fake(fake.base_url, body, args.profile_requests)
            runs = max(2, args.profile_requests // 10)
            offline_profile = profile_offline(alone, "sample", runs)
    alone.close()
    return {"articles": results, "profile": profile, "profile_offline": offline_profile}


def headline(results: dict[str, Any]) -> dict[str, Any]:
    """The targets, checked on the concurrency-1 rows."""
    fake_3k = results["articles"]["3k"]["fake"][0]
    offline_sample = results["articles"]["sample"]["offline"][0]
    overhead = fake_3k["overhead"]["p50_ms"]
    offline = offline_sample["latency"]["p50_ms"]
    return {
        "concurrency": fake_3k["concurrency"],
        "fake_llm_3k_overhead_p50_ms": overhead,
        "fake_llm_3k_overhead_target_ms": OVERHEAD_TARGET_MS,
        "fake_llm_3k_overhead_target_met": overhead <= OVERHEAD_TARGET_MS,
        "fake_llm_3k_service_over_backend_p50": round(
            fake_3k["latency"]["p50_ms"] / fake_3k["backend_own"]["p50_ms"], 1
        ),
        "fake_llm_3k_server_cpu_ms_per_request": fake_3k["server_cpu_ms_per_request"],
        "fake_llm_3k_fake_cpu_ms_per_call": fake_3k["fake_cpu_ms_per_call"],
        "offline_sample_p50_ms": offline,
        "offline_sample_target_ms": OFFLINE_TARGET_MS,
        "offline_sample_target_met": offline <= OFFLINE_TARGET_MS,
        "offline_sample_backend_own_p50_ms": offline_sample["backend_own"]["p50_ms"],
        "offline_sample_server_cpu_ms_per_request": offline_sample["server_cpu_ms_per_request"],
        "offline_sample_backend_cpu_ms_per_call": offline_sample["backend_own"]["cpu_ms_per_call"],
        "offline_sample_cpu_overhead_ms_per_request": offline_sample["cpu_overhead_ms_per_request"],
    }


def plot(results: dict[str, Any], path: Path) -> None:
    """p50 latency of service and backend by concurrency, one panel per article."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results["articles"])
    figure, axes = plt.subplots(1, len(names), figsize=(6 * len(names), 4.2), squeeze=False)
    for ax, name in zip(axes[0], names, strict=True):
        data = results["articles"][name]
        levels = [row["concurrency"] for row in data["fake"]]
        series = {
            "service, fake LLM": [row["latency"]["p50_ms"] for row in data["fake"]],
            "fake LLM direct": [row["backend_own"]["p50_ms"] for row in data["fake"]],
            "service, offline": [row["latency"]["p50_ms"] for row in data["offline"]],
            "offline backend alone (c=1)": [data["offline"][0]["backend_own"]["p50_ms"]]
            * len(levels),
        }
        for label, values in series.items():
            style = "--" if "alone" in label or "direct" in label else "-"
            ax.plot(levels, values, style, marker="o", label=label)
        if name == "sample":
            ax.axhline(OFFLINE_TARGET_MS, color="grey", linewidth=1, label="offline target")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks(levels, [str(level) for level in levels])
        ax.set_xlabel("concurrent requests")
        ax.set_ylabel("p50 latency (ms)")
        ax.set_title(f"{name}: {data['chars']} characters")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    figure.suptitle("summarizer serve: p50 latency, service vs backend alone")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def summary_lines(results: dict[str, Any]) -> list[str]:
    """A short table for the terminal."""
    lines = ["article  backend  c    p50 ms  p99 ms  backend p50  overhead p50  req/s  cpu ms/req"]
    for name, data in results["articles"].items():
        for backend in ("fake", "offline"):
            for row in data[backend]:
                lines.append(
                    f"{name:<8} {backend:<8} {row['concurrency']:<4} "
                    f"{row['latency']['p50_ms']:>6} {row['latency']['p99_ms']:>7} "
                    f"{row['backend_own']['p50_ms']:>12} "
                    f"{row['overhead'].get('p50_ms', '-'):>13} {row['requests_per_s']:>6} "
                    f"{row['server_cpu_ms_per_request']:>10}"
                )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0, help="Per configuration.")
    parser.add_argument("--baseline-seconds", type=float, default=8.0, help="Direct-to-fake.")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 64])
    parser.add_argument("--warmup", type=int, default=5, help="Requests per backend first.")
    parser.add_argument("--offline-runs", type=int, default=30, help="Offline extractions.")
    parser.add_argument("--profile-requests", type=int, default=300, help="0: no profile.")
    parser.add_argument("--quick", action="store_true", help="A tiny run for a smoke test.")
    parser.add_argument("--out", type=Path, default=RESULTS / "overhead.json")
    parser.add_argument("--plot", type=Path, default=None, help="Default: OUT with .png.")
    args = parser.parse_args()
    quick = {"seconds": 0.5, "baseline_seconds": 0.3, "concurrency": [1, 4], "warmup": 1}
    apply_quick(parser, args, quick | {"offline_runs": 2, "profile_requests": 10})
    measured = asyncio.run(measure(args))
    result = result_header("summarizer serve: latency added over the backend's own time")
    result["settings"] = {
        "seconds_per_configuration": args.seconds,
        "direct_baseline_seconds": args.baseline_seconds,
        "concurrency": args.concurrency,
        "server": "SUMMARIZER_MAX_CONCURRENT_REQUESTS set to the highest concurrency (default: 32)",
        "overhead": "service percentile minus the backend's own percentile, same concurrency "
        "(fake: identical request body sent straight to the fake; offline: extraction timed "
        "in process, concurrency 1 only)",
    }
    result["headline"] = headline(measured)
    result |= measured
    write_result(args.out, result)
    plot(measured, args.plot or args.out.with_suffix(".png"))
    print("\n".join(summary_lines(measured)))  # noqa: T201 - a benchmark's report
    print(json.dumps(result["headline"], indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
