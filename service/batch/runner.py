"""The async batch runner: bounded concurrency, one output line per record, duplicates once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from schemas import MAX_TEXT_CHARS, SCHEMA_VERSION, ArticleIn
from service.article import Article
from service.batch.ledger import Ledger
from service.batch.records import Reason, Record, RecordError, text_key
from service.errors import (
    BackendError,
    DeadlineExceeded,
    ExtractionFailed,
    InputError,
    SummarizerError,
)
from service.pipeline import Pipeline
from service.prompts import prompt_version

MAX_DETAIL = 500
MAX_ARTICLE_ID = 200


@dataclass(frozen=True)
class RunOptions:
    """How a run is carried out."""

    concurrency: int = 4
    limit: int | None = None
    backend: str | None = None


@dataclass
class Counts:
    """What a run did, record by record."""

    read: int = 0
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    skipped_failed: int = 0
    duplicates: int = 0

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


class UniqueIds:
    """Makes ids unique in input order: the n-th repeat of an id gets `#n` (deterministic)."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def __call__(self, rid: str) -> str:
        """The id to use for the next record carrying `rid`."""
        seen = self._seen.get(rid, 0) + 1
        self._seen[rid] = seen
        return rid if seen == 1 else f"{rid}#{seen}"


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

    async def run(self, records: Iterable[Record | RecordError]) -> Counts:
        """Process every record (up to the limit); return the counts."""
        slots = asyncio.Semaphore(self.options.concurrency)
        try:
            async with asyncio.TaskGroup() as group:
                for item in records:
                    if self.options.limit is not None and self.counts.read >= self.options.limit:
                        break
                    work = self._dispatch(item)
                    if work is not None:
                        await slots.acquire()
                        task = group.create_task(self._one(*work))
                        task.add_done_callback(lambda _: slots.release())
        except ExceptionGroup as group_error:
            raise _first(group_error) from group_error
        return self.counts

    def _dispatch(self, item: Record | RecordError) -> tuple[str, Record] | None:
        """Count one input record; write what needs no backend; else the work to schedule."""
        self.counts.read += 1
        rid = self.unique_id(item.id)
        if rid in self.ledger.index.done:
            self.counts.skipped += 1
            self.counts.skipped_failed += rid in self.ledger.index.failed
            self._progress()
            return None
        if isinstance(item, RecordError):
            self._write(error_line(rid, item.reason, item.detail, item.locator))
            return None
        return rid, item

    async def _one(self, rid: str, record: Record) -> None:
        article = to_article(rid, record, self.pipeline.settings.max_article_chars)
        if isinstance(article, tuple):
            self._write(error_line(rid, *article, record.locator))
            return
        key = text_key(record.text)
        offset = self.ledger.index.by_key.get(key)
        if offset is None and key in self._inflight:
            offset = await asyncio.shield(self._inflight[key])
        if offset is not None:
            self.counts.duplicates += 1
            self._write(reuse(self.ledger.read_at(offset), rid, article, record))
            return
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            line = await self._summarize(rid, article, record)
            offset = self._write({**line, "text_sha256": key})
            self.ledger.index.by_key[key] = offset
            future.set_result(offset)
        finally:
            del self._inflight[key]
            if not future.done():
                future.cancel()

    async def _summarize(self, rid: str, article: Article, record: Record) -> dict[str, Any]:
        try:
            summary = await self.pipeline.summarize(article, self.options.backend)
        except SummarizerError as exc:
            return error_line(rid, reason_for(exc), f"{exc.code}: {exc}", record.locator)
        return {"id": rid, "status": "ok", "summary": summary.model_dump(mode="json")}

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


def _first(group: BaseExceptionGroup[Exception]) -> Exception:
    """The first real error inside a (nested) exception group: the cause of a crash."""
    first = group.exceptions[0]
    return _first(first) if isinstance(first, BaseExceptionGroup) else first


def reuse(primary: dict[str, Any], rid: str, article: Article, record: Record) -> dict[str, Any]:
    """The line of a duplicate: the primary's outcome, with this record's own article facts."""
    line: dict[str, Any] = {"id": rid, "status": primary["status"], "duplicate_of": primary["id"]}
    if primary["status"] == "ok":
        summary = dict(primary["summary"])
        summary["article"] = {
            **summary.get("article", {}),
            "id": article.id,
            "content_sha256": article.sha256,
            "length": len(article.text),
            "published_at": article.published_iso,
            "url": article.url,
            "title": article.title,
            "source": article.source,
        }
        line["summary"] = summary
    else:
        line.update(reason=primary.get("reason"), detail=primary.get("detail"))
        line["locator"] = str(record.locator)
    return {**line, "text_sha256": primary.get("text_sha256")}


def dry_run(
    records: Iterable[Record | RecordError], max_chars: int, limit: int | None = None
) -> Counts:
    """Read and validate the input without calling a backend or writing an output."""
    counts = Counts()
    unique_id = UniqueIds()
    keys: set[str] = set()
    for item in records:
        if limit is not None and counts.read >= limit:
            break
        counts.read += 1
        rid = unique_id(item.id)
        if isinstance(item, RecordError) or isinstance(to_article(rid, item, max_chars), tuple):
            counts.failed += 1
            continue
        key = text_key(item.text)
        counts.duplicates += key in keys
        keys.add(key)
        counts.ok += 1
    return counts
