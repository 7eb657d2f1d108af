"""`--mode provider-batch`: an archive through the OpenAI Batch API or Anthropic Message Batches.

Half the price of the synchronous API, answers within 24 hours. A run:

1. reads the input as the synchronous runner does (same record ids, error lines for bad
   records, duplicates summarised once, records already in the output skipped);
2. submits the records that are neither in the output nor waiting in a pending batch, in
   batches within the provider's limits, each request being exactly the synchronous
   backend's request (`provider_mirror.py`), and keeps the batch ids in OUT.batches.json;
3. polls; when a batch has ended, reads each answer the way the synchronous backend reads
   its own, grounds and checks it (`Pipeline.accept`) and writes its line
   (`"via": "provider-batch"`). A record whose answer is missing, errored, expired,
   cancelled, refused, truncated, invalid or fails the checks goes through the synchronous
   path instead (`Pipeline.summarize`, with its re-asks): `"via": "sync-fallback"` and the
   `fallback_reason`. So does every record when the server has no batch API (404). A
   batch that fails as a whole is submitted once more, then its records go synchronous.

With `wait=False` the run returns once the batches are submitted (or polled once); the
same command run again collects. The output ledger is the truth: a record is written
once, whatever the state file says, so a crash at any point loses and repeats nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from service.article import Article
from service.backends.base import InvalidOutput
from service.backends.retry import Sleep
from service.batch.ledger import Ledger
from service.batch.provider_api import (
    BatchAPI,
    BatchLimits,
    BatchStatus,
    NoBatchAPI,
    ResultEntry,
    batch_backend,
    open_api,
)
from service.batch.provider_mirror import SyncMirror
from service.batch.provider_state import BatchState, PendingRecord, SubmittedBatch, custom_id
from service.batch.records import Reason, Record, RecordError, defect_fields, text_key
from service.batch.reuse import copy_line
from service.batch.runner import (
    Counts,
    RunOptions,
    UniqueIds,
    defect_line,
    error_line,
    reason_for,
    to_article,
)
from service.errors import SummarizerError
from service.pipeline import Pipeline
from service.prompts import RenderedPrompt, render

log = logging.getLogger(__name__)

VIA_BATCH = "provider-batch"
VIA_SYNC = "sync-fallback"
DEFAULT_POLL_INTERVAL_S = 30.0
MAX_SUBMISSIONS = 2
"""A batch that fails as a whole is submitted once more; after that, its records go sync."""

BuildBody = Callable[[RenderedPrompt], Awaitable[str]]


@dataclass
class ProviderCounts(Counts):
    """What a provider-batch run did: the runner's counts, plus how records were answered."""

    submitted: int = 0
    via_batch: int = 0
    via_sync: int = 0
    pending: int = 0
    """Records of this input still waiting in unfinished batches (duplicates included)."""
    batches: list[str] = field(default_factory=list)
    """Ids of the unfinished batches holding those records."""
    notes: list[str] = field(default_factory=list)
    """Warnings for the user (e.g. no batch API: the records went synchronous)."""

    def pending_message(self) -> str | None:
        """What to tell the user when records still wait in batches; None when none do."""
        if not self.pending:
            return None
        return (
            f"submitted {self.submitted} record(s) in this run; {self.pending} record(s) wait "
            f"in batch(es) {', '.join(self.batches)}: run the same command again (with "
            "--resume) to collect them"
        )


@dataclass
class _Work:
    """A record that needs an answer, and the duplicates of its text waiting for it."""

    rid: str
    record: Record
    article: Article
    key: str
    followers: list[_Work] = field(default_factory=list)


async def run_provider_batch(
    pipeline: Pipeline,
    ledger: Ledger,
    records: Iterable[Record | RecordError],
    options: RunOptions,
    *,
    state_path: Path,
    wait: bool = True,
    poll_interval_s: float = DEFAULT_POLL_INTERVAL_S,
    sleep: Sleep = asyncio.sleep,
    on_progress: Callable[[Counts], None] | None = None,
    limits: BatchLimits | None = None,
) -> ProviderCounts:
    """Run `records` through the backend's batch API into `ledger`; return the counts.

    Raises ConfigError for a backend without a batch API kind (offline) or without a key,
    BatchStateError for an unreadable state file or one of another backend, and
    BackendError when the batch API keeps failing (the state is saved: run again).
    """
    name, config = batch_backend(pipeline, options.backend)
    state = BatchState.load(state_path, provider=config.kind, backend=name, model=config.model)
    mirror = SyncMirror(name, config)  # ConfigError here when the key is missing
    http = httpx.AsyncClient(
        timeout=httpx.Timeout(config.timeout_s, connect=min(10.0, config.timeout_s))
    )
    try:
        api = open_api(name, config, http, sleep=sleep, limits=limits)
        run = _ProviderRun(pipeline, ledger, options, api, mirror, state, state_path)
        run.on_progress = on_progress
        await run.reconcile()
        fresh = run.plan(records)
        await run.submit(fresh)
        await run.collect(wait=wait, poll_interval_s=poll_interval_s, sleep=sleep)
        return run.finish()
    finally:
        await mirror.aclose()
        await http.aclose()


class _ProviderRun:
    """One call of a provider-batch run over one input."""

    def __init__(
        self,
        pipeline: Pipeline,
        ledger: Ledger,
        options: RunOptions,
        api: BatchAPI,
        mirror: SyncMirror,
        state: BatchState,
        state_path: Path,
    ) -> None:
        self.pipeline = pipeline
        self.ledger = ledger
        self.options = options
        self.api = api
        self.mirror = mirror
        self.state = state
        self.state_path = state_path
        self.backend = pipeline.backends[mirror.name]
        self.counts = ProviderCounts()
        self.on_progress: Callable[[Counts], None] | None = None
        self.waiting: dict[str, tuple[str, _Work]] = {}
        """Record id -> (batch id, work) for records waiting in a submitted batch."""
        self.no_api_reason = "no batch API"

    # -- a submission interrupted by a kill ------------------------------------------------

    async def reconcile(self) -> None:
        """Settle the batches an earlier call was creating when it stopped: found at the
        provider, they are pending batches; not found, their records are submitted again."""
        if not self.state.submitting:
            return
        for intent in list(self.state.submitting):
            known = frozenset(batch.id for batch in self.state.batches)
            found = await self.api.find(intent.token, intent.since, len(intent.requests), known)
            if found is None:
                self.state.forget(intent)
                log.info("interrupted submission not found: submitting again")
                continue
            self.state.created(intent, found.id, found.status)
            self.counts.notes.append(
                f"batch {found.id} was created by an interrupted run: collecting it, "
                "not submitting its records again"
            )
            log.info("interrupted submission found", extra={"batch_id": found.id})
        self.state.save(self.state_path)

    # -- reading the input -------------------------------------------------------------

    def plan(self, records: Iterable[Record | RecordError]) -> list[_Work]:
        """Write what needs no backend; attach records to pending batches; the rest to submit."""
        pending = self.state.by_record()
        primaries: dict[str, _Work] = {}
        fresh: list[_Work] = []
        unique_id = UniqueIds()
        for item in records:
            if self.options.limit is not None and self.counts.read >= self.options.limit:
                break
            self.counts.read += 1
            rid = unique_id(item.id)
            if rid in self.ledger.index.done:
                self.counts.skipped += 1
                self.counts.skipped_failed += rid in self.ledger.index.failed
                self._progress()
                continue
            work = self._admit(rid, item)
            if work is None:
                continue
            primary = primaries.get(work.key)
            if primary is not None:
                primary.followers.append(work)
                continue
            primaries[work.key] = work
            submitted = pending.get(rid)
            if submitted is not None and submitted[1].text_sha256 == work.key:
                self.waiting[rid] = (submitted[0], work)
            else:
                fresh.append(work)
        return fresh

    def _admit(self, rid: str, item: Record | RecordError) -> _Work | None:
        """The record as work, or None once its line is written (error, known duplicate)."""
        if isinstance(item, RecordError):
            self._write(error_line(rid, item.reason, item.detail, item.locator))
            return None
        try:
            article = to_article(rid, item, self.pipeline.settings.max_article_chars)
        except Exception as exc:  # noqa: BLE001 - a defect on this record: its own error line
            self._write(defect_line(rid, item, exc, "reading the article"))
            return None
        if isinstance(article, tuple):
            self._write(error_line(rid, *article, item.locator))
            return None
        key = text_key(item.text)
        offset = self.ledger.index.by_key.get(key)
        if offset is not None:
            primary = self.ledger.read_at(offset)
            line = self._copy(primary, rid, article, item)
            self._write({**line, "via": primary["via"]} if "via" in primary else line)
            return None
        return _Work(rid, item, article, key)

    # -- submitting ----------------------------------------------------------------------

    async def submit(self, fresh: list[_Work], *, submission: int = 1) -> None:
        """Submit `fresh` in batches within the provider's limits (synchronously if none)."""
        if not fresh:
            return
        build = await self._body_builder()
        limits = self.api.limits
        chunk: list[tuple[_Work, str, bytes]] = []
        size = start = 0
        for index, work in enumerate(fresh):
            cid = custom_id(work.rid)
            entry = self.api.entry(cid, await build(render(work.article)))
            full = len(chunk) >= limits.max_requests or size + len(entry) + 1 > limits.max_bytes
            if chunk and full:
                if not await self._send(chunk, submission):
                    await self._synchronously([(w, self.no_api_reason) for w in fresh[start:]])
                    return
                chunk, size, start = [], 0, index
            chunk.append((work, cid, entry))
            size += len(entry) + 1
        if not await self._send(chunk, submission):
            await self._synchronously([(w, self.no_api_reason) for w in fresh[start:]])

    async def _body_builder(self) -> BuildBody:
        template = await self.mirror.template()
        if template is None:
            log.warning("batch requests recorded one by one", extra={"backend": self.mirror.name})
            return self.mirror.record

        async def fill(prompt: RenderedPrompt) -> str:
            return template.fill(prompt)

        return fill

    async def _send(self, chunk: list[tuple[_Work, str, bytes]], submission: int) -> bool:
        """Submit one batch and record it; False when the server has no batch API.

        The batch is saved as intended (with its token) before it is created, so that a
        run killed in between finds it again (`reconcile`) instead of paying twice.
        """
        requests = {cid: PendingRecord(id=work.rid, text_sha256=work.key) for work, cid, _ in chunk}
        had_state = self.state_path.exists()
        intent = self.state.intend(requests, submission=submission)
        self.state.save(self.state_path)
        try:
            status = await self.api.submit([entry for _, _, entry in chunk], intent.token)
        except NoBatchAPI as exc:
            self.state.forget(intent)
            if had_state or self.state.batches or self.state.submitting:
                self.state.save(self.state_path)
            else:  # nothing was ever pending: no state file is left behind
                self.state_path.unlink(missing_ok=True)
            self.no_api_reason = str(exc)
            self.counts.notes.append(f"{exc}: the records go through the synchronous API")
            log.warning("no batch API: going synchronous", extra={"backend": self.mirror.name})
            return False
        self.state.created(intent, status.id, status.status)
        self.state.save(self.state_path)
        self.counts.submitted += len(chunk)
        for work, _, _ in chunk:
            self.waiting[work.rid] = (status.id, work)
        log.info(
            "batch submitted",
            extra={"backend": self.mirror.name, "batch_id": status.id, "requests": len(chunk)},
        )
        return True

    # -- collecting ----------------------------------------------------------------------

    async def collect(self, *, wait: bool, poll_interval_s: float, sleep: Sleep) -> None:
        """Poll the batches holding this input's records; collect those that ended."""
        while True:
            for batch in list(self.state.batches):
                await self._poll(batch)
            if self.state.batches or self.state_path.exists():
                self.state.save(self.state_path)
            if not wait or not self.waiting:
                return
            await sleep(poll_interval_s)

    def _live(self, batch_id: str) -> list[_Work]:
        return [work for bid, work in self.waiting.values() if bid == batch_id]

    def _all_written(self, batch: SubmittedBatch) -> bool:
        return all(record.id in self.ledger.index.done for record in batch.requests.values())

    async def _poll(self, batch: SubmittedBatch) -> None:
        live = self._live(batch.id)
        if live:
            status = await self.api.status(batch.id)
            batch.status = status.status
            if status.phase == "running":
                return
            if status.phase == "failed" and batch.submission < MAX_SUBMISSIONS:
                await self._resubmit(batch, status, live)
                return
            await self._collect(batch, status, live)
        if self._all_written(batch):
            self.state.drop(batch.id)
        self.state.save(self.state_path)

    async def _resubmit(
        self, batch: SubmittedBatch, status: BatchStatus, live: list[_Work]
    ) -> None:
        """Submit the records of a batch that failed as a whole once more, in a new batch."""
        detail = f" ({status.detail})" if status.detail else ""
        self.counts.notes.append(
            f"batch {batch.id} failed{detail}: its {len(live)} record(s) were submitted again"
        )
        log.warning("batch failed: resubmitting", extra={"batch_id": batch.id})
        for work in live:
            del self.waiting[work.rid]
        self.state.drop(batch.id)
        await self.submit(live, submission=batch.submission + 1)
        self.state.save(self.state_path)

    async def _collect(self, batch: SubmittedBatch, status: BatchStatus, live: list[_Work]) -> None:
        """Write every live record of an ended (or failed, or gone) batch."""
        fallback: list[tuple[_Work, str]] = []
        seen: set[str] = set()
        answered = 0
        if status.phase == "ended":
            async for entry in self.api.results(status):
                work = self._match(batch, entry.custom_id, seen)
                if work is None:
                    continue
                outcome = await self._accept(work, entry)
                if isinstance(outcome, str):
                    fallback.append((work, outcome))
                    continue
                self._finish(work, outcome, VIA_BATCH, batch_id=batch.id)
                answered += 1
        reason = _missing_reason(status)
        fallback += [(work, reason) for work in live if work.rid not in seen]
        self.state.collected += answered
        log.info(
            "batch collected",
            extra={
                "batch_id": batch.id,
                "status": status.status,
                "answered": answered,
                "fallback": len(fallback),
            },
        )
        await self._synchronously(fallback)

    def _match(self, batch: SubmittedBatch, cid: str, seen: set[str]) -> _Work | None:
        """The live record a result stands for; None if unknown, elsewhere or written."""
        record = batch.requests.get(cid)
        if record is None or record.id in seen:
            return None
        waiting = self.waiting.get(record.id)
        if waiting is None or waiting[0] != batch.id or waiting[1].key != record.text_sha256:
            return None
        seen.add(record.id)
        return waiting[1]

    async def _accept(self, work: _Work, entry: ResultEntry) -> dict[str, Any] | str:
        """The ok line of a batch answer, or why the record must go synchronous."""
        if entry.body is None:
            return entry.problem or "no result"
        try:
            raw = await self.mirror.parse(work.article, entry.body)
        except InvalidOutput as exc:
            return f"invalid batch answer: {exc.args[0]}"
        except SummarizerError as exc:
            return f"unreadable batch answer: {exc.code}"
        except Exception as exc:  # noqa: BLE001 - a malformed body; reported by type only
            log.warning("unreadable batch answer", extra={"error_type": type(exc).__name__})
            return f"unreadable batch answer ({type(exc).__name__})"
        try:
            summary, hard = self.pipeline.accept(self.backend, work.article, raw)
        except Exception as exc:  # noqa: BLE001 - a check defect: the synchronous path decides
            log.warning("batch answer not checked", extra=defect_fields(exc))
            return f"the checks failed unexpectedly ({type(exc).__name__})"
        if hard:
            return "the batch answer failed the checks"
        return {"id": work.rid, "status": "ok", "summary": summary.model_dump(mode="json")}

    # -- the synchronous path ------------------------------------------------------------

    async def _synchronously(self, items: list[tuple[_Work, str]]) -> None:
        """Summarise each work through the pipeline (`options.concurrency` at a time)."""
        slots = asyncio.Semaphore(self.options.concurrency)

        async def one(work: _Work, reason: str) -> None:
            try:
                line = await self._summarize(work)
            finally:
                slots.release()
            self._finish(work, line, VIA_SYNC, fallback_reason=reason)

        try:
            async with asyncio.TaskGroup() as group:
                for work, reason in items:
                    await slots.acquire()
                    group.create_task(one(work, reason))
        except ExceptionGroup as errors:
            raise _first(errors) from errors

    async def _summarize(self, work: _Work) -> dict[str, Any]:
        try:
            summary = await self.pipeline.summarize(work.article, self.options.backend)
        except SummarizerError as exc:
            detail = f"{exc.code}: {exc}"
            return error_line(work.rid, reason_for(exc), detail, work.record.locator)
        except Exception as exc:  # noqa: BLE001 - a backend or check defect: this record only
            return defect_line(work.rid, work.record, exc, "summarising")
        return {"id": work.rid, "status": "ok", "summary": summary.model_dump(mode="json")}

    # -- writing -------------------------------------------------------------------------

    def _finish(self, work: _Work, line: dict[str, Any], via: str, **extra: str) -> None:
        """Write a record's line (and its duplicates' lines); it no longer waits."""
        self.waiting.pop(work.rid, None)
        written = {**line, "via": via, **extra, "text_sha256": work.key}
        if not self._write(written):
            return
        if via == VIA_BATCH:
            self.counts.via_batch += 1
        else:
            self.counts.via_sync += 1
        for follower in work.followers:
            copy = self._copy(written, follower.rid, follower.article, follower.record)
            self._write({**copy, "via": via})

    def _copy(
        self, primary: dict[str, Any], rid: str, article: Article, record: Record
    ) -> dict[str, Any]:
        """A duplicate's line, grounded in its own text; an error line if it cannot be."""
        try:
            line = copy_line(self.pipeline, primary, rid, article, record)
        except Exception as exc:  # noqa: BLE001 - a defect on this record: its own error line
            return defect_line(rid, record, exc, "re-checking a duplicate")
        if line is None:
            detail = "the earlier answer could not be re-checked against this copy's text"
            return error_line(rid, Reason.INVALID_OUTPUT, detail, record.locator)
        self.counts.duplicates += 1
        return line

    def _write(self, line: dict[str, Any]) -> bool:
        """Append a line unless its record already has one (never twice, whatever led here)."""
        if line["id"] in self.ledger.index.done:
            return False
        offset = self.ledger.append(line)
        self.ledger.index.add(line, offset)
        if line["status"] == "ok":
            self.counts.ok += 1
        else:
            self.counts.failed += 1
        self._progress()
        return True

    def _progress(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.counts)

    def finish(self) -> ProviderCounts:
        """The counts, with what still waits in unfinished batches."""
        waiting = [work for _, work in self.waiting.values()]
        self.counts.pending = sum(1 + len(work.followers) for work in waiting)
        self.counts.batches = sorted({bid for bid, _ in self.waiting.values()})
        return self.counts


def _missing_reason(status: BatchStatus) -> str:
    """Why a record of this batch has no usable result."""
    if status.phase == "failed":
        detail = f": {status.detail}" if status.detail else ""
        return f"the batch {status.status}{detail}"
    if status.phase == "gone":
        return "the batch is no longer known to the provider"
    return f"no result for the request in the batch output (batch {status.status})"


def _first(group: BaseExceptionGroup[Exception]) -> Exception:
    """The first real error inside a (nested) exception group."""
    first = group.exceptions[0]
    return _first(first) if isinstance(first, BaseExceptionGroup) else first
