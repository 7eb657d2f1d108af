"""The work behind `summarizer batch`: settings, backends, ledger, runner and progress."""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
)

from service.batch.ledger import Ledger, LedgerError
from service.batch.readers import FieldMap, read_safely, reader_for
from service.batch.records import Locator, Record, RecordError, text_key
from service.batch.runner import (
    BatchRunner,
    Counts,
    RunOptions,
    UniqueIds,
    fingerprint,
    to_article,
)
from service.batch.throttle import Throttle, least_call_tokens, throttled
from service.config import OFFLINE, Settings
from service.errors import ConfigError, InputError, SummarizerError

if TYPE_CHECKING:
    from service.pipeline import Pipeline

EXIT_OK = 0
EXIT_CRASH = 1
EXIT_USAGE = 2
EXIT_FAILED_RECORDS = 3
EXIT_BUDGET = 4

SYNC = "sync"
PROVIDER_BATCH = "provider-batch"
MODES = (SYNC, PROVIDER_BATCH)

_COUNT_CHUNK = 1 << 20


class Exit(Exception):
    """Ends the command with an exit code (the CLI edge turns it into typer.Exit)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class BatchCommand:
    """A parsed `batch` invocation."""

    plan: list[tuple[Path, str]]
    fields: FieldMap
    output: Path
    options: RunOptions
    resume: bool = False
    force: bool = False
    dry_run: bool = False
    retry_failed: bool = False
    mode: str = "sync"
    """'sync' (the backends' ordinary APIs) or 'provider-batch' (their batch APIs)."""
    wait: bool = True
    """provider-batch: wait for the batches to end (else submit, and collect next time)."""
    poll_interval_s: float = 30.0
    output_format: str | None = None
    """'csv' or 'parquet': also export the output as a flat table at the end."""


def execute(command: BatchCommand) -> int:
    """Run the command; return its exit code."""
    try:
        problem = usage_problem(command)
        if problem is not None:
            _fail(Console(stderr=True), problem, EXIT_USAGE)
        return _execute(command)
    except Exit as stop:
        return stop.code


def usage_problem(command: BatchCommand) -> str | None:
    """Why the options of a command do not go together; None when they do."""
    if command.mode != PROVIDER_BATCH or command.dry_run:
        return None
    options = command.options
    ignored = [
        flag
        for flag, value in (
            ("--max-tokens", options.max_tokens),
            ("--max-cost", options.max_cost),
            ("--max-rpm", options.max_rpm),
            ("--max-tpm", options.max_tpm),
        )
        if value is not None
    ]
    if not ignored:
        return None
    return (
        f"--mode provider-batch cannot apply {', '.join(ignored)}: the provider runs a "
        "submitted batch at its own pace and bills it whole. Drop them, or use --mode sync"
    )


def _execute(command: BatchCommand) -> int:
    console = Console(stderr=True)
    position = InputPosition(command.plan)
    records = position.track(records_of(command.plan, command.fields))
    settings = _settings()
    if command.dry_run:
        counts = dry_run(records, settings.max_article_chars, command.options.limit)
        console.print(
            f"dry run: {counts.read} read, {counts.ok} valid, {counts.failed} invalid, "
            f"{counts.duplicates} duplicates",
            soft_wrap=True,
        )
        return EXIT_FAILED_RECORDS if counts.has_failures else EXIT_OK
    started = time.monotonic()
    try:
        counts = asyncio.run(_run(settings, records, command, console, position))
    except (ConfigError, InputError, LedgerError) as exc:
        _fail(console, str(exc), EXIT_USAGE)
    except (SummarizerError, OSError) as exc:
        _fail(console, f"batch stopped: {exc}; rerun with --resume", EXIT_CRASH)
    except Exception as exc:  # noqa: BLE001 - the edge: a defect becomes exit 1, type only
        _fail(console, f"batch crashed ({type(exc).__name__}); rerun with --resume", EXIT_CRASH)
    elapsed = _clock(time.monotonic() - started)
    if command.output_format is not None:
        _export(console, command.output, command.output_format)
    state = "stopped" if counts.budget_reached else "finished"
    console.print(
        f"batch {state}: {_describe(counts)} in {elapsed}; {_spent(counts)}; "
        f"output in {command.output}",
        soft_wrap=True,
    )
    if counts.budget_reached:
        console.print(
            f"budget reached: {_spent(counts)}; rerun with --resume (and a larger budget) "
            "to continue",
            soft_wrap=True,
        )
        return EXIT_BUDGET
    return EXIT_FAILED_RECORDS if counts.has_failures else EXIT_OK


async def _run(
    settings: Settings,
    records: Iterator[Record | RecordError],
    command: BatchCommand,
    console: Console,
    position: InputPosition,
) -> Counts:
    from service.backends import build_backends, close_backends
    from service.pipeline import Pipeline

    options = command.options
    backends = build_backends(settings)
    try:
        throttle = Throttle(options.max_rpm, options.max_tpm)
        limited = throttled(backends, throttle, include_offline=options.limit_offline)
        pipeline = Pipeline(settings, limited)
        chain = pipeline.chain_for(options.backend)
        if options.max_cost is not None:
            _check_prices(settings, chain)
        waiting = [name for name in chain if limited[name] is not backends[name]]
        options = _fit_concurrency(settings, options, throttle, waiting, console)
        ledger = Ledger.open(
            command.output,
            fingerprint(pipeline, options.backend),
            resume=command.resume,
            force=command.force,
            retry_failed=command.retry_failed,
        )
        _notices(console, ledger)
        try:
            with ProgressDisplay(console, position) as display:
                if command.mode == PROVIDER_BATCH:
                    return await _provider_batch(pipeline, ledger, records, command, display)
                return await BatchRunner(pipeline, ledger, options, display.update).run(records)
        finally:
            ledger.close()
    finally:
        await close_backends(backends)


async def _provider_batch(
    pipeline: Pipeline,
    ledger: Ledger,
    records: Iterator[Record | RecordError],
    command: BatchCommand,
    display: ProgressDisplay,
) -> Counts:
    """The run through the provider's batch API; what it says is printed at the end."""
    from service.batch.provider import run_provider_batch
    from service.batch.provider_state import batches_path

    counts = await run_provider_batch(
        pipeline,
        ledger,
        records,
        command.options,
        state_path=batches_path(command.output),
        wait=command.wait,
        poll_interval_s=command.poll_interval_s,
        on_progress=display.update,
    )
    for note in counts.notes:
        display.progress.console.print(note, soft_wrap=True, markup=False)
    pending = counts.pending_message()
    if pending:
        display.progress.console.print(pending, soft_wrap=True, markup=False)
    return counts


def _export(console: Console, output: Path, fmt: str) -> None:
    """Write the flat table next to the output; a failed export is said, the run stands."""
    from service.batch.export import ExportError, export_table

    try:
        stats = export_table(output, fmt)
    except (ExportError, OSError) as exc:
        console.print(f"export failed: {exc}", soft_wrap=True, markup=False)
        return
    console.print(
        f"exported {stats.rows} row(s) for {stats.records} record(s) to {stats.dest}",
        soft_wrap=True,
        markup=False,
    )


def _fit_concurrency(
    settings: Settings,
    options: RunOptions,
    throttle: Throttle,
    limited: list[str],
    console: Console,
) -> RunOptions:
    """Options whose concurrency the rate limits can serve within the request deadline."""
    if not limited:
        return options
    max_output = max(settings.backends[name].max_output_tokens for name in limited)
    fitting = throttle.fitting_concurrency(
        options.concurrency, least_call_tokens(max_output), settings.request_deadline_s
    )
    if fitting >= options.concurrency:
        return options
    console.print(
        f"concurrency lowered to {fitting}: more records in flight would wait for the rate "
        "limits past their request deadline",
        soft_wrap=True,
    )
    return replace(options, concurrency=fitting)


def _check_prices(settings: Settings, chain: list[str]) -> None:
    """--max-cost needs a price for every backend of the chain that is not offline."""
    missing = [
        name
        for name in chain
        if settings.backends[name].kind != OFFLINE
        and (
            settings.backends[name].input_usd_per_mtok is None
            or settings.backends[name].output_usd_per_mtok is None
        )
    ]
    if missing:
        raise ConfigError(
            f"--max-cost needs prices: set input_usd_per_mtok and output_usd_per_mtok for "
            f"backend(s) {', '.join(missing)}"
        )


def _notices(console: Console, ledger: Ledger) -> None:
    if ledger.index.removed_failed:
        console.print(
            f"retry: removed {ledger.index.removed_failed} error line(s) from the output; "
            "those records are done again",
            soft_wrap=True,
        )
    if ledger.index.dropped_tail:
        console.print("resume: dropped a torn last line of the output; redoing it", soft_wrap=True)


class InputPosition:
    """How much of the planned input has been read, in bytes: the basis of the ETA.

    The record count is unknown while streaming, but the size of the input is known:
    a file's bytes, a folder's files' bytes. A record's locator tells how far its input
    has been read: its byte offset, else its line (times the file's mean line length),
    else its file (in a folder: the files seen so far).
    """

    def __init__(self, plan: list[tuple[Path, str]]) -> None:
        self._inputs = [(str(path), path.is_dir(), _size(path)) for path, _ in plan]
        self.total = sum(size for _, _, size in self._inputs)
        self._current = 0
        self._before = 0
        self._within = 0
        self._last_file: str | None = None
        self._line_bytes: dict[str, float] = {}

    @property
    def consumed(self) -> int:
        """Bytes of the input read so far."""
        return min(self.total, self._before + self._within)

    def track(self, records: Iterable[Record | RecordError]) -> Iterator[Record | RecordError]:
        """Pass the records through, following their position."""
        for item in records:
            self.see(item.locator)
            yield item

    def see(self, locator: Locator) -> None:
        """Move to the position of a record just read."""
        index = self._input_of(locator.path)
        if index is None:
            return
        if index != self._current:
            self._before = sum(size for _, _, size in self._inputs[:index])
            self._current, self._within, self._last_file = index, 0, None
        path, is_dir, size = self._inputs[index]
        if is_dir:
            if locator.path != self._last_file:
                self._within += _size(Path(locator.path))
                self._last_file = locator.path
        elif locator.offset is not None:
            self._within = locator.offset
        elif locator.line is not None:
            self._within = round(locator.line * self._bytes_per_line(path, size))
        self._within = min(self._within, size)

    def _input_of(self, where: str) -> int | None:
        for index in range(self._current, len(self._inputs)):  # inputs are read in order
            path, is_dir, _ = self._inputs[index]
            if where == path or (is_dir and where.startswith(path.rstrip(os.sep) + os.sep)):
                return index
        return None

    def _bytes_per_line(self, path: str, size: int) -> float:
        if path not in self._line_bytes:
            self._line_bytes[path] = size / max(1, _count_lines(Path(path)))
        return self._line_bytes[path]


class Eta:
    """Time left, from the rate at which records that needed work consumed the input.

    The clock starts at the first record that was not skipped, so that a resumed run's
    quick pass over what is already done does not make the estimate optimistic.
    """

    def __init__(self, total: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.total = total
        self.clock = clock
        self._start: tuple[float, int] | None = None

    def update(self, consumed: int, working: bool) -> float | None:
        """Seconds left, or None while unknown."""
        now = self.clock()
        if self._start is None:
            if working:
                self._start = (now, consumed)
            return None
        since, base = self._start
        elapsed, read = now - since, consumed - base
        if elapsed < 1 or read <= 0:
            return None
        return max(0.0, (self.total - consumed) * elapsed / read)


class ProgressDisplay:
    """A rich progress bar on stderr (live only on a terminal): the share of the input read
    as a bar, then the counts, rate and ETA as text."""

    def __init__(self, console: Console, position: InputPosition) -> None:
        self.position = position
        self.eta = Eta(position.total)
        self.progress = Progress(
            SpinnerColumn(),
            BarColumn(bar_width=24),
            TextColumn("{task.description}"),
            console=console,
            disable=not console.is_terminal,
        )
        self.started = time.monotonic()
        self.task = TaskID(0)

    def __enter__(self) -> ProgressDisplay:
        self.progress.start()
        self.task = self.progress.add_task("starting", total=self.position.total or None)
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def update(self, counts: Counts) -> None:
        """Show the latest counts."""
        consumed = self.position.consumed
        left = self.eta.update(consumed, working=counts.read > counts.skipped)
        share = consumed / self.position.total if self.position.total else None
        line = progress_line(counts, time.monotonic() - self.started, left, share)
        self.progress.update(self.task, completed=consumed, description=line)


def progress_line(
    counts: Counts, elapsed: float, left: float | None, share: float | None = None
) -> str:
    """The live progress text: input read, ETA and rate first (a narrow terminal cuts the
    end), then the counts."""
    handled = counts.ok + counts.failed
    rate = handled / max(elapsed, 1e-6)
    eta = "--" if left is None else _clock(left)
    read = "" if share is None else f"{share:.0%} · "
    return (
        f"{read}ETA {eta} · {rate:.1f} rec/s · {counts.ok} done, {counts.failed} failed, "
        f"{counts.skipped} skipped, {counts.duplicates} duplicates, "
        f"{counts.near_duplicates} near-duplicates"
    )


def _describe(counts: Counts) -> str:
    return (
        f"{counts.read} read, {counts.ok} done, {counts.failed} failed, "
        f"{counts.skipped} skipped, {counts.duplicates} duplicates, "
        f"{counts.near_duplicates} near-duplicates, {counts.similar} similar"
    )


def _spent(counts: Counts) -> str:
    tokens = f"{counts.tokens:,} tokens ({counts.input_tokens:,} in, {counts.output_tokens:,} out)"
    return f"{tokens}, ${counts.cost_usd:.4f} spent"


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def _size(path: Path) -> int:
    """Bytes of a file, or of the files under a folder (0 when unreadable)."""
    try:
        if path.is_dir():
            return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        return path.stat().st_size
    except OSError:
        return 0


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as handle:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(_COUNT_CHUNK), b""))
    except OSError:
        return 0


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


def records_of(plan: list[tuple[Path, str]], fields: FieldMap) -> Iterator[Record | RecordError]:
    """Every record of the planned inputs, in order, streamed."""
    return itertools.chain.from_iterable(
        read_safely(reader_for(fmt, fields), path) for path, fmt in plan
    )


def _settings() -> Settings:
    from service.config import load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        _fail(Console(stderr=True), str(exc), EXIT_USAGE)


def _fail(console: Console, message: str, code: int) -> NoReturn:
    console.print(f"summarizer: {message}", markup=False, highlight=False, soft_wrap=True)
    raise Exit(code)
