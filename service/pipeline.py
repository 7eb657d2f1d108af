"""Article in, checked summary out: render prompt -> backend -> ground/validate -> result.

The pipeline walks the backend chain; for each backend it allows a fixed number of
calls (the first plus validation re-asks) within a token budget and the request's
deadline. It never returns an unchecked draft as if it were checked: what the
checks found stays on the summary as warnings. The checks see the rendered prompt, so
that free text repeating the prompt's own wording is caught.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from schemas import (
    SCHEMA_VERSION,
    ArticleMeta,
    EventSummary,
    ExtractionMeta,
    SummaryDraft,
    WarningCode,
)
from schemas.summary import SummaryWarning
from service.article import Article
from service.backends.base import Backend, ExtractionRequest, InvalidOutput, RawExtraction
from service.config import OFFLINE, Settings
from service.errors import (
    BackendError,
    DeadlineExceeded,
    ExtractionFailed,
    InputError,
    SummarizerError,
    Usage,
)
from service.prompts import RenderedPrompt, render
from service.validate import Issue, check_draft

log = logging.getLogger(__name__)

MAX_WARNINGS = 500
DEFAULT_OUTPUT_TOKENS = 4096


@dataclass
class _Attempts:
    """What one backend cost while the pipeline worked with it."""

    calls: int = 0
    reasks: int = 0
    usage: Usage = field(default_factory=Usage)
    errors: list[str] = field(default_factory=list)
    last_output: str | None = None


class Pipeline:
    """Summarises articles through the configured backends."""

    def __init__(self, settings: Settings, backends: dict[str, Backend]) -> None:
        self.settings = settings
        self.backends = backends

    def chain_for(self, requested: str | None) -> list[str]:
        """The backends to try, in order, for a request naming `requested` (or none)."""
        if requested is None:
            return list(self.settings.chain)
        if requested not in self.backends:
            known = ", ".join(sorted(self.backends))
            raise InputError(
                f"unknown backend {requested!r}; configured backends: {known}",
                code="unknown_backend",
            )
        return [requested]

    async def summarize(self, article: Article, backend: str | None = None) -> EventSummary:
        """Summarise one article, trying the chain in order; raises SummarizerError."""
        chain = self.chain_for(backend)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.settings.request_deadline_s):
                return await self._walk_chain(article, chain, started)
        except TimeoutError:
            raise DeadlineExceeded(
                f"no answer within the request deadline of {self.settings.request_deadline_s:g} s"
            ) from None

    async def _walk_chain(self, article: Article, chain: list[str], started: float) -> EventSummary:
        failed: list[str] = []
        last_error: SummarizerError | None = None
        prompt = render(article)
        deadline = time.monotonic() + self.settings.request_deadline_s
        for name in chain:
            backend = self.backends[name]
            try:
                return await self._run_backend(backend, article, prompt, deadline, started, failed)
            except (BackendError, ExtractionFailed) as exc:
                # Provider messages may quote the article: log the kind of failure only.
                log.warning(
                    "backend failed",
                    extra={
                        "backend": name,
                        "error_code": exc.code,
                        "upstream_status": getattr(exc, "status", None),
                        "attempts": exc.attempts,
                    },
                )
                failed.append(name)
                last_error = exc
        assert last_error is not None  # the chain is never empty
        raise last_error

    async def _run_backend(
        self,
        backend: Backend,
        article: Article,
        prompt: RenderedPrompt,
        deadline: float,
        started: float,
        failed_before: list[str],
    ) -> EventSummary:
        spent = _Attempts()
        feedback: tuple[str, ...] = ()
        max_calls = 1 if backend.kind == OFFLINE else self.settings.max_attempts
        result: tuple[RawExtraction, list[Issue], SummaryDraft] | None = None
        while spent.calls < max_calls:
            if spent.calls and not self._budget_left(spent.usage):
                break
            request = ExtractionRequest(
                article=article,
                prompt=prompt,
                max_output_tokens=self._output_tokens(backend),
                feedback=feedback,
                previous_output=spent.last_output,
                deadline=deadline,
            )
            spent.calls += 1
            if feedback:
                spent.reasks += 1
            try:
                raw = await _call(backend, request)
            except InvalidOutput as exc:
                spent.usage.add(exc.usage)
                spent.errors = exc.errors
                spent.last_output = exc.raw
                feedback = tuple(exc.errors)
                continue
            except BackendError as exc:
                spent.usage.calls += exc.attempts
                if result is None:
                    raise
                break  # a re-ask failed: the checked earlier answer stands, with its flags
            spent.usage.add(raw.usage)
            checked, issues = check_draft(raw.draft, article, prompt)
            result = (raw, issues, checked)
            hard = [issue for issue in issues if issue.hard]
            if not hard:
                break
            spent.last_output = raw.draft.model_dump_json(exclude_none=True)
            feedback = tuple(issue.as_feedback() for issue in hard)
        if result is None:
            raise ExtractionFailed(
                f"{backend.name}: output stayed invalid after {spent.calls} call(s)",
                backend=backend.name,
                attempts=spent.calls,
                errors=spent.errors,
                usage=spent.usage,
                last_output=spent.last_output,
            )
        raw, issues, checked = result
        summary = self._assemble(backend, article, prompt, raw, issues, checked, spent, started)
        if failed_before:
            summary.extraction.backends_failed = list(failed_before)
            fallback = SummaryWarning(
                code=WarningCode.BACKEND_FALLBACK,
                message=f"answered by {backend.name!r} after {', '.join(failed_before)} failed",
            )
            summary.warnings = [fallback, *summary.warnings][:MAX_WARNINGS]
        return summary

    def accept(
        self, backend: Backend, article: Article, raw: RawExtraction, *, calls: int = 1
    ) -> tuple[EventSummary, bool]:
        """Check and assemble a draft obtained outside the chain, with no backend call.

        For a provider batch result or a duplicate's reused answer: the draft is grounded
        and checked against `article` exactly like a synchronous answer. Returns the
        summary (what the checks found stays on it as warnings) and whether hard issues
        remain, which a caller may want to send through `summarize` instead.
        """
        started = time.perf_counter()
        spent = _Attempts(calls=calls)
        spent.usage.add(raw.usage)
        prompt = render(article)
        checked, issues = check_draft(raw.draft, article, prompt)
        summary = self._assemble(backend, article, prompt, raw, issues, checked, spent, started)
        return summary, any(issue.hard for issue in issues)

    def _output_tokens(self, backend: Backend) -> int:
        config = self.settings.backends.get(backend.name)
        return config.max_output_tokens if config is not None else DEFAULT_OUTPUT_TOKENS

    def _budget_left(self, usage: Usage) -> bool:
        return usage.input_tokens + usage.output_tokens < self.settings.max_tokens_per_request

    def _assemble(
        self,
        backend: Backend,
        article: Article,
        prompt: RenderedPrompt,
        raw: RawExtraction,
        issues: list[Issue],
        checked: SummaryDraft,
        spent: _Attempts,
        started: float,
    ) -> EventSummary:
        warnings = [issue.as_warning() for issue in issues]
        if any(issue.hard for issue in issues) and backend.kind != OFFLINE:
            warnings.append(
                SummaryWarning(
                    code=WarningCode.VALIDATION_ERRORS_REMAIN,
                    message=f"checks still fail after {spent.calls} call(s); the fields "
                    "concerned are flagged",
                )
            )
        return EventSummary(
            headline=checked.headline,
            summary=checked.summary,
            language=checked.language,
            events=checked.events,
            warnings=warnings[:MAX_WARNINGS],
            article=ArticleMeta(
                id=article.id,
                content_sha256=article.sha256,
                length=len(article.text),
                published_at=article.published_iso,
                url=article.url,
                title=article.title,
                source=article.source,
            ),
            extraction=ExtractionMeta(
                backend=backend.name,
                backend_kind=backend.kind,
                model=raw.model,
                prompt_version=prompt.version,
                schema_version=SCHEMA_VERSION,
                attempts=spent.calls,
                reasks=spent.reasks,
                upstream_calls=spent.usage.calls,
                input_tokens=spent.usage.input_tokens,
                output_tokens=spent.usage.output_tokens,
                latency_ms=round((time.perf_counter() - started) * 1000, 1),
            ),
        )


async def _call(backend: Backend, request: ExtractionRequest) -> RawExtraction:
    """One backend call; a bug inside a backend becomes a BackendError so the chain moves on."""
    try:
        return await backend.extract(request)
    except (SummarizerError, asyncio.CancelledError):
        raise
    except Exception as exc:  # noqa: BLE001 - the backend's own defect, reported by type only
        log.error(
            "backend raised an unexpected error",
            extra={"backend": backend.name, "error_type": type(exc).__name__},
        )
        raise BackendError(
            f"unexpected {type(exc).__name__} inside the backend", backend=backend.name
        ) from exc
