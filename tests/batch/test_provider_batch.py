"""`--mode provider-batch` over a respx fake of the OpenAI Batch API.

Each call builds new settings, backends, pipeline and ledger, as a new process would.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from schemas import SummaryDraft
from service.backends import build_backends, close_backends
from service.batch.ledger import Ledger
from service.batch.provider import ProviderCounts, run_provider_batch
from service.batch.provider_api import BatchLimits
from service.batch.provider_openai import OpenAIBatches
from service.batch.provider_state import BatchState, BatchStateError, batches_path
from service.batch.readers import FieldMap, JsonlReader
from service.batch.records import Locator, Record
from service.batch.runner import RunOptions, fingerprint, to_article
from service.config import BackendConfig, RetryPolicy, Settings
from service.errors import ConfigError
from service.pipeline import Pipeline
from tests.backends import ARTICLE_TEXT, SECRET, FakeSleep, fixture
from tests.batch.conftest import output_lines, write_jsonl
from tests.batch.test_provider_fakes import (
    OPENAI,
    FakeOpenAIBatches,
    answered,
    chat_completion,
    openai_error,
    request_failed,
    ungrounded_draft,
)

HEADLINE = SummaryDraft.model_validate(fixture("summary_draft.json")).headline
OLLAMA = "http://127.0.0.1:11434/v1"
CONTENT_ANSWER = fixture("openai_chat_completion_json_schema.json")
"""The answer of the json_schema and json modes: the draft as message content."""


def text(n: int) -> str:
    """A distinct article on which the fixture draft is grounded."""
    return f"{ARTICLE_TEXT}Desk note {n}.\n"


def rows(count: int) -> list[dict[str, Any]]:
    return [{"id": f"a{n}", "text": text(n), "published_at": "2025-01-09"} for n in range(count)]


def llm_settings(kind: str = "openai", **overrides: Any) -> Settings:
    """One LLM backend 'llm', first in the chain, retrying at once."""
    fields: dict[str, Any] = {
        "kind": kind,
        "model": "gpt-4o" if kind == "openai" else "claude-haiku-4-5",
        "retry": RetryPolicy(max_attempts=2, base_delay_s=0.0, max_delay_s=0.0),
    }
    fields.update(overrides)
    return Settings(backends={"llm": BackendConfig(**fields)}, chain=["llm"])


@dataclass
class Archive:
    """An input file and the output of batch runs over it."""

    source: Path
    out: Path

    @property
    def state(self) -> Path:
        return batches_path(self.out)

    def lines(self) -> list[dict[str, Any]]:
        return output_lines(self.out) if self.out.exists() else []

    def by_id(self) -> dict[str, dict[str, Any]]:
        return {line["id"]: line for line in self.lines()}

    def state_body(self) -> dict[str, Any]:
        body: dict[str, Any] = json.loads(self.state.read_text(encoding="utf-8"))
        return body


def archive(tmp_path: Path, data: list[dict[str, Any]]) -> Archive:
    return Archive(write_jsonl(tmp_path / "in.jsonl", data), tmp_path / "out.jsonl")


async def run(
    where: Archive,
    settings: Settings,
    *,
    wait: bool = False,
    sleep: Any = None,
    backend: str | None = None,
    **kwargs: Any,
) -> ProviderCounts:
    """One call of the command: fresh backends, pipeline and ledger."""
    backends = build_backends(settings)
    pipeline = Pipeline(settings, backends)
    ledger = Ledger.open(
        where.out, fingerprint(pipeline, backend), resume=where.out.exists(), force=False
    )
    try:
        return await run_provider_batch(
            pipeline,
            ledger,
            JsonlReader(FieldMap()).read(where.source),
            RunOptions(concurrency=2, backend=backend),
            state_path=where.state,
            wait=wait,
            poll_interval_s=45.0,
            sleep=sleep or FakeSleep(),
            **kwargs,
        )
    finally:
        ledger.close()
        await close_backends(backends)


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)


@pytest.fixture
def sync_route(router: respx.MockRouter) -> respx.Route:
    """The synchronous chat completions endpoint, answering with a grounded draft."""
    return router.post(f"{OPENAI}/chat/completions").mock(
        return_value=httpx.Response(200, json=chat_completion())
    )


def only_batch(fake: FakeOpenAIBatches) -> str:
    (batch_id,) = fake.batches
    return batch_id


@pytest.mark.usefixtures("keys")
async def test_submit_then_collect_in_later_calls(
    tmp_path: Path,
    router: respx.MockRouter,
    sync_route: respx.Route,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    where = archive(tmp_path, rows(3))
    fake = FakeOpenAIBatches(router)

    first = await run(where, llm_settings())

    batch_id = only_batch(fake)
    assert (first.submitted, first.pending, first.batches) == (3, 3, [batch_id])
    message = first.pending_message()
    assert message is not None and batch_id in message and "run the same command again" in message
    assert where.lines() == []
    state = where.state_body()
    assert (state["provider"], state["backend"]) == ("openai", "llm")
    (pending,) = state["batches"]
    assert pending["id"] == batch_id
    assert sorted(r["id"] for r in pending["requests"].values()) == ["a0", "a1", "a2"]
    assert "Sévaré" not in where.state.read_text(encoding="utf-8")  # no article text
    sent = fake.requests(batch_id)
    assert {(line["method"], line["url"]) for line in sent} == {("POST", "/v1/chat/completions")}
    assert set(pending["requests"]) == {line["custom_id"] for line in sent}

    second = await run(where, llm_settings())  # not finished yet: nothing to write
    assert (second.submitted, second.pending, where.lines()) == (0, 3, [])
    assert where.state_body()["batches"][0]["status"] == "in_progress"

    fake.finish(batch_id, lambda _cid, _body: answered(chat_completion()))
    third = await run(where, llm_settings())

    lines = where.by_id()
    assert sorted(lines) == ["a0", "a1", "a2"]
    for line in lines.values():
        assert (line["status"], line["via"], line["batch_id"]) == ("ok", "provider-batch", batch_id)
        assert line["summary"]["headline"] == HEADLINE
        extraction = line["summary"]["extraction"]
        assert (extraction["backend"], extraction["input_tokens"]) == ("llm", 1843)
    assert (third.via_batch, third.via_sync, third.pending, third.ok) == (3, 0, 0, 3)
    assert sync_route.call_count == 0
    assert where.state_body()["batches"] == []
    assert where.state_body()["collected"] == 3

    fourth = await run(where, llm_settings())
    assert (fourth.skipped, fourth.submitted, len(where.lines())) == (3, 0, 3)
    assert "batch collected" in caplog.text
    assert "Sévaré" not in caplog.text and SECRET not in caplog.text


@pytest.mark.parametrize("mode", ["tools", "json_schema", "json"])
@pytest.mark.usefixtures("keys")
async def test_each_batch_request_is_the_synchronous_request(
    tmp_path: Path, router: respx.MockRouter, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    monkeypatch.setattr("service.prompts.new_nonce", lambda: "0dd5eed0dd5eed00")
    settings = llm_settings(mode=mode, max_output_tokens=3000)
    data = [{"id": "a0", "text": text(0), "published_at": "2025-01-09", "title": 'The "quote"'}]
    where = archive(tmp_path, data)
    answer = chat_completion() if mode == "tools" else CONTENT_ANSWER
    sync = router.post(f"{OPENAI}/chat/completions").mock(
        return_value=httpx.Response(200, json=answer)
    )
    record = Record("a0", text(0), Locator("x"), published_at="2025-01-09", title='The "quote"')
    article = to_article("a0", record, settings.max_article_chars)
    assert not isinstance(article, tuple)
    backends = build_backends(settings)
    try:
        await Pipeline(settings, backends).summarize(article)
    finally:
        await close_backends(backends)
    fake = FakeOpenAIBatches(router)

    await run(where, settings)

    (line,) = fake.requests(only_batch(fake))
    assert line["body"] == json.loads(sync.calls[0].request.content)
    assert line["body"]["max_tokens"] == 3000


@pytest.mark.usefixtures("keys")
async def test_answers_that_fail_reading_or_checks_go_through_the_synchronous_path(
    tmp_path: Path, router: respx.MockRouter, sync_route: respx.Route
) -> None:
    where = archive(tmp_path, rows(4))
    fake = FakeOpenAIBatches(router)
    await run(where, llm_settings())
    batch_id = only_batch(fake)
    sent = {line["custom_id"]: line for line in fake.requests(batch_id)}
    state = where.state_body()["batches"][0]["requests"]
    record_of = {cid: state[cid]["id"] for cid in sent}
    answers = {
        "a0": answered(chat_completion()),
        "a1": answered(chat_completion(ungrounded_draft())),
        "a2": answered(fixture("openai_chat_completion_length.json")),
        "a3": answered(fixture("openai_chat_completion_refusal.json")),
    }
    fake.finish(batch_id, lambda cid, _body: answers[record_of[cid]])

    counts = await run(where, llm_settings())

    lines = where.by_id()
    assert lines["a0"]["via"] == "provider-batch"
    reasons = {rid: lines[rid].get("fallback_reason", "") for rid in ("a1", "a2", "a3")}
    assert "failed the checks" in reasons["a1"]
    assert "truncated" in reasons["a2"]
    assert "refused" in reasons["a3"]
    for rid in ("a1", "a2", "a3"):
        assert (lines[rid]["status"], lines[rid]["via"]) == ("ok", "sync-fallback")
        assert lines[rid]["summary"]["headline"] == HEADLINE
    assert sync_route.call_count == 3
    assert (counts.via_batch, counts.via_sync, counts.ok) == (1, 3, 4)


@pytest.mark.usefixtures("keys")
async def test_expired_batch_collects_the_output_file_and_redoes_the_rest(
    tmp_path: Path, router: respx.MockRouter, sync_route: respx.Route
) -> None:
    where = archive(tmp_path, rows(3))
    fake = FakeOpenAIBatches(router)
    await run(where, llm_settings())
    batch_id = only_batch(fake)
    first, second, third = (line["custom_id"] for line in fake.requests(batch_id))
    answers = {
        first: answered(chat_completion()),
        second: request_failed("batch_expired", "This request could not be executed before "
                               "the completion window expired."),
        third: answered(openai_error("The server had an error", "server_error"), status=500),
    }  # fmt: skip
    fake.finish(batch_id, lambda cid, _body: answers[cid], status="expired")

    counts = await run(where, llm_settings())

    vias = sorted(line["via"] for line in where.lines())
    assert vias == ["provider-batch", "sync-fallback", "sync-fallback"]
    reasons = " | ".join(line.get("fallback_reason", "") for line in where.lines())
    assert "batch_expired" in reasons and "HTTP 500" in reasons
    assert sync_route.call_count == 2 and counts.ok == 3
    assert where.state_body()["batches"] == []


@pytest.mark.usefixtures("keys")
async def test_a_failed_batch_is_sent_again_once_then_its_records_go_synchronous(
    tmp_path: Path, router: respx.MockRouter, sync_route: respx.Route
) -> None:
    where = archive(tmp_path, rows(2))
    fake = FakeOpenAIBatches(router)
    await run(where, llm_settings())
    first = only_batch(fake)
    fake.fail(first, "token_limit_exceeded", "Enqueued token limit reached for gpt-4o.")

    again = await run(where, llm_settings())

    second = next(b for b in fake.batches if b != first)
    resent = [request["custom_id"] for request in fake.requests(second)]
    assert resent == [request["custom_id"] for request in fake.requests(first)]
    assert (again.submitted, again.pending, where.lines()) == (2, 2, [])
    assert any(first in note and "submitted again" in note for note in again.notes)
    assert [batch["id"] for batch in where.state_body()["batches"]] == [second]
    fake.fail(second, "token_limit_exceeded", "Enqueued token limit reached for gpt-4o.")

    counts = await run(where, llm_settings())

    lines = where.lines()
    assert [line["via"] for line in lines] == ["sync-fallback", "sync-fallback"]
    assert all("Enqueued token limit" in line["fallback_reason"] for line in lines)
    assert sync_route.call_count == 2 and counts.via_sync == 2 and not counts.has_failures
    assert len(fake.batches) == 2 and where.state_body()["batches"] == []


async def test_a_server_without_batch_api_goes_synchronous_with_a_warning(
    tmp_path: Path, router: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    settings = llm_settings(model="llama3.1", base_url=OLLAMA, mode="json")
    files = router.post(f"{OLLAMA}/files").mock(return_value=httpx.Response(404, text="404 page"))
    body = fixture("ollama_openai_chat_completion.json")["body"]
    sync = router.post(f"{OLLAMA}/chat/completions").mock(
        return_value=httpx.Response(200, json=body)
    )
    where = archive(tmp_path, rows(3))

    counts = await run(where, settings)

    assert files.call_count == 1 and sync.call_count == 3
    assert [line["via"] for line in where.lines()] == ["sync-fallback"] * 3
    assert all("no batch API" in line["fallback_reason"] for line in where.lines())
    assert (counts.submitted, counts.pending, counts.via_sync) == (0, 0, 3)
    assert any("no batch API" in note for note in counts.notes)
    assert "no batch API" in caplog.text
    assert not where.state.exists()


@pytest.mark.usefixtures("keys")
async def test_duplicate_texts_are_sent_once_and_every_record_gets_one_line(
    tmp_path: Path, router: respx.MockRouter
) -> None:
    data = [*rows(2), {"id": "copy", "text": "  " + text(1), "published_at": "2025-01-09"}]
    where = archive(tmp_path, data)
    fake = FakeOpenAIBatches(router)
    await run(where, llm_settings())
    assert len(fake.requests(only_batch(fake))) == 2
    fake.finish(only_batch(fake), lambda _cid, _body: answered(chat_completion()))

    counts = await run(where, llm_settings())

    lines = where.by_id()
    assert sorted(lines) == ["a0", "a1", "copy"]
    assert lines["copy"]["duplicate_of"] == "a1"
    assert lines["copy"]["summary"]["article"]["id"] == "copy"
    assert counts.duplicates == 1 and counts.via_batch == 2
    copy_text = "  " + text(1)  # reflowed: every quote must point into the copy's own text
    quotes = list(evidence_of(lines["copy"]["summary"]))
    assert quotes and all(copy_text[q["start"] : q["end"]] == q["quote"] for q in quotes)
    assert all(q["start"] >= 2 for q in quotes)


def evidence_of(node: Any) -> Iterator[dict[str, Any]]:
    """Every grounded evidence quote anywhere in a summary."""
    if isinstance(node, dict):
        if "quote" in node and node.get("start") is not None:
            yield node
        for value in node.values():
            yield from evidence_of(value)
    elif isinstance(node, list):
        for value in node:
            yield from evidence_of(value)


@pytest.mark.usefixtures("keys")
async def test_a_kill_before_the_state_is_updated_loses_and_repeats_nothing(
    tmp_path: Path, router: respx.MockRouter, sync_route: respx.Route
) -> None:
    where = archive(tmp_path, rows(4))
    fake = FakeOpenAIBatches(router)
    await run(where, llm_settings())
    fake.finish(only_batch(fake), lambda _cid, _body: answered(chat_completion()))
    state_before = where.state.read_bytes()
    await run(where, llm_settings())
    # Killed while writing: one line whole, the next torn, the state not yet updated.
    whole = where.out.read_bytes().splitlines(keepends=True)
    where.out.write_bytes(whole[0] + whole[1][: len(whole[1]) // 2])
    where.state.write_bytes(state_before)
    downloads = fake.content.call_count

    counts = await run(where, llm_settings())

    ids = [line["id"] for line in where.lines()]
    assert sorted(ids) == ["a0", "a1", "a2", "a3"]
    assert (counts.skipped, counts.via_batch) == (1, 3)
    assert fake.content.call_count > downloads  # the results were read again
    assert sync_route.call_count == 0
    assert where.state_body()["batches"] == []


@pytest.mark.usefixtures("keys")
async def test_waiting_polls_at_the_interval_until_the_batch_ends(
    tmp_path: Path, router: respx.MockRouter
) -> None:
    where = archive(tmp_path, rows(2))
    fake = FakeOpenAIBatches(router)

    class EndOnSecondSleep(FakeSleep):
        async def __call__(self, delay: float) -> None:
            await super().__call__(delay)
            if len(self.delays) == 2:
                fake.finish(only_batch(fake), lambda _cid, _body: answered(chat_completion()))

    sleep = EndOnSecondSleep()
    counts = await run(where, llm_settings(), wait=True, sleep=sleep)

    assert sleep.delays == [45.0, 45.0]
    assert fake.retrieve.call_count == 3
    assert (counts.via_batch, counts.pending, len(where.lines())) == (2, 0, 2)


@pytest.mark.usefixtures("keys")
async def test_batches_stay_within_the_request_and_byte_limits(
    tmp_path: Path, router: respx.MockRouter
) -> None:
    fake = FakeOpenAIBatches(router)
    (tmp_path / "by-count").mkdir()
    (tmp_path / "by-size").mkdir()

    counts = await run(
        archive(tmp_path / "by-count", rows(5)),
        llm_settings(),
        limits=BatchLimits(max_requests=2, max_bytes=10**9),
    )

    assert sorted(len(fake.requests(b)) for b in fake.batches) == [1, 2, 2]
    assert counts.submitted == 5
    files = [fake.files[batch["input_file_id"]] for batch in fake.batches.values()]
    line_bytes = max(len(line) + 1 for data in files for line in data.splitlines())
    fake.batches.clear()

    await run(
        archive(tmp_path / "by-size", rows(3)),
        llm_settings(),
        limits=BatchLimits(max_requests=100, max_bytes=2 * line_bytes),
    )

    assert sorted(len(fake.requests(b)) for b in fake.batches) == [1, 2]
    assert all(len(fake.files[b["input_file_id"]]) <= 2 * line_bytes for b in fake.batches.values())


async def test_the_offline_backend_has_no_batch_api(tmp_path: Path) -> None:
    where = archive(tmp_path, rows(1))
    with pytest.raises(ConfigError, match="offline.*no batch API"):
        await run(where, Settings())
    assert where.lines() == [] and not where.state.exists()


@pytest.mark.usefixtures("keys")
async def test_pending_batches_of_another_backend_are_not_dropped(
    tmp_path: Path, router: respx.MockRouter
) -> None:
    where = archive(tmp_path, rows(1))
    other = BatchState(provider="anthropic", backend="claude", model="claude-haiku-4-5")
    other.add("msgbatch_01", "in_progress", {})
    other.save(where.state)
    FakeOpenAIBatches(router)

    with pytest.raises(BatchStateError, match="'claude'"):
        await run(where, llm_settings())
    assert json.loads(where.state.read_text(encoding="utf-8"))["batches"][0]["id"] == "msgbatch_01"


class Killed(Exception):
    """The process dies here."""


def kill_around_submit(
    monkeypatch: pytest.MonkeyPatch, api: type[Any], *, after: bool
) -> Callable[[], None]:
    """Make the API's `submit` die before the batch is created, or right after; return
    what puts the real one back (as a new process would have it)."""
    real = api.submit

    async def submit(self: Any, entries: list[bytes], token: str) -> Any:
        if after:
            await real(self, entries, token)
        raise Killed

    monkeypatch.setattr(api, "submit", submit)
    return lambda: monkeypatch.setattr(api, "submit", real)


@pytest.mark.usefixtures("keys")
async def test_a_kill_right_after_creating_the_batch_does_not_pay_for_it_twice(
    tmp_path: Path,
    router: respx.MockRouter,
    sync_route: respx.Route,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeOpenAIBatches(router)
    (tmp_path / "other").mkdir()
    await run(archive(tmp_path / "other", rows(3)), llm_settings())  # another run's batch
    (other,) = fake.batches
    where = archive(tmp_path, rows(3))
    restart = kill_around_submit(monkeypatch, OpenAIBatches, after=True)

    with pytest.raises(Killed):
        await run(where, llm_settings())

    mine = next(b for b in fake.batches if b != other)
    (intent,) = where.state_body()["submitting"]
    assert where.state_body()["batches"] == []
    assert fake.batches[mine]["metadata"] == {"summarizer_submission": intent["token"]}
    assert sorted(r["id"] for r in intent["requests"].values()) == ["a0", "a1", "a2"]
    restart()

    again = await run(where, llm_settings())

    assert fake.create.call_count == 2 and fake.listing.call_count == 1  # no second batch
    assert (again.submitted, again.pending, again.batches) == (0, 3, [mine])
    assert any(mine in note and "interrupted run" in note for note in again.notes)
    state = where.state_body()
    assert state["submitting"] == [] and [b["id"] for b in state["batches"]] == [mine]
    fake.finish(mine, lambda _cid, _body: answered(chat_completion()))

    collected = await run(where, llm_settings())

    assert {line["via"] for line in where.lines()} == {"provider-batch"}
    assert (collected.via_batch, sync_route.call_count) == (3, 0)
    assert len(where.lines()) == 3


@pytest.mark.usefixtures("keys")
async def test_a_kill_before_the_batch_is_created_submits_it_on_the_next_call(
    tmp_path: Path, router: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeOpenAIBatches(router)
    where = archive(tmp_path, rows(2))
    restart = kill_around_submit(monkeypatch, OpenAIBatches, after=False)
    with pytest.raises(Killed):
        await run(where, llm_settings())
    assert len(where.state_body()["submitting"]) == 1 and not fake.batches
    restart()

    again = await run(where, llm_settings())

    (batch_id,) = fake.batches
    assert (again.submitted, again.batches) == (2, [batch_id])
    assert where.state_body()["submitting"] == []
