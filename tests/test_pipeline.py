"""The pipeline: re-asks with the exact errors, budgets, the chain and checked output."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest

from schemas import EventLink, EventTime, Grounding, LinkRelation, SummaryDraft, WarningCode
from service.article import Article
from service.backends import close_backends
from service.backends.base import ExtractionRequest, RawExtraction
from service.config import BackendConfig, Settings
from service.errors import (
    BackendError,
    BackendUnavailable,
    DeadlineExceeded,
    ExtractionFailed,
    InputError,
    Usage,
)
from service.pipeline import Pipeline
from service.validate import check_draft
from tests.conftest import SHARED
from tests.reliability.llm_app import KEY, KEY_ENV, build, llm_config
from tests.support.fake_llm import CHAT, FakeLLM, invalid_json, status
from tests.support.fakes import ARTICLE, ScriptedBackend, draft, invalid

ARTICLE_IN = Article(text=ARTICLE, published=date(2025, 3, 4))


def pipeline(*backends: ScriptedBackend, **settings: object) -> Pipeline:
    config = Settings(**settings)  # type: ignore[arg-type]
    named = {backend.name: backend for backend in backends}
    config.chain = [backend.name for backend in backends]
    return Pipeline(config, named)  # type: ignore[arg-type]


async def test_valid_draft_comes_back_grounded_with_offsets_in_one_call() -> None:
    backend = ScriptedBackend([draft()])
    summary = await pipeline(backend).summarize(ARTICLE_IN)
    assert len(backend.requests) == 1
    assert summary.extraction.attempts == 1 and summary.extraction.reasks == 0
    event = summary.events[0]
    quote = event.figures[0].evidence[0]
    assert quote.grounding is Grounding.EXACT
    assert ARTICLE[quote.start : quote.end] == "arrested 12 protesters"  # type: ignore[index]
    assert event.figures[0].grounded is True and event.where is not None and event.where.grounded
    assert summary.warnings == []
    assert summary.extraction.backend == "scripted"
    assert summary.article.content_sha256 == ARTICLE_IN.sha256


async def test_schema_invalid_output_is_reasked_once_with_the_exact_errors() -> None:
    backend = ScriptedBackend([invalid(["events.0.modality: Input should be 'asserted', ..."]),
                               draft()])  # fmt: skip
    summary = await pipeline(backend).summarize(ARTICLE_IN)
    assert len(backend.requests) == 2
    assert backend.requests[1].feedback == ("events.0.modality: Input should be 'asserted', ...",)
    assert backend.requests[1].previous_output == '{"headline": 1}'
    assert summary.extraction.attempts == 2 and summary.extraction.reasks == 1
    assert summary.extraction.input_tokens == 180 and summary.extraction.output_tokens == 70


async def test_always_invalid_output_stops_at_the_attempt_cap_with_usage() -> None:
    backend = ScriptedBackend([invalid(["headline: Input should be a valid string"])])
    with pytest.raises(ExtractionFailed) as caught:
        await pipeline(backend, max_attempts=3).summarize(ARTICLE_IN)
    assert len(backend.requests) == 3
    assert caught.value.attempts == 3
    assert caught.value.usage.input_tokens == 240
    assert caught.value.errors == ["headline: Input should be a valid string"]


async def test_ungrounded_quote_is_reasked_then_flagged_when_it_stays() -> None:
    bad = draft()
    bad.events[0].evidence[0].quote = "Police fired tear gas at the crowd"
    backend = ScriptedBackend([bad])
    summary = await pipeline(backend, max_attempts=2).summarize(ARTICLE_IN)
    assert len(backend.requests) == 2
    assert "events[0].evidence[0]: quote not found" in backend.requests[1].feedback[0]
    codes = [w.code for w in summary.warnings]
    assert WarningCode.UNGROUNDED in codes and WarningCode.VALIDATION_ERRORS_REMAIN in codes
    assert summary.events[0].grounded is False
    assert summary.events[0].evidence[0].grounding is Grounding.UNGROUNDED


async def test_a_figure_not_written_in_its_evidence_is_flagged() -> None:
    wrong = draft()
    wrong.events[0].figures[0].value = 21
    summary = await pipeline(ScriptedBackend([wrong]), max_attempts=1).summarize(ARTICLE_IN)
    figure = summary.events[0].figures[0]
    assert figure.grounded is False
    assert [w.path for w in summary.warnings if w.code is WarningCode.FIGURE_NOT_IN_EVIDENCE] == [
        "events[0].figures[0]"
    ]


async def test_event_after_publication_and_broken_links_are_flagged() -> None:
    late = draft()
    late.events[0].when.date = "2025-03-09"
    late.events[0].links = [EventLink(event_id="e7", relation=LinkRelation.FOLLOW_UP)]
    summary = await pipeline(ScriptedBackend([late]), max_attempts=1).summarize(ARTICLE_IN)
    codes = {w.code for w in summary.warnings}
    assert {WarningCode.DATE_AFTER_PUBLICATION, WarningCode.BROKEN_LINK} <= codes


async def test_relative_date_without_publication_date_is_never_kept() -> None:
    article = Article(text=ARTICLE)
    summary = await pipeline(ScriptedBackend([draft()]), max_attempts=1).summarize(article)
    when = summary.events[0].when
    assert when.date is None and when.derivation.value == "relative_unresolved"


async def test_token_budget_stops_reasks_before_the_attempt_cap() -> None:
    backend = ScriptedBackend([invalid(["x: bad"])])  # each failed call costs 100 tokens
    with pytest.raises(ExtractionFailed) as caught:
        await pipeline(backend, max_attempts=5, max_tokens_per_request=1000).summarize(ARTICLE_IN)
    assert len(backend.requests) == 5
    backend = ScriptedBackend([invalid(["x: bad"])])
    with pytest.raises(ExtractionFailed) as caught:
        await pipeline(backend, max_attempts=5, max_tokens_per_request=250).summarize(ARTICLE_IN)
    assert len(backend.requests) == 3
    assert caught.value.usage.input_tokens + caught.value.usage.output_tokens == 300


async def test_failed_primary_falls_back_and_the_summary_says_so() -> None:
    primary = ScriptedBackend([BackendError("HTTP 500", backend="primary", status=500, attempts=3)],
                              name="primary")  # fmt: skip
    fallback = ScriptedBackend([draft()], name="fallback")
    summary = await pipeline(primary, fallback).summarize(ARTICLE_IN)
    assert summary.extraction.backend == "fallback"
    assert summary.extraction.backends_failed == ["primary"]
    assert summary.warnings[0].code is WarningCode.BACKEND_FALLBACK


async def test_every_backend_unavailable_raises_the_last_error() -> None:
    down = ScriptedBackend([BackendUnavailable("overloaded", backend="a", retry_after=300.0)],
                           name="a")  # fmt: skip
    with pytest.raises(BackendUnavailable) as caught:
        await pipeline(down).summarize(ARTICLE_IN)
    assert caught.value.retry_after == 300.0


async def test_deadline_is_honoured() -> None:
    slow = ScriptedBackend([5.0])
    with pytest.raises(DeadlineExceeded):
        await pipeline(slow, request_deadline_s=0.05).summarize(ARTICLE_IN)


async def test_an_unknown_date_needs_no_quote_but_a_stated_one_does() -> None:
    unknown = draft()
    unknown.events[0].when = EventTime()
    summary = await pipeline(ScriptedBackend([unknown]), max_attempts=1).summarize(ARTICLE_IN)
    assert summary.warnings == [] and summary.events[0].when.grounded is None
    unquoted = draft()
    unquoted.events[0].when.evidence = []
    summary = await pipeline(ScriptedBackend([unquoted]), max_attempts=1).summarize(ARTICLE_IN)
    assert summary.events[0].when.grounded is False
    assert [w.path for w in summary.warnings if w.code is WarningCode.UNGROUNDED] == [
        "events[0].when"
    ]


async def test_a_date_claimed_from_the_publication_must_be_the_publication_date() -> None:
    invented = draft()
    invented.events[0].when = EventTime(date="2024-12-25", derivation="publication_date")
    summary = await pipeline(ScriptedBackend([invented])).summarize(ARTICLE_IN)
    assert summary.events[0].when.date == "2025-03-04"
    assert [w.code for w in summary.warnings] == [WarningCode.DATE_CORRECTED]
    unknown = draft()
    unknown.events[0].when = EventTime(date="2024-12-25", derivation="unknown")
    summary = await pipeline(ScriptedBackend([unknown])).summarize(ARTICLE_IN)
    assert summary.events[0].when.date is None


async def test_configured_max_output_tokens_reaches_the_backend() -> None:
    backend = ScriptedBackend([draft()], name="gpt")
    gpt = BackendConfig(kind="openai", model="m", max_output_tokens=1000)
    settings = Settings(backends={"gpt": gpt}, chain=["gpt"])
    await Pipeline(settings, {"gpt": backend}).summarize(ARTICLE_IN)  # type: ignore[dict-item]
    assert backend.requests[0].max_output_tokens == 1000


async def test_a_failed_reask_keeps_the_checked_first_answer_with_its_flags() -> None:
    flawed = draft()
    flawed.events[0].figures[0].value = 21
    backend = ScriptedBackend(
        [flawed, BackendError("HTTP 503", backend="scripted", status=503, attempts=3)]
    )
    summary = await pipeline(backend, max_attempts=3).summarize(ARTICLE_IN)
    assert len(backend.requests) == 2
    assert summary.extraction.attempts == 2 and summary.extraction.upstream_calls == 4
    codes = [w.code for w in summary.warnings]
    assert WarningCode.FIGURE_NOT_IN_EVIDENCE in codes
    assert WarningCode.VALIDATION_ERRORS_REMAIN in codes


class _Broken(ScriptedBackend):
    async def extract(self, request: ExtractionRequest) -> RawExtraction:
        self.requests.append(request)
        raise KeyError("a defect inside the backend")


async def test_a_defect_inside_one_backend_hands_over_to_the_next() -> None:
    broken = _Broken([], name="broken")
    summary = await pipeline(broken, ScriptedBackend([draft()], name="next")).summarize(ARTICLE_IN)
    assert summary.extraction.backend == "next"
    assert summary.extraction.backends_failed == ["broken"]
    with pytest.raises(BackendError, match="unexpected KeyError"):
        await pipeline(_Broken([], name="broken")).summarize(ARTICLE_IN)


async def test_a_request_may_pick_any_configured_backend() -> None:
    first, second = (
        ScriptedBackend([draft()], name="first"),
        ScriptedBackend([draft()], name="second"),
    )
    summary = await pipeline(first, second).summarize(ARTICLE_IN, "second")
    assert summary.extraction.backend == "second"
    assert (len(first.requests), len(second.requests)) == (0, 1)


async def test_accept_checks_an_outside_draft_against_another_copy_without_a_call() -> None:
    backend = ScriptedBackend([draft()])
    first = await pipeline(backend).summarize(ARTICLE_IN)
    reflowed = Article(text="UPDATE: new line.\n" + ARTICLE, published=date(2025, 3, 4))
    kept = first.model_dump(include={"headline", "summary", "language", "events"})
    reused = SummaryDraft.model_validate(kept)
    raw = RawExtraction(draft=reused, model="scripted-1")
    summary, hard = pipeline(backend).accept(backend, reflowed, raw)  # type: ignore[arg-type]
    assert len(backend.requests) == 1 and hard is False
    quote = summary.events[0].figures[0].evidence[0]
    assert reflowed.text[quote.start : quote.end] == "arrested 12 protesters"  # type: ignore[index]
    assert quote.start != first.events[0].figures[0].evidence[0].start
    assert summary.article.content_sha256 == reflowed.sha256


async def test_accept_says_when_an_outside_draft_fails_its_checks() -> None:
    backend = ScriptedBackend([])
    other = Article(text="A storm closed schools in Oslo.", published=date(2025, 3, 4))
    summary, hard = pipeline(backend).accept(backend, other, RawExtraction(draft(), "m"))  # type: ignore[arg-type]
    assert hard is True
    assert any(w.code is WarningCode.UNGROUNDED for w in summary.warnings)


# -- budgets, limits, context windows and the chain under faults ---------------------------

WIKIEVENTS = SHARED / "eval" / "wikievents-dev.jsonl"


_BUILT: list[Pipeline] = []


def llm_pipeline(fake: FakeLLM, *configs: tuple[str, BackendConfig], **settings: Any) -> Pipeline:
    """A pipeline over real LLM backends pointed at the fake, tried in the given order
    (closed when the `fake` fixture ends)."""
    del fake  # the configs point at it
    named = dict(configs)
    service = Settings(backends=named, chain=list(named), **settings)
    built = Pipeline(service, build(service.backends))
    _BUILT.append(built)
    return built


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeLLM]:
    monkeypatch.setenv(KEY_ENV, KEY)
    async with FakeLLM() as server:
        yield server
        while _BUILT:
            await close_backends(_BUILT.pop().backends)


async def test_every_http_attempt_of_every_layer_counts_against_the_call_cap(
    fake: FakeLLM,
) -> None:
    fake.script(CHAT, invalid_json(usage=(500, 50)))
    fake.set_default(status(500))
    gpt = llm_config(fake, retry={"max_attempts": 5, "base_delay_s": 0, "max_delay_s": 0})
    service = llm_pipeline(fake, ("gpt", gpt), max_attempts=3, max_upstream_calls=3)
    with pytest.raises(ExtractionFailed) as caught:
        await service.summarize(ARTICLE_IN)
    # One invalid answer, then its re-ask retried on 500 until the request's third call.
    assert fake.count() == 3
    assert caught.value.usage.calls == 3 and caught.value.usage.input_tokens == 500


async def test_an_article_over_the_token_limit_is_refused_before_any_call(
    fake: FakeLLM,
) -> None:
    text = " ".join(["Ankara"] * 60 + ["Ouagadougou-Bobo-Dioulasso"] * 40)
    service = llm_pipeline(fake, ("gpt", llm_config(fake)), max_article_tokens=150)
    with pytest.raises(InputError, match=r"about \d+ tokens \(o200k_base estimate\)") as caught:
        await service.summarize(Article(text=text))
    assert caught.value.code == "article_too_large" and fake.count() == 0
    assert len(text) < service.settings.max_article_chars
    fits = Article(text=" ".join(["Ankara"] * 120))  # 839 bytes, about 120 tokens
    assert 100 <= (await service.check_size(fits) or 0) <= 150


async def test_an_article_too_long_for_a_window_goes_to_a_larger_one(fake: FakeLLM) -> None:
    small = llm_config(fake, model="small-model", context_tokens=1400, max_output_tokens=256)
    large = llm_config(fake, model="large-model", context_tokens=128_000)
    article = Article(text=ARTICLE + " " + "The march continued peacefully. " * 80)
    summary = await llm_pipeline(fake, ("small", small), ("large", large)).summarize(article)
    assert [call.body["model"] for call in fake.calls] == ["large-model"]
    assert summary.extraction.backend == "large"
    assert summary.extraction.backends_failed == ["small"]
    assert "small (context_window)" in summary.warnings[0].message
    short = await llm_pipeline(fake, ("small", small), ("large", large)).summarize(ARTICLE_IN)
    assert short.extraction.backend == "small" and short.extraction.chunks == 1


class _ChunkReader(ScriptedBackend):
    """Answers each request with one event quoting the first sentence it was sent."""

    async def extract(self, request: ExtractionRequest) -> RawExtraction:
        self.requests.append(request)
        text = request.article.text
        first = text.strip().split(". ")[0][:80].strip()
        answer = draft(headline=f"Report {len(self.requests)}", summary="What was reported.")
        event = answer.events[0]
        event.evidence[0].quote = first
        event.description = "Something was reported."
        event.when, event.where, event.figures, event.attribution = EventTime(), None, [], None
        return RawExtraction(draft=answer, model="reader-1", usage=Usage(300, 60, 1))


async def test_an_article_too_long_for_every_window_is_read_in_chunks() -> None:
    longest = max(
        (json.loads(line) for line in WIKIEVENTS.read_text(encoding="utf-8").splitlines()),
        key=lambda doc: len(doc["text"]),
    )
    article = Article(text=longest["text"])
    reader = _ChunkReader([], name="reader")
    config = BackendConfig(kind="openai", model="m", context_tokens=2048, max_output_tokens=512)
    settings = Settings(backends={"reader": config}, chain=["reader"], max_upstream_calls=2)
    summary = await Pipeline(settings, {"reader": reader}).summarize(article)
    sent = [request.article.text for request in reader.requests]
    assert summary.extraction.chunks == len(sent) >= 4
    assert all(part in article.text and len(part) < len(article.text) / 2 for part in sent)
    assert summary.extraction.upstream_calls == len(sent)  # the cap grew by one per chunk
    assert summary.extraction.input_tokens == 300 * len(sent)
    starts = [event.evidence[0].start or 0 for event in summary.events]
    for event in summary.events:
        quote = event.evidence[0]
        assert article.text[quote.start : quote.end] == quote.quote
    assert starts == sorted(starts) and starts[-1] > len(sent[0])


async def test_the_tokens_of_a_failed_backend_are_reported_with_the_answer() -> None:
    primary = ScriptedBackend([invalid(["headline: bad"])], name="primary")
    fallback = ScriptedBackend([draft()], name="fallback")
    summary = await pipeline(primary, fallback, max_attempts=3).summarize(ARTICLE_IN)
    extraction = summary.extraction
    assert (extraction.backend, extraction.backends_failed) == ("fallback", ["primary"])
    assert (extraction.input_tokens, extraction.output_tokens) == (100, 50)
    assert (extraction.failed_input_tokens, extraction.failed_output_tokens) == (240, 60)
    assert extraction.failed_upstream_calls == 3
    assert "primary (extraction_failed)" in summary.warnings[0].message


async def test_when_every_backend_is_unavailable_the_shortest_wait_is_given() -> None:
    a = ScriptedBackend(
        [BackendUnavailable("open", backend="a", retry_after=300.0, retryable=True)], name="a"
    )
    b = ScriptedBackend(
        [BackendUnavailable("open", backend="b", retry_after=20.0, retryable=True)], name="b"
    )
    with pytest.raises(BackendUnavailable) as caught:
        await pipeline(a, b).summarize(ARTICLE_IN)
    assert caught.value.retry_after == 20.0
    assert "a:" in str(caught.value) and "b:" in str(caught.value)


async def test_the_checks_run_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow_check(*args: Any) -> Any:
        time.sleep(0.3)
        return check_draft(*args)

    monkeypatch.setattr("service.pipeline.check_draft", slow_check)
    gaps: list[float] = []

    async def ticker() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    started = time.perf_counter()
    await asyncio.gather(
        *(pipeline(ScriptedBackend([draft()])).summarize(ARTICLE_IN) for _ in range(2))
    )
    elapsed = time.perf_counter() - started
    ticking.cancel()
    assert max(gaps) < 0.15 and elapsed < 0.55  # the two checks ran side by side
