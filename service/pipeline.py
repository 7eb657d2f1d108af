"""Article in, checked summary out: render prompt -> backend -> ground/validate -> result.

The pipeline walks the backend chain; for each backend it allows a fixed number of
calls (the first plus validation re-asks) within a token budget and the request's
deadline. It never returns an unchecked draft as if it were checked: what the checks
found stays on the summary as warnings. The checks see the rendered prompt, so that free
text repeating the prompt's own wording is caught; they run in a worker thread, so that a
long article does not hold up the other requests.

Limits of one request, all checked by the pipeline whatever the entry point (HTTP, CLI,
Slack, batch):
- size: `max_article_chars` characters and `max_article_tokens` estimated tokens
  (`backends.tokens`), before any backend call;
- upstream calls: one `CallBudget` of `max_upstream_calls` HTTP attempts, shared by the
  retries, re-asks, chunks and backends of the request (plus one per chunk beyond the
  first, so that a long article can be read at all);
- tokens: `max_tokens_per_request`, counted over every backend tried, stops re-asks;
- time: `request_deadline_s` overall, `timeout_s` per HTTP attempt (in the backends).

Context windows: a backend with `context_tokens` gets an article only when its prompt
plus `max_output_tokens` fits. When it does not, a later LLM backend of the chain whose
window holds it takes the article (the first is listed as failed with reason
"context_window"); when none does, the article is cut into chunks for the first
backend (`service.chunking`), each chunk extracted through the same call path, the
chunk drafts merged, and the merged draft checked against the whole article.

Backends that fail are listed on the summary (`backends_failed`, and the reasons in the
fallback warning); what they spent is reported apart (`failed_input_tokens`, ...), so
that budgets count it. When every backend is unavailable (open circuit, long
retry-after), `BackendUnavailable` carries the shortest wait.
"""

from __future__ import annotations

import asyncio
import dataclasses
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
from service.backends.base import (
    Backend,
    CallBudget,
    ExtractionRequest,
    InvalidOutput,
    RawExtraction,
)
from service.backends.tokens import ENCODING, count_tokens, surely_within
from service.chunking import Chunk, merge_chunk_drafts, place_in_chunks, split_article
from service.config import OFFLINE, Settings
from service.errors import (
    BackendError,
    BackendUnavailable,
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
CONTEXT_WINDOW = "context_window"
"""Reason of a backend passed over because the article does not fit its window."""
CHUNK_FILL = 0.85
"""Share of the room left in a window that a chunk fills (the estimate is not exact)."""
MIN_CHUNK_TOKENS = 256
MAX_OVERLAP_CHARS = 1500


@dataclass
class _Attempts:
    """What one backend cost while the pipeline worked with it."""

    calls: int = 0
    reasks: int = 0
    usage: Usage = field(default_factory=Usage)
    errors: list[str] = field(default_factory=list)
    last_output: str | None = None
    chunks: int = 1


@dataclass
class _Request:
    """One summarise call: what every backend of its chain shares."""

    article: Article
    prompt: RenderedPrompt
    deadline: float
    started: float
    calls: CallBudget
    article_tokens: int | None = None
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(backend, reason code) of each backend that did not answer, in order."""
    errors: list[SummarizerError] = field(default_factory=list)
    failed_usage: Usage = field(default_factory=Usage)
    _prompt_tokens: int | None = None

    async def prompt_tokens(self) -> int:
        """Estimated tokens of the rendered prompt (system and user messages)."""
        if self._prompt_tokens is None:
            text = self.prompt.system + "\n" + self.prompt.user
            self._prompt_tokens = await asyncio.to_thread(count_tokens, text)
        return self._prompt_tokens

    async def tokens_of_article(self) -> int:
        """Estimated tokens of the article text."""
        if self.article_tokens is None:
            self.article_tokens = await asyncio.to_thread(count_tokens, self.article.text)
        return self.article_tokens

    def fail(self, backend: str, exc: SummarizerError | None, spent: _Attempts | None) -> None:
        """Record a backend that did not answer, and what it cost."""
        self.failed.append((backend, exc.code if exc is not None else CONTEXT_WINDOW))
        if exc is not None:
            self.errors.append(exc)
        if spent is not None:
            self.failed_usage.add(spent.usage)


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
        article_tokens = await self.check_size(article)
        request = _Request(
            article=article,
            prompt=render(article),
            deadline=time.monotonic() + self.settings.request_deadline_s,
            started=started,
            calls=CallBudget(self.settings.max_upstream_calls),
            article_tokens=article_tokens,
        )
        try:
            async with asyncio.timeout(self.settings.request_deadline_s):
                return await self._walk_chain(request, chain)
        except TimeoutError:
            raise DeadlineExceeded(
                f"no answer within the request deadline of {self.settings.request_deadline_s:g} s"
            ) from None

    async def check_size(self, article: Article) -> int | None:
        """Refuse an article over the size limits (InputError `article_too_large`) before
        any backend call; returns its estimated tokens when they had to be counted."""
        limit = self.settings.max_article_chars
        if len(article.text) > limit:
            raise InputError(
                f"the article has {len(article.text)} characters; the limit is {limit}",
                code="article_too_large",
            )
        limit = self.settings.max_article_tokens
        if surely_within(article.text, limit):
            return None
        tokens = await asyncio.to_thread(count_tokens, article.text)
        if tokens > limit:
            raise InputError(
                f"the article has about {tokens} tokens ({ENCODING} estimate); the limit "
                f"is {limit}",
                code="article_too_large",
            )
        return tokens

    async def _walk_chain(self, request: _Request, chain: list[str]) -> EventSummary:
        for position, name in enumerate(chain):
            backend = self.backends[name]
            spent = _Attempts()
            try:
                chunks = await self._chunk_size(name, backend, request, chain[position + 1 :])
                if chunks == 0:
                    request.fail(name, None, None)
                    continue
                if chunks is not None:
                    return await self._run_chunked(backend, request, spent, chunks)
                return await self._run_backend(backend, request, spent)
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
                request.fail(name, exc, spent)
        raise self._final_error(request)

    def _final_error(self, request: _Request) -> SummarizerError:
        """What the request fails with once every backend of its chain failed."""
        errors = request.errors
        if not errors:
            names = ", ".join(name for name, _ in request.failed)
            return InputError(
                f"the article is too long for the context window of {names}",
                code="article_too_large",
            )
        if all(isinstance(exc, BackendUnavailable) for exc in errors):
            waits = [exc.retry_after for exc in errors if isinstance(exc, BackendUnavailable)]
            known = [wait for wait in waits if wait is not None]
            first = errors[0]
            assert isinstance(first, BackendUnavailable)
            if len(errors) == 1:
                return first
            reasons = "; ".join(str(exc) for exc in errors)
            return BackendUnavailable(
                f"no backend available: {reasons}",
                backend=first.backend,
                status=first.status,
                retry_after=min(known) if known else None,
                attempts=sum(exc.attempts for exc in errors if isinstance(exc, BackendError)),
                retryable=True,
            )
        last = errors[-1]
        if isinstance(last, ExtractionFailed):
            last.usage = dataclasses.replace(request.failed_usage)
        return last

    async def _chunk_size(
        self, name: str, backend: Backend, request: _Request, later: list[str]
    ) -> int | None:
        """None: send the article whole; 0: pass this backend over; else the most
        characters of one chunk."""
        config = self.settings.backends.get(name)
        window = config.context_tokens if config is not None else None
        if window is None or backend.kind == OFFLINE:
            return None
        output = self._output_tokens(backend)
        if surely_within(request.prompt.system + request.prompt.user, window - output):
            return None
        need = await request.prompt_tokens() + output
        if need <= window:
            return None
        for other in later:
            other_config = self.settings.backends.get(other)
            if other_config is None or self.backends[other].kind == OFFLINE:
                continue
            if other_config.context_tokens is None or need <= other_config.context_tokens:
                return 0
        article_tokens = await request.tokens_of_article()
        room = window - output - max(0, await request.prompt_tokens() - article_tokens)
        if room < MIN_CHUNK_TOKENS:
            return 0
        chars_per_token = len(request.article.text) / max(1, article_tokens)
        return max(MIN_CHUNK_TOKENS, int(room * CHUNK_FILL * chars_per_token))

    async def _run_backend(
        self, backend: Backend, request: _Request, spent: _Attempts
    ) -> EventSummary:
        feedback: tuple[str, ...] = ()
        max_calls = 1 if backend.kind == OFFLINE else self.settings.max_attempts
        result: tuple[RawExtraction, list[Issue], SummaryDraft] | None = None
        article, prompt = request.article, request.prompt
        while spent.calls < max_calls:
            if spent.calls and not self._budget_left(request, spent):
                break
            call = self._extraction(backend, article, prompt, request, feedback, spent)
            spent.calls += 1
            if feedback:
                spent.reasks += 1
            try:
                raw = await _call(backend, call)
            except InvalidOutput as exc:
                spent.usage.add(exc.usage)
                spent.errors = exc.errors
                spent.last_output = exc.raw
                feedback = tuple(exc.errors)
                continue
            except BackendError as exc:
                spent.usage.calls += exc.attempts
                if result is None and not spent.errors:
                    raise
                break  # the checked earlier answer stands with its flags, or the errors do
            spent.usage.add(raw.usage)
            checked, issues = await asyncio.to_thread(check_draft, raw.draft, article, prompt)
            result = (raw, issues, checked)
            hard = [issue for issue in issues if issue.hard]
            if not hard:
                break
            spent.last_output = raw.draft.model_dump_json(exclude_none=True)
            feedback = tuple(issue.as_feedback() for issue in hard)
        if result is None:
            raise self._invalid(backend, spent)
        raw, issues, checked = result
        return self._answer(backend, request, raw, issues, checked, spent)

    async def _run_chunked(
        self, backend: Backend, request: _Request, spent: _Attempts, max_chars: int
    ) -> EventSummary:
        """Extract each chunk of a long article, merge the drafts, check the whole."""
        article = request.article
        chunks = split_article(article.text, max_chars, min(MAX_OVERLAP_CHARS, max_chars // 8))
        request.calls.limit += len(chunks) - 1
        spent.chunks = len(chunks)
        log.info("article sent in chunks", extra={"backend": backend.name, "chunks": len(chunks)})
        drafts: list[tuple[Chunk, SummaryDraft]] = []
        model = backend.model
        for chunk in chunks:
            part = dataclasses.replace(article, text=chunk.text)
            raw = await self._schema_valid(backend, part, render(part), request, spent)
            drafts.append((chunk, raw.draft))
            model = raw.model
        merged = merge_chunk_drafts(drafts, article.text)
        checked, issues = await asyncio.to_thread(
            check_draft, merged.draft, article, request.prompt
        )
        checked = place_in_chunks(checked, merged.hints, article.text)
        raw = RawExtraction(draft=merged.draft, model=model, usage=spent.usage)
        return self._answer(backend, request, raw, issues, checked, spent)

    async def _schema_valid(
        self,
        backend: Backend,
        article: Article,
        prompt: RenderedPrompt,
        request: _Request,
        spent: _Attempts,
    ) -> RawExtraction:
        """A schema-valid draft of `article`, re-asking on invalid output (no grounding)."""
        feedback: tuple[str, ...] = ()
        previous = None
        for _ in range(self.settings.max_attempts):
            if feedback and not self._budget_left(request, spent):
                break
            call = self._extraction(backend, article, prompt, request, feedback, spent, previous)
            spent.calls += 1
            spent.reasks += bool(feedback)
            try:
                raw = await _call(backend, call)
            except InvalidOutput as exc:
                spent.usage.add(exc.usage)
                spent.errors, previous, feedback = exc.errors, exc.raw, tuple(exc.errors)
                continue
            except BackendError as exc:
                spent.usage.calls += exc.attempts
                raise
            spent.usage.add(raw.usage)
            return raw
        spent.last_output = previous
        raise self._invalid(backend, spent)

    def _extraction(
        self,
        backend: Backend,
        article: Article,
        prompt: RenderedPrompt,
        request: _Request,
        feedback: tuple[str, ...],
        spent: _Attempts,
        previous: str | None = None,
    ) -> ExtractionRequest:
        return ExtractionRequest(
            article=article,
            prompt=prompt,
            max_output_tokens=self._output_tokens(backend),
            feedback=feedback,
            previous_output=previous if previous is not None else spent.last_output,
            deadline=request.deadline,
            calls=request.calls,
        )

    def _invalid(self, backend: Backend, spent: _Attempts) -> ExtractionFailed:
        return ExtractionFailed(
            f"{backend.name}: output stayed invalid after {spent.calls} call(s)",
            backend=backend.name,
            attempts=spent.calls,
            errors=spent.errors,
            usage=spent.usage,
            last_output=spent.last_output,
        )

    def _answer(
        self,
        backend: Backend,
        request: _Request,
        raw: RawExtraction,
        issues: list[Issue],
        checked: SummaryDraft,
        spent: _Attempts,
    ) -> EventSummary:
        article, prompt = request.article, request.prompt
        summary = self._assemble(backend, article, prompt, raw, issues, checked, spent,
                                 request.started)  # fmt: skip
        extraction = summary.extraction
        extraction.chunks = spent.chunks
        if request.failed:
            extraction.backends_failed = [name for name, _ in request.failed]
            extraction.failed_input_tokens = request.failed_usage.input_tokens
            extraction.failed_output_tokens = request.failed_usage.output_tokens
            extraction.failed_upstream_calls = request.failed_usage.calls
            reasons = ", ".join(f"{name} ({reason})" for name, reason in request.failed)
            fallback = SummaryWarning(
                code=WarningCode.BACKEND_FALLBACK,
                message=f"answered by {backend.name!r} after {reasons} failed"[:1000],
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

    def _budget_left(self, request: _Request, spent: _Attempts) -> bool:
        """Whether the request's tokens so far, every backend counted, are under the cap."""
        used = request.failed_usage.input_tokens + request.failed_usage.output_tokens
        used += spent.usage.input_tokens + spent.usage.output_tokens
        return used < self.settings.max_tokens_per_request

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
