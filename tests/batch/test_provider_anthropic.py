"""`--mode provider-batch` over a respx fake of Anthropic's Message Batches API."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from service.backends import build_backends, close_backends
from service.batch.provider_anthropic import AnthropicBatches
from service.batch.provider_state import BatchState, PendingRecord, custom_id
from service.batch.records import Locator, Record, text_key
from service.batch.runner import to_article
from service.pipeline import Pipeline
from tests.backends import SECRET, FakeSleep, fixture
from tests.batch.test_provider_batch import (
    HEADLINE,
    Killed,
    archive,
    kill_around_submit,
    llm_settings,
    rows,
    run,
    text,
)
from tests.batch.test_provider_fakes import (
    ANTHROPIC,
    FakeAnthropicBatches,
    errored,
    message,
    succeeded,
    ungrounded_draft,
)

pytestmark = pytest.mark.usefixtures("keys")

CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)


@pytest.fixture
def sync_route(router: respx.MockRouter) -> respx.Route:
    """The synchronous Messages endpoint, answering with a grounded draft."""
    return router.post(f"{ANTHROPIC}/messages").mock(
        return_value=httpx.Response(200, json=message())
    )


def only_batch(fake: FakeAnthropicBatches) -> str:
    (batch_id,) = fake.batches
    return batch_id


async def test_every_kind_of_result_is_written_once_waiting_for_the_batch(
    tmp_path: Path, router: respx.MockRouter, sync_route: respx.Route
) -> None:
    where = archive(tmp_path, rows(7))
    fake = FakeAnthropicBatches(router)
    results = {
        "a0": succeeded(message()),
        "a1": succeeded(message(ungrounded_draft())),
        "a2": succeeded(fixture("anthropic_messages_max_tokens.json")),
        "a3": succeeded(fixture("anthropic_messages_refusal.json")),
        "a4": errored("overloaded_error", "Overloaded"),
        "a5": {"type": "expired"},
        "a6": {"type": "canceled"},
    }

    class EndOnFirstSleep(FakeSleep):
        async def __call__(self, delay: float) -> None:
            await super().__call__(delay)
            batch_id = only_batch(fake)
            cids = {custom_id(rid): rid for rid in results}
            fake.finish(batch_id, lambda cid, _params: results[cids[cid]])

    sleep = EndOnFirstSleep()
    counts = await run(where, llm_settings("anthropic"), wait=True, sleep=sleep)

    assert sleep.delays == [45.0]
    lines = where.by_id()
    assert sorted(lines) == sorted(results)
    assert lines["a0"]["via"] == "provider-batch"
    assert lines["a0"]["summary"]["extraction"]["input_tokens"] == 2120
    reasons = {rid: lines[rid]["fallback_reason"] for rid in sorted(results)[1:]}
    assert "failed the checks" in reasons["a1"]
    assert "truncated" in reasons["a2"]
    assert "refused" in reasons["a3"]
    assert reasons["a4"] == "errored: overloaded_error: Overloaded"
    assert (reasons["a5"], reasons["a6"]) == ("expired", "canceled")
    for rid in sorted(results)[1:]:
        assert (lines[rid]["via"], lines[rid]["status"]) == ("sync-fallback", "ok")
        assert lines[rid]["summary"]["headline"] == HEADLINE
    assert sync_route.call_count == 6
    assert (counts.via_batch, counts.via_sync, counts.pending) == (1, 6, 0)
    assert where.state_body()["batches"] == []


async def test_each_batch_request_is_the_synchronous_request(
    tmp_path: Path,
    router: respx.MockRouter,
    sync_route: respx.Route,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("service.prompts.new_nonce", lambda: "0dd5eed0dd5eed00")
    settings = llm_settings("anthropic", max_output_tokens=2500)
    where = archive(tmp_path, rows(1))
    record = Record("a0", text(0), Locator("x"), published_at="2025-01-09")
    article = to_article("a0", record, settings.max_article_chars)
    assert not isinstance(article, tuple)
    backends = build_backends(settings)
    try:
        await Pipeline(settings, backends).summarize(article)
    finally:
        await close_backends(backends)
    fake = FakeAnthropicBatches(router)

    await run(where, settings)

    (request,) = fake.requests(only_batch(fake))
    synchronous = json.loads(sync_route.calls[0].request.content)
    assert request["params"] == synchronous
    assert set(synchronous) >= {"model", "max_tokens", "system", "messages", "tools"}
    assert synchronous["max_tokens"] == 2500


async def test_record_ids_unfit_for_custom_ids_map_back_to_their_records(
    tmp_path: Path, router: respx.MockRouter
) -> None:
    ids = ["https://example.org/news?id=1&x=é", "a b/c", "x" * 300, "same", "same"]
    data: list[dict[str, Any]] = [
        {"id": rid, "text": text(n), "published_at": "2025-01-09"} for n, rid in enumerate(ids)
    ]
    where = archive(tmp_path, data)
    fake = FakeAnthropicBatches(router)
    await run(where, llm_settings("anthropic"))
    sent = [request["custom_id"] for request in fake.requests(only_batch(fake))]
    assert len(set(sent)) == 5 and all(CUSTOM_ID.match(cid) for cid in sent)

    fake.finish(only_batch(fake), lambda _cid, _params: succeeded(message()))
    counts = await run(where, llm_settings("anthropic"))

    assert sorted(line["id"] for line in where.lines()) == sorted([*ids[:4], "same#2"])
    assert counts.via_batch == 5


async def test_a_batch_the_provider_no_longer_knows_goes_synchronous(
    tmp_path: Path, router: respx.MockRouter, sync_route: respx.Route
) -> None:
    where = archive(tmp_path, rows(1))
    FakeAnthropicBatches(router)
    state = BatchState(provider="anthropic", backend="llm", model="claude-haiku-4-5")
    pending = PendingRecord(id="a0", text_sha256=text_key(text(0)))
    state.add("msgbatch_01Unknown", "in_progress", {custom_id("a0"): pending})
    state.save(where.state)

    counts = await run(where, llm_settings("anthropic"))

    (line,) = where.lines()
    assert (line["via"], line["status"]) == ("sync-fallback", "ok")
    assert "no longer known" in line["fallback_reason"]
    assert (sync_route.call_count, counts.submitted) == (1, 0)
    assert where.state_body()["batches"] == []


async def test_a_kill_right_after_creating_the_batch_collects_it_not_a_copy(
    tmp_path: Path,
    router: respx.MockRouter,
    sync_route: respx.Route,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeAnthropicBatches(router)
    (tmp_path / "other").mkdir()
    await run(archive(tmp_path / "other", rows(2)), llm_settings("anthropic"))  # 2 requests
    (other,) = fake.batches
    where = archive(tmp_path, rows(3))
    restart = kill_around_submit(monkeypatch, AnthropicBatches, after=True)
    with pytest.raises(Killed):
        await run(where, llm_settings("anthropic"))
    mine = next(b for b in fake.batches if b != other)
    restart()

    again = await run(where, llm_settings("anthropic"))

    assert fake.create.call_count == 2  # the other run's and ours: none created again
    assert (again.submitted, again.batches) == (0, [mine])
    fake.finish(mine, lambda _cid, _params: succeeded(message()))
    collected = await run(where, llm_settings("anthropic"))
    assert (collected.via_batch, sync_route.call_count, len(where.lines())) == (3, 0, 3)
