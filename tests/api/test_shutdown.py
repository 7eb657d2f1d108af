"""Graceful shutdown of a real `summarizer serve`: SIGTERM while a slow request is in flight.

/readyz turns 503 at once, the request in flight still gets its 200, and the process
exits 0 after draining.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.reliability.report import record
from tests.reliability.serve import free_port, start, wait_until
from tests.support.fake_llm import CHAT, FakeLLM, delay, ok
from tests.support.fakes import ARTICLE

pytestmark = pytest.mark.slow

GRACE_S = 1.5
LLM_DELAY_S = 3.0


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    with FakeLLM(default=delay(LLM_DELAY_S, then=ok())) as server:
        yield server


def test_sigterm_turns_readyz_503_drains_the_request_in_flight_and_exits_0(
    fake: FakeLLM,
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start(
        port,
        SUMMARIZER_BACKENDS=json.dumps({"gpt": fake.backend_config("openai").model_dump()}),
        SUMMARIZER_CHAIN='["gpt"]',
        SUMMARIZER_SHUTDOWN_GRACE_S=str(GRACE_S),
    )
    try:
        assert httpx.get(base + "/readyz").status_code == 200
        slow: dict[str, httpx.Response] = {}

        def post() -> None:
            slow["response"] = httpx.post(
                base + "/v1/summaries", json={"text": ARTICLE}, timeout=30
            )

        worker = threading.Thread(target=post)
        worker.start()
        wait_until(lambda: fake.count(CHAT) == 1, 10, "the request to reach the LLM")
        process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        wait_until(
            lambda: httpx.get(base + "/readyz").status_code == 503, 1.0, "/readyz to say 503"
        )
        unready_after = time.monotonic() - signalled
        draining = httpx.get(base + "/readyz")
        other = httpx.get(base + "/v1/backends")  # still served during the grace
        worker.join(timeout=30)
        code = process.wait(timeout=30)
        stopped_after = time.monotonic() - signalled
    finally:
        if process.poll() is None:
            process.kill()
        stderr = process.communicate(timeout=10)[1]
    assert draining.json()["code"] == "shutting_down"
    assert other.status_code == 200
    assert slow["response"].status_code == 200, slow["response"].text
    assert slow["response"].json()["extraction"]["backend"] == "gpt"
    assert code == 0, stderr[-2000:]
    assert stopped_after >= GRACE_S
    messages = [json.loads(line)["message"] for line in stderr.splitlines() if line.startswith("{")]
    assert "SIGTERM: draining" in messages
    record(
        "sigterm_graceful_drain",
        readyz_503_after_ms=round(unready_after * 1000, 1),
        grace_s=GRACE_S,
        in_flight_request_status=slow["response"].status_code,
        stopped_after_s=round(stopped_after, 2),
        exit_code=code,
    )
