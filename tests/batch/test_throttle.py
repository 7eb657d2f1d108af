"""The run's rate limits, checked on a virtual clock: calls spread as the limiter says."""

from __future__ import annotations

import asyncio
import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from schemas import SummaryDraft
from service.backends.base import ExtractionRequest, RawExtraction
from service.backends.offline import OfflineBackend
from service.batch.ledger import Ledger
from service.batch.readers import FieldMap, JsonlReader
from service.batch.runner import BatchRunner, RunOptions, fingerprint
from service.batch.throttle import (
    Throttle,
    ThrottledBackend,
    estimate_tokens,
    least_call_tokens,
    throttled,
)
from service.config import Settings
from service.pipeline import Pipeline
from tests.backends import request
from tests.batch.conftest import CountingBackend, article, output_lines, write_jsonl
from tests.batch.test_cli import invoke


class VirtualClock:
    """The running loop's clock, moved only by the test (aiolimiter reads `loop.time()`)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 0.0
        monkeypatch.setattr(asyncio.get_running_loop(), "time", lambda: self.now)

    async def settle(self) -> None:
        """Let every task run until it waits for the clock."""
        for _ in range(300):
            await asyncio.sleep(0)


class TimedBackend(CountingBackend):
    """Counts calls and notes the (virtual) time of each."""

    def __init__(self, inner: OfflineBackend) -> None:
        super().__init__(inner, name="wire", kind="openai", model="wire-1")
        self.times: list[float] = []

    async def extract(self, request: ExtractionRequest) -> RawExtraction:
        self.times.append(asyncio.get_running_loop().time())
        return await super().extract(request)


async def test_max_rpm_60_spreads_calls_one_a_second(
    tmp_path: Path, offline: OfflineBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = VirtualClock(monkeypatch)
    backend = TimedBackend(offline)
    throttle = Throttle(max_rpm=60)
    settings = Settings(max_attempts=1)
    pipeline = Pipeline(settings, throttled({"wire": backend}, throttle))  # type: ignore[dict-item]
    rows: list[dict[str, Any] | bytes] = [{"id": f"r{i}", "text": article(i)} for i in range(5)]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    ledger = Ledger.open(out, fingerprint(pipeline, "wire"), resume=False, force=False)
    runner = BatchRunner(pipeline, ledger, RunOptions(concurrency=5, backend="wire"))
    task = asyncio.create_task(runner.run(JsonlReader(FieldMap()).read(source)))
    calls_by_second = []
    for _ in range(6):
        await clock.settle()
        calls_by_second.append(backend.calls)
        clock.now += 1.0
    await task
    ledger.close()
    assert calls_by_second == [1, 2, 3, 4, 5, 5]
    assert backend.times == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert throttle.calls == 5 and len(output_lines(out)) == 5


async def test_max_tpm_charges_each_call_before_it_is_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = VirtualClock(monkeypatch)
    throttle = Throttle(max_tpm=10_000)
    done: list[float] = []

    async def call() -> None:
        await throttle.acquire(4_000)
        done.append(clock.now)

    tasks = [asyncio.create_task(call()) for _ in range(3)]
    await clock.settle()
    assert len(done) == 2  # 8,000 of 10,000 tokens
    clock.now = 11.9
    await clock.settle()
    assert len(done) == 2
    clock.now = 12.0  # 2,000 tokens drained at 10,000 a minute
    await clock.settle()
    await asyncio.gather(*tasks)
    assert done == [0.0, 0.0, 12.0] and throttle.tokens_charged == 12_000


async def test_a_call_over_a_minute_of_tokens_waits_for_a_full_bucket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = VirtualClock(monkeypatch)
    throttle = Throttle(max_tpm=1_000)
    await throttle.acquire(600)
    late = asyncio.create_task(throttle.acquire(50_000))
    await clock.settle()
    assert not late.done()
    clock.now = 36.0  # the bucket is empty again: the whole minute is charged
    await clock.settle()
    assert late.done() and throttle.tokens_charged == 50_600


def test_the_estimate_counts_prompt_bytes_schema_and_output_cap() -> None:
    plain = request(max_output_tokens=2048)
    schema = len(json.dumps(SummaryDraft.model_json_schema()).encode("utf-8"))
    prompt = len((plain.prompt.system + plain.prompt.user).encode("utf-8"))
    assert estimate_tokens(plain) == math.ceil((prompt + schema) / 4) + 2048
    assert least_call_tokens(2048) == math.ceil(schema / 4) + 2048
    latin = replace(plain, prompt=replace(plain.prompt, user="Bamako " * 500))
    cyrillic = replace(plain, prompt=replace(plain.prompt, user="Бамако " * 500))
    assert estimate_tokens(cyrillic) - estimate_tokens(latin) == 750  # 3,000 more bytes
    reask = replace(plain, feedback=("x" * 400,), previous_output="y" * 800)
    assert estimate_tokens(reask) == estimate_tokens(plain) + 300


def test_offline_is_not_limited_unless_asked(offline: OfflineBackend) -> None:
    wire = CountingBackend(offline, name="wire", kind="openai", model="wire-1")
    backends = {"offline": offline, "wire": wire}
    limited = throttled(backends, Throttle(max_rpm=60))  # type: ignore[arg-type]
    assert limited["offline"] is offline
    assert isinstance(limited["wire"], ThrottledBackend)
    assert (limited["wire"].name, limited["wire"].kind, limited["wire"].model) == (
        "wire", "openai", "wire-1",
    )  # fmt: skip
    everything = throttled(backends, Throttle(max_tpm=10_000), include_offline=True)  # type: ignore[arg-type]
    assert all(isinstance(b, ThrottledBackend) for b in everything.values())
    assert throttled(backends, Throttle()) == backends  # type: ignore[arg-type]


def test_concurrency_is_lowered_to_what_the_limits_serve_within_the_deadline() -> None:
    # Half of a 120 s deadline: 10 calls at 10 a minute; 4 calls of 5,000 at 20,000 a minute.
    assert Throttle(max_rpm=10).fitting_concurrency(64, 5_000, 120.0) == 10
    assert Throttle(max_tpm=20_000).fitting_concurrency(64, 5_000, 120.0) == 4
    assert Throttle(max_rpm=600).fitting_concurrency(8, 5_000, 120.0) == 8
    assert Throttle(max_rpm=1).fitting_concurrency(8, 5_000, 60.0) == 1


def test_the_command_applies_the_limits(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": article(1)}])
    out = tmp_path / "out.jsonl"
    code, _, stderr = invoke(
        str(source), "-o", str(out), "--max-rpm", "1", "--limit-offline", "--concurrency", "8"
    )
    assert code == 0, stderr
    assert "concurrency lowered to 1" in stderr
    code, _, stderr = invoke(str(source), "-o", str(out), "--resume", "--max-rpm", "1")
    assert code == 0 and "concurrency lowered" not in stderr  # offline: not limited
    code, _, stderr = invoke(str(source), "-o", str(out), "--resume", "--max-tpm", "0")
    assert code == 2 and "--max-tpm" in stderr
