"""What the service benchmarks share: machine facts, processes, load, percentiles, profiles.

The service runs as the real `summarizer serve` in its own process, the fake LLM
server in another (`python bench/_common.py fake-llm`, driven by JSON lines on its
stdin), and the benchmark script is the client: no two of them share an event loop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import IO, Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/x.py` puts bench/ first, not the repository
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
SAMPLE = ROOT.parent / "shared" / "samples" / "fr-mali-diangassagou.txt"
SAMPLE_PUBLISHED = "2025-01-09"
WIKIEVENTS = ROOT.parent / "shared" / "eval" / "wikievents-dev.jsonl"
FAKE_BACKEND = "fake"
FAKE_KEY_ENV = "BENCH_FAKE_LLM_KEY"
PACKAGES = ("fastapi", "uvicorn", "pydantic", "httpx", "openai", "instructor", "aiohttp")
START_TIMEOUT_S = 90.0


# -- machine and result files ---------------------------------------------------------


def machine(packages: Sequence[str] = PACKAGES) -> dict[str, Any]:
    """Cores, Python, platform, load average and the versions of `packages`."""
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "packages": {name: metadata.version(name) for name in packages},
    }


def command_line() -> str:
    """The command that produced a result, as it can be typed again."""
    return " ".join([Path(sys.executable).name, *sys.argv])


def write_result(path: Path, result: Mapping[str, Any]) -> None:
    """Write a result file (JSON, indented, newline-terminated)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def result_header(what: str, packages: Sequence[str] = PACKAGES) -> dict[str, Any]:
    """The fields every result file starts with."""
    return {
        "what": what,
        "command": command_line(),
        "date": date.today().isoformat(),
        "machine": machine(packages),
    }


def apply_quick(
    parser: argparse.ArgumentParser, args: argparse.Namespace, quick: Mapping[str, Any]
) -> None:
    """With --quick, use the `quick` values for the options not given on the command line."""
    if getattr(args, "quick", False):
        for name, value in quick.items():
            if getattr(args, name) == parser.get_default(name):
                setattr(args, name, value)


def percentiles(seconds: Sequence[float]) -> dict[str, float]:
    """Count, p50, p95, p99 and mean of durations in seconds, reported in milliseconds."""
    if not seconds:
        return {"n": 0}
    if len(seconds) == 1:
        only = round(seconds[0] * 1000, 2)
        return {"n": 1, "p50_ms": only, "p95_ms": only, "p99_ms": only, "mean_ms": only}
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return {
        "n": len(seconds),
        "p50_ms": round(cuts[49] * 1000, 2),
        "p95_ms": round(cuts[94] * 1000, 2),
        "p99_ms": round(cuts[98] * 1000, 2),
        "mean_ms": round(statistics.fmean(seconds) * 1000, 2),
    }


# -- articles -------------------------------------------------------------------------


def sample_article() -> str:
    """The sample article of the product brief (French, ~2,900 characters)."""
    return SAMPLE.read_text(encoding="utf-8")


def article_of_about(chars: int = 3000, slack: float = 0.1) -> tuple[str, str]:
    """(doc_id, text) of the first WikiEvents document within `slack` of `chars` characters."""
    with WIKIEVENTS.open(encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            text = doc.get("text") or ""
            if abs(len(text) - chars) <= chars * slack:
                return str(doc["doc_id"]), text
    raise RuntimeError(f"no document of about {chars} characters in {WIKIEVENTS}")


def offline_draft(text: str, published_at: str | None) -> dict[str, Any]:
    """The offline backend's draft of `text` as JSON: grounded in it by construction."""
    from schemas import ArticleIn
    from service.article import Article
    from service.backends.offline import OfflineBackend

    backend = OfflineBackend("offline")
    try:
        article = Article.from_input(ArticleIn(text=text, published_at=published_at))
        draft = backend.summarize(article)
    finally:
        backend.close()
    dumped: dict[str, Any] = draft.model_dump(mode="json", exclude_none=True)
    return dumped


# -- processes ------------------------------------------------------------------------


def free_port() -> int:
    """A loopback port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak resident set) of a live process, in kB."""
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a live process has used so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def service_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment without any SUMMARIZER_ setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUMMARIZER_")}
    env.update(extra or {})
    return env


def fake_backend_env(base_url: str, *, offline_too: bool = False) -> dict[str, str]:
    """Settings of an 'openai' backend named FAKE_BACKEND pointed at `base_url`."""
    fake = {"kind": "openai", "model": "gpt-4o", "base_url": base_url, "api_key_env": FAKE_KEY_ENV}
    backends: dict[str, Any] = {FAKE_BACKEND: fake}
    if offline_too:
        backends["offline"] = {"kind": "offline"}
    return {
        "SUMMARIZER_BACKENDS": json.dumps(backends),
        "SUMMARIZER_CHAIN": json.dumps([FAKE_BACKEND]),
        FAKE_KEY_ENV: "sk-bench-not-a-real-key",
    }


class Server:
    """`summarizer serve` on a free loopback port, ready once /healthz answers.

    `max_concurrent_requests` raises the service's bound on requests in progress
    (SUMMARIZER_MAX_CONCURRENT_REQUESTS) so that a load of that many is served, not
    answered 503 `overloaded`.
    """

    def __init__(
        self, env: Mapping[str, str] | None = None, *, max_concurrent_requests: int | None = None
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._env = service_env(env)
        if max_concurrent_requests is not None:
            self._env["SUMMARIZER_MAX_CONCURRENT_REQUESTS"] = str(max_concurrent_requests)
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """The server's process id."""
        assert self._process is not None, "not started"
        return self._process.pid

    def __enter__(self) -> Server:
        command = [sys.executable, "-m", "service.cli", "serve", "--port", str(self.port)]
        self._process = subprocess.Popen(
            command, cwd=ROOT, env=self._env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            self._wait_ready()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()

    def _wait_ready(self) -> None:
        assert self._process is not None
        started = time.monotonic()
        with httpx.Client(base_url=self.url, timeout=5) as client:
            while True:
                if self._process.poll() is not None:
                    raise RuntimeError(f"summarizer serve exited {self._process.returncode}")
                try:
                    if client.get("/healthz").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() - started > START_TIMEOUT_S:
                    raise RuntimeError(f"summarizer serve not ready within {START_TIMEOUT_S} s")
                time.sleep(0.05)

    def _stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


class FakeLLMProcess:
    """The fake LLM server (tests/support/fake_llm.py) in a process of its own.

    Every request gets `draft` as a valid structured answer, after `latency_s`.
    """

    def __init__(self, draft: Mapping[str, Any] | None = None, latency_s: float = 0.0) -> None:
        self._draft = dict(draft) if draft is not None else None
        self._latency_s = latency_s
        self._process: subprocess.Popen[str] | None = None
        self._stderr: IO[bytes] | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def pid(self) -> int:
        """The fake server's process id."""
        assert self._process is not None, "not started"
        return self._process.pid

    def __enter__(self) -> FakeLLMProcess:
        self._stderr = tempfile.TemporaryFile()
        command = [sys.executable, __file__, "fake-llm", "--latency", str(self._latency_s)]
        self._process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        try:
            self.port = int(self._ask({"cmd": "port"}))
            if self._draft is not None:
                self.set_draft(self._draft)
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()

    def set_draft(self, draft: Mapping[str, Any]) -> None:
        """Answer every later request with `draft`."""
        self._ask({"cmd": "draft", "draft": dict(draft)})

    def count(self) -> int:
        """Requests received so far."""
        return int(self._ask({"cmd": "count"}))

    def arrivals(self) -> list[float]:
        """`time.monotonic()` of each request's arrival (the clock is shared by processes)."""
        return [float(at) for at in self._ask({"cmd": "arrivals"})]

    def capture_next(self) -> None:
        """Keep the bodies of the next requests, until `last_body` is read."""
        self._ask({"cmd": "capture_next"})

    def last_body(self) -> dict[str, Any]:
        """The JSON body of the last request kept (then bodies are no longer kept)."""
        body = self._ask({"cmd": "last_body"})
        if not isinstance(body, dict):
            raise RuntimeError("the fake LLM has received no request body")
        return body

    def reset(self) -> None:
        """Forget the requests received."""
        self._ask({"cmd": "reset"})

    def _ask(self, command: Mapping[str, Any]) -> Any:
        process = self._process
        assert process is not None and process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps(command) + "\n")
        process.stdin.flush()
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"the fake LLM process stopped: {self._stderr_tail()}")
        return json.loads(line)["value"]

    def _stderr_tail(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read()[-800:].decode(errors="replace")

    def _stop(self) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            assert process.stdin is not None
            try:
                process.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                process.stdin.close()
                process.wait(timeout=15)
            except (OSError, subprocess.TimeoutExpired):
                process.kill()
                process.wait()
        if process is not None and process.stdout is not None:
            process.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


def run_queue_seconds(pid: int) -> float:
    """Time the process's main thread has spent runnable but waiting for a CPU."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9


def machine_busy_seconds() -> float:
    """CPU time the whole machine (every core, every user) has spent busy so far."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@dataclass
class CpuSample:
    """CPU counters of some processes and of the machine at one instant."""

    at: float
    cpu_s: dict[str, float]
    waiting_s: dict[str, float]
    machine_busy_s: float

    @classmethod
    def take(cls, pids: Mapping[str, int]) -> CpuSample:
        """Read the counters now."""
        return cls(
            at=time.monotonic(),
            cpu_s={name: cpu_seconds(pid) for name, pid in pids.items()},
            waiting_s={name: run_queue_seconds(pid) for name, pid in pids.items()},
            machine_busy_s=machine_busy_seconds(),
        )

    def until(self, later: CpuSample) -> dict[str, dict[str, float]]:
        """Per process: CPU seconds, cores used, cores' worth of waiting for a CPU; and the
        machine's busy cores (every user of this shared machine)."""
        span = max(later.at - self.at, 1e-9)
        used: dict[str, dict[str, float]] = {}
        for name, before in self.cpu_s.items():
            seconds = later.cpu_s[name] - before
            waiting = later.waiting_s[name] - self.waiting_s[name]
            used[name] = {
                "cpu_s": round(seconds, 2),
                "cores": round(seconds / span, 3),
                "waiting_for_cpu": round(waiting / span, 3),
            }
        busy = (later.machine_busy_s - self.machine_busy_s) / span
        used["machine"] = {"busy_cores": round(busy, 2), "seconds": round(span, 2)}
        return used


@contextmanager
def cpu_meter(pids: Mapping[str, int]) -> Iterator[dict[str, dict[str, float]]]:
    """On exit, fill the yielded dict with `CpuSample.until` over the block."""
    start = CpuSample.take(pids)
    used: dict[str, dict[str, float]] = {}
    yield used
    used.update(start.until(CpuSample.take(pids)))


# -- load -----------------------------------------------------------------------------


@dataclass
class Load:
    """What a closed-loop load run saw from the client's side."""

    concurrency: int
    elapsed_s: float = 0.0
    latencies_s: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        """Requests answered with a success status."""
        return len(self.latencies_s)

    def report(self) -> dict[str, Any]:
        """Latency percentiles, requests per second and errors."""
        rate = self.requests / self.elapsed_s if self.elapsed_s else 0.0
        return {
            "concurrency": self.concurrency,
            "latency": percentiles(self.latencies_s),
            "requests_per_s": round(rate, 1),
            "errors": dict(self.errors),
        }


async def closed_loop(
    url: str,
    body: bytes,
    *,
    concurrency: int,
    seconds: float,
    server_ms: Callable[[bytes], float | None] | None = None,
    min_requests: int = 0,
) -> Load:
    """POST `body` to `url` from `concurrency` workers, each sending again when answered.

    Stops starting requests after `seconds` (and `min_requests` answers); those in
    flight finish. `server_ms` reads the server's own timing from a successful answer.
    """
    load = Load(concurrency)
    headers = {"content-type": "application/json"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=300, limits=limits) as client:
        started = time.perf_counter()
        deadline = started + seconds

        async def worker() -> None:
            while time.perf_counter() < deadline or load.requests < min_requests:
                sent = time.perf_counter()
                try:
                    response = await client.post(url, content=body, headers=headers)
                except httpx.TransportError as exc:
                    name = type(exc).__name__
                    load.errors[name] = load.errors.get(name, 0) + 1
                    continue
                took = time.perf_counter() - sent
                if response.status_code != 200:
                    key = f"HTTP {response.status_code}"
                    load.errors[key] = load.errors.get(key, 0) + 1
                    if sum(load.errors.values()) > 100:
                        raise RuntimeError(f"too many errors: {load.errors}")
                    continue
                load.latencies_s.append(took)
                if server_ms is not None:
                    value = server_ms(response.content)
                    if value is not None:
                        load.server_ms.append(value)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        load.elapsed_s = time.perf_counter() - started
    return load


def pipeline_ms(content: bytes) -> float | None:
    """The pipeline's own latency (`extraction.latency_ms`) in a summary answer."""
    value = json.loads(content).get("extraction", {}).get("latency_ms")
    return float(value) if value is not None else None


# -- profiles -------------------------------------------------------------------------

IDLE = {("select", "selectors.py"), ("poll", "<built-in>"), ("select", "<built-in>")}


def top_costs(root: Any, limit: int = 12) -> dict[str, Any]:
    """Where a pyinstrument profile's busy time goes: shares by package, by function.

    Time spent waiting in the event loop's selector is idle and left out of the shares.
    """
    by_function: dict[tuple[str, str], float] = {}
    by_package: dict[str, float] = {}
    inclusive: dict[tuple[str, str], float] = {}
    idle = 0.0

    def visit(frame: Any, above: frozenset[tuple[str, str]], caller: str) -> None:
        nonlocal idle
        if frame.is_synthetic:
            return
        key = (frame.function, f"{frame.file_path_short}:{frame.line_no}")
        if (frame.function, Path(frame.file_path_short or "").name) in IDLE:
            idle += frame.time
            return
        own = frame.total_self_time
        by_function[key] = by_function.get(key, 0.0) + own
        # A built-in's time belongs to the code that called it.
        package = caller if frame.file_path == "<built-in>" else _package(frame.file_path or "")
        by_package[package] = by_package.get(package, 0.0) + own
        if key not in above and package.startswith(("service", "schemas")):
            inclusive[key] = inclusive.get(key, 0.0) + frame.time
        for child in frame.children:
            visit(child, above | {key}, package)

    visit(root, frozenset(), "?")
    busy = max(root.time - idle, 1e-9)

    def ranked(values: dict[Any, float], most: int = limit) -> list[tuple[Any, float]]:
        return sorted(values.items(), key=lambda item: -item[1])[:most]

    return {
        "busy_s": round(busy, 3),
        "idle_s": round(idle, 3),
        "self_time_by_package": [
            {"package": name, "share": round(t / busy, 3)} for name, t in ranked(by_package)
        ],
        "self_time_by_function": [
            {"function": f, "where": w, "share": round(t / busy, 3)}
            for (f, w), t in ranked(by_function)
        ],
        "service_functions_inclusive": [
            {"function": f, "where": w, "share": round(t / busy, 3)}
            for (f, w), t in ranked(inclusive, 2 * limit)
        ],
    }


def _package(path: str) -> str:
    """A short owner for a source path: `service.validate`, `pydantic`, `json`..."""
    parts = Path(path).parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    try:
        relative = Path(path).resolve().relative_to(ROOT)
    except ValueError:
        stem = Path(path).name.removesuffix(".py")
        return f"stdlib:{Path(path).parent.name if stem == '__init__' else stem}" if path else "?"
    return ".".join(relative.with_suffix("").parts[:3])


# -- the fake LLM process -------------------------------------------------------------


async def _serve_fake(latency_s: float) -> None:
    """Run the fake LLM server and answer JSON commands read from stdin, one per line."""
    from tests.support.fake_llm import FakeLLM, Reply, delay, ok

    def reply(draft: Mapping[str, Any] | None) -> Reply:
        answer = ok(draft)
        return delay(latency_s, then=answer) if latency_s > 0 else answer

    loop = asyncio.get_running_loop()
    current: Reply = reply(None)
    async with FakeLLM(default=current, capture_bodies=False) as fake:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                return
            command = json.loads(line)
            name = command["cmd"]
            value: Any = None
            if name == "quit":
                return
            if name == "port":
                value = fake.port
            elif name == "draft":
                current = reply(command["draft"])
                fake.set_default(current)
            elif name == "count":
                value = fake.count()
            elif name == "arrivals":
                value = [call.at for call in fake.calls]
            elif name == "capture_next":
                fake.capture_bodies = True
            elif name == "last_body":
                bodies = [call.body for call in fake.calls if call.body is not None]
                value = bodies[-1] if bodies else None
                fake.capture_bodies = False
            elif name == "reset":
                fake.reset()
                fake.set_default(current)
            sys.stdout.write(json.dumps({"value": value}) + "\n")
            sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description="Service benchmark plumbing.")
    sub = parser.add_subparsers(dest="what", required=True)
    fake = sub.add_parser("fake-llm", help="Serve the fake LLM; commands as JSON on stdin.")
    fake.add_argument("--latency", type=float, default=0.0, help="Seconds before each answer.")
    args = parser.parse_args()
    asyncio.run(_serve_fake(args.latency))


if __name__ == "__main__":
    main()
