"""The pipeline: re-asks with the exact errors, budgets, the chain and checked output."""

from __future__ import annotations

from datetime import date

import pytest

from schemas import EventLink, EventTime, Grounding, LinkRelation, SummaryDraft, WarningCode
from service.article import Article
from service.backends.base import ExtractionRequest, RawExtraction
from service.config import BackendConfig, Settings
from service.errors import BackendError, BackendUnavailable, DeadlineExceeded, ExtractionFailed
from service.pipeline import Pipeline
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
