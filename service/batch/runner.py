"""The async batch runner: bounded concurrency, one output line per record, duplicates once.

Exact duplicates (the same text after white-space normalisation) and near-duplicates
(`neardup.py`) reuse an earlier answer. A reused answer stays source-grounded: unless
the two texts are byte-identical, it is checked again against the record's own text,
with no backend call. A run-wide budget (tokens, cost) stops dispatching new records
once spent; records in flight finish and are written, and `--resume` goes on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from schemas import MAX_TEXT_CHARS, SCHEMA_VERSION, ArticleIn
from service.article import Article
from service.batch import neardup
from service.batch.ledger import Ledger
from service.batch.records import (
    Reason,
    Record,
    RecordError,
    defect_fields,
    internal_error,
    text_key,
)
from service.batch.reuse import copy_line, recheck
from service.errors import (
    BackendError,
    DeadlineExceeded,
    ExtractionFailed,
    InputError,
    SummarizerError,
)
from service.pipeline import Pipeline
from service.prompts import prompt_version

log = logging.getLogger(__name__)

MAX_DETAIL = 500
MAX_ARTICLE_ID = 200


@dataclass(frozen=True)
class RunOptions:
    """How a run is carried out."""

    concurrency: int = 4
    limit: int | None = None
    backend: str | None = None
    max_tokens: int | None = None
    """Run-wide budget of tokens (input + output) spent by this run."""
    max_cost: float | None = None
    """Run-wide budget in USD, from the backends' configured prices."""
    max_rpm: int | None = None
    max_tpm: int | None = None
    limit_offline: bool = False
    """Apply max_rpm / max_tpm to the offline backend too."""


@dataclass
class Counts:
    """What a run did, record by record."""

    read: int = 0
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    skipped_failed: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    similar: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    budget_reached: bool = False

    @property
    def tokens(self) -> int:
        """Tokens (input + output) this run spent."""
        return self.input_tokens + self.output_tokens

    @property
    def has_failures(self) -> bool:
        """True when some record of the input has an error line (now or from before)."""
        return bool(self.failed or self.skipped_failed)


ProgressHook = Callable[[Counts], None]


def fingerprint(pipeline: Pipeline, backend: str | None) -> dict[str, Any]:
    """What makes outputs comparable: schema version, prompt version and backend chain."""
    chain = pipeline.chain_for(backend)
    return {
        "schema_version": SCHEMA_VERSION,
        "prompt_version": prompt_version(),
        "backends": [
            f"{name}:{pipeline.backends[name].kind}:{pipeline.backends[name].model}"
            for name in chain
        ],
    }


def to_article(rid: str, record: Record, max_chars: int) -> Article | tuple[str, str]:
    """The record as the pipeline's article, or (reason, detail) when it cannot be one."""
    limit = min(max_chars, MAX_TEXT_CHARS)
    if len(record.text) > limit:
        return Reason.TOO_LARGE, f"{len(record.text)} characters, over {limit}"
    try:
        body = ArticleIn.model_validate(
            {
                "text": record.text,
                "id": rid if len(rid) <= MAX_ARTICLE_ID else None,
                "url": record.url,
                "title": record.title,
                "source": record.source,
                "published_at": record.published_at,
            }
        )
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return Reason.INVALID_RECORD, reasons[:MAX_DETAIL]
    return Article.from_input(body)


def reason_for(exc: SummarizerError) -> str:
    """The reason class of a pipeline error."""
    if isinstance(exc, DeadlineExceeded):
        return Reason.DEADLINE
    if isinstance(exc, ExtractionFailed):
        return Reason.INVALID_OUTPUT
    if isinstance(exc, BackendError):
        return Reason.BACKEND_FAILED
    if isinstance(exc, InputError):
        return Reason.INVALID_RECORD
    return exc.code


def error_line(rid: str, reason: str, detail: str, where: object) -> dict[str, Any]:
    """An output line for a record that has no summary."""
    line = {"id": rid, "status": "error", "reason": reason, "detail": detail[:MAX_DETAIL]}
    return {**line, "locator": str(where)}


def defect_line(rid: str, record: Record, exc: Exception, what: str) -> dict[str, Any]:
    """The error line of a record met by a defect (INTERNAL_ERROR), logged by type, place
    and record id: the exception's message may quote the text, so it is left out."""
    log.error("record failed: internal error", extra={"record_id": rid, **defect_fields(exc)})
    error = internal_error(rid, exc, record.locator, what)
    return error_line(rid, error.reason, error.detail, error.locator)


class UniqueIds:
    """Makes ids unique in input order, deterministically (a resumed run derives the same).

    A repeat of an id gets the first free `#n` (n from 2): free meaning not handed out yet,
    whether generated or read. An input id equal to one already handed out is a repeat too:
    `a, a, a#2` gives `a, a#2, a#2#2`; `a, a#2, a` gives `a, a#2, a#3`.
    """

    def __init__(self) -> None:
        self._given: set[str] = set()
        self._last: dict[str, int] = {}
        """Id -> the last suffix given to its repeats."""

    def __call__(self, rid: str) -> str:
        """The id to use for the next record carrying `rid`."""
        unique = rid
        if unique in self._given:
            suffix = self._last.get(rid, 1)
            while unique in self._given:
                suffix += 1
                unique = f"{rid}#{suffix}"
            self._last[rid] = suffix
        self._given.add(unique)
        return unique


@dataclass(frozen=True)
class _Match:
    """The most similar earlier record: written (`line`) or still in flight (`key`)."""

    id: str
    similarity: float
    line: dict[str, Any] | None = None
    key: str | None = None


class BatchRunner:
    """Runs records through the pipeline into a ledger."""

    def __init__(
        self,
        pipeline: Pipeline,
        ledger: Ledger,
        options: RunOptions,
        on_progress: ProgressHook | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.ledger = ledger
        self.options = options
        self.on_progress = on_progress
        self.counts = Counts()
        self.unique_id = UniqueIds()
        self._inflight: dict[str, asyncio.Future[int]] = {}
        self._pending: dict[str, tuple[str, neardup.Signature]] = {}

    async def run(self, records: Iterable[Record | RecordError]) -> Counts:
        """Process every record (up to the limit or the budget); return the counts."""
        slots = asyncio.Semaphore(self.options.concurrency)
        try:
            async with asyncio.TaskGroup() as group:
                for item in records:
                    if self.options.limit is not None and self.counts.read >= self.options.limit:
                        break
                    if self._budget_spent():
                        break
                    work = self._dispatch(item)
                    if work is None:
                        continue
                    await slots.acquire()
                    if self._budget_spent():  # spent while this record waited for a slot
                        slots.release()
                        break
                    self.counts.read += 1
                    task = group.create_task(self._one(*work))
                    task.add_done_callback(lambda _: slots.release())
        except ExceptionGroup as group_error:
            raise _first(group_error) from group_error
        return self.counts

    def _dispatch(self, item: Record | RecordError) -> tuple[str, Record] | None:
        """Count and write what needs no backend; else the work to schedule (counted then)."""
        rid = self.unique_id(item.id)
        if rid in self.ledger.index.done:
            self.counts.read += 1
            self.counts.skipped += 1
            self.counts.skipped_failed += rid in self.ledger.index.failed
            self._progress()
            return None
        if isinstance(item, RecordError):
            self.counts.read += 1
            self._write(error_line(rid, item.reason, item.detail, item.locator))
            return None
        return rid, item

    def _budget_spent(self) -> bool:
        options, counts = self.options, self.counts
        spent = (options.max_tokens is not None and counts.tokens >= options.max_tokens) or (
            options.max_cost is not None and counts.cost_usd >= options.max_cost
        )
        counts.budget_reached = counts.budget_reached or spent
        return spent

    async def _one(self, rid: str, record: Record) -> None:
        try:
            article = to_article(rid, record, self.pipeline.settings.max_article_chars)
        except Exception as exc:  # noqa: BLE001 - a defect on this record: its own error line
            self._write(defect_line(rid, record, exc, "reading the article"))
            return
        if isinstance(article, tuple):
            self._write(error_line(rid, *article, record.locator))
            return
        key = text_key(record.text)
        offset = self.ledger.index.by_key.get(key)
        if offset is None and key in self._inflight:
            offset = await asyncio.shield(self._inflight[key])
        if offset is not None:
            await self._copy_of(self.ledger.read_at(offset), rid, article, record)
            return
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            future.set_result(await self._first_of_text(rid, article, record, key))
        finally:
            del self._inflight[key]
            if not future.done():
                future.cancel()

    async def _copy_of(
        self, primary: dict[str, Any], rid: str, article: Article, record: Record
    ) -> None:
        """The line of an exact duplicate; summarised anew when it cannot be re-checked."""
        try:
            line = copy_line(self.pipeline, primary, rid, article, record)
        except Exception as exc:  # noqa: BLE001 - a defect on this record: its own error line
            self._write(defect_line(rid, record, exc, "re-checking a duplicate"))
            return
        if line is None:
            line = await self._summarize(rid, article, record)
            self._write({**line, "text_sha256": primary.get("text_sha256")})
            return
        self.counts.duplicates += 1
        self._write(line)

    async def _first_of_text(self, rid: str, article: Article, record: Record, key: str) -> int:
        """Write the line of the first record with this text; return its offset.

        A defect met on the way is this record's error line (INTERNAL_ERROR): the copies
        of its text waiting for it get that line too, and the run goes on.
        """
        try:
            line, sig = await self._first_line(rid, article, record, key)
        except Exception as exc:  # noqa: BLE001 - a defect on this record: its own error line
            return self._write_first(defect_line(rid, record, exc, "summarising"), key)
        offset = self._write_first(line, key)
        if sig is not None:
            self.ledger.index.near.add(sig, offset)
        return offset

    async def _first_line(
        self, rid: str, article: Article, record: Record, key: str
    ) -> tuple[dict[str, Any], neardup.Signature | None]:
        """The line of the first record with this text, and its signature if it is a new
        answer others may reuse (no await once the answer is in: it is written at once)."""
        sig = neardup.signature(record.text)
        match = await self._nearest(sig)
        reusable = match is not None and match.similarity >= neardup.REUSE_THRESHOLD
        if match is not None and match.line is not None and reusable:
            summary = recheck(self.pipeline, match.line["summary"], article)
            if summary is not None:
                self.counts.near_duplicates += 1
                reused: dict[str, Any] = {"id": rid, "status": "ok", "summary": summary}
                near = {"near_duplicate_of": match.id, "similarity": match.similarity}
                return {**reused, **near}, None
        self._pending[key] = (rid, sig)
        try:
            line = await self._summarize(rid, article, record)
        finally:
            self._pending.pop(key, None)
        if match is not None:
            self.counts.similar += 1
            line.update(similar_to=match.id, similarity=match.similarity)
        if line["status"] != "ok":
            return line, None
        line["minhash"] = neardup.encode(sig)
        return line, sig

    def _write_first(self, line: dict[str, Any], key: str) -> int:
        offset = self._write({**line, "text_sha256": key})
        self.ledger.index.by_key[key] = offset
        return offset

    async def _nearest(self, sig: neardup.Signature) -> _Match | None:
        """The most similar earlier record above the report threshold, if any.

        A match at or above the reuse threshold carries the earlier line (waiting for it
        when still in flight); None is returned if that record failed.
        """
        best: _Match | None = None
        for offset in self.ledger.index.near.candidates(sig):
            line = self.ledger.read_at(offset)
            other = neardup.decode(line.get("minhash"))
            if other is not None and line.get("status") == "ok":
                best = _better(best, _Match(line["id"], neardup.similarity(sig, other), line))
        for key, (rid, other) in self._pending.items():
            best = _better(best, _Match(rid, neardup.similarity(sig, other), key=key))
        if best is None or best.similarity < neardup.REUSE_THRESHOLD:
            return best
        if best.line is None and best.key is not None:
            line = self.ledger.read_at(await asyncio.shield(self._inflight[best.key]))
            if line.get("status") != "ok":
                return None
            best = _Match(best.id, best.similarity, line)
        return best

    async def _summarize(self, rid: str, article: Article, record: Record) -> dict[str, Any]:
        try:
            summary = await self.pipeline.summarize(article, self.options.backend)
        except SummarizerError as exc:
            if isinstance(exc, ExtractionFailed):
                self._spend(exc.backend, exc.usage.input_tokens, exc.usage.output_tokens)
            return error_line(rid, reason_for(exc), f"{exc.code}: {exc}", record.locator)
        except Exception as exc:  # noqa: BLE001 - a backend or check defect: this record only
            return defect_line(rid, record, exc, "summarising")
        meta = summary.extraction
        self._spend(meta.backend, meta.input_tokens, meta.output_tokens)
        if meta.failed_input_tokens or meta.failed_output_tokens:
            # Spent on backends that failed before this one answered (priced as the first).
            failed = meta.backends_failed[0] if meta.backends_failed else meta.backend
            self._spend(failed, meta.failed_input_tokens, meta.failed_output_tokens)
        return {"id": rid, "status": "ok", "summary": summary.model_dump(mode="json")}

    def _spend(self, backend: str, input_tokens: int, output_tokens: int) -> None:
        """Add one answer's tokens (and their price, when configured) to the run's spending."""
        self.counts.input_tokens += input_tokens
        self.counts.output_tokens += output_tokens
        config = self.pipeline.settings.backends.get(backend)
        if config is not None and config.input_usd_per_mtok and config.output_usd_per_mtok:
            price = input_tokens * config.input_usd_per_mtok
            price += output_tokens * config.output_usd_per_mtok
            self.counts.cost_usd += price / 1_000_000

    def _write(self, line: dict[str, Any]) -> int:
        offset = self.ledger.append(line)
        if line["status"] == "ok":
            self.counts.ok += 1
        else:
            self.counts.failed += 1
        self._progress()
        return offset

    def _progress(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.counts)


def _better(best: _Match | None, candidate: _Match) -> _Match | None:
    """The more similar of two matches (the earlier on a tie), above the report threshold."""
    if candidate.similarity < neardup.REPORT_THRESHOLD:
        return best
    if best is None or candidate.similarity > best.similarity:
        return candidate
    return best


def _first(group: BaseExceptionGroup[Exception]) -> Exception:
    """The first real error inside a (nested) exception group: the cause of a crash."""
    first = group.exceptions[0]
    return _first(first) if isinstance(first, BaseExceptionGroup) else first
