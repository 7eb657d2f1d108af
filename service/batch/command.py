"""The work behind `summarizer batch`: settings, backends, ledger, runner and progress."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from service.batch.ledger import Ledger, LedgerError
from service.batch.readers import FieldMap, reader_for
from service.batch.records import Record, RecordError
from service.batch.runner import BatchRunner, Counts, RunOptions, dry_run, fingerprint
from service.config import Settings
from service.errors import ConfigError, InputError, SummarizerError

EXIT_OK = 0
EXIT_CRASH = 1
EXIT_USAGE = 2
EXIT_FAILED_RECORDS = 3


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


def execute(command: BatchCommand) -> int:
    """Run the command; return its exit code."""
    try:
        return _execute(command)
    except Exit as stop:
        return stop.code


def _execute(command: BatchCommand) -> int:
    console = Console(stderr=True)
    records = _records(command.plan, command.fields)
    settings = _settings()
    limit = command.options.limit
    if command.dry_run:
        counts = dry_run(records, settings.max_article_chars, limit)
        console.print(
            f"dry run: {counts.read} read, {counts.ok} valid, {counts.failed} invalid, "
            f"{counts.duplicates} duplicates",
            soft_wrap=True,
        )
        return EXIT_FAILED_RECORDS if counts.has_failures else EXIT_OK
    output, options = command.output, command.options
    try:
        counts = asyncio.run(
            _run(settings, records, output, options, command.resume, command.force, console)
        )
    except (ConfigError, InputError, LedgerError) as exc:
        _fail(console, str(exc), EXIT_USAGE)
    except (SummarizerError, OSError) as exc:
        _fail(console, f"batch stopped: {exc}; rerun with --resume", EXIT_CRASH)
    except Exception as exc:  # noqa: BLE001 - the edge: a defect becomes exit 1, type only
        _fail(console, f"batch crashed ({type(exc).__name__}); rerun with --resume", EXIT_CRASH)
    console.print(f"batch finished: {_describe(counts)}; output in {output}", soft_wrap=True)
    return EXIT_FAILED_RECORDS if counts.has_failures else EXIT_OK


async def _run(
    settings: Settings,
    records: Iterator[Record | RecordError],
    output: Path,
    options: RunOptions,
    resume: bool,
    force: bool,
    console: Console,
) -> Counts:
    from service.backends import build_backends, close_backends
    from service.pipeline import Pipeline

    backends = build_backends(settings)
    try:
        pipeline = Pipeline(settings, backends)
        ledger = Ledger.open(
            output, fingerprint(pipeline, options.backend), resume=resume, force=force
        )
        if ledger.index.dropped_tail:
            console.print(
                "resume: dropped a torn last line of the output; redoing it", soft_wrap=True
            )
        try:
            with _Display(console) as display:
                return await BatchRunner(pipeline, ledger, options, display.update).run(records)
        finally:
            ledger.close()
    finally:
        await close_backends(backends)


class _Display:
    """A rich progress line on stderr (live only on a terminal): counts, rate, elapsed."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
        )
        self.started = time.monotonic()
        self.task = TaskID(0)

    def __enter__(self) -> _Display:
        self.progress.start()
        self.task = self.progress.add_task("starting", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def update(self, counts: Counts) -> None:
        """Show the latest counts."""
        handled = counts.ok + counts.failed
        rate = handled / max(time.monotonic() - self.started, 1e-6)
        line = f"{_describe(counts)} · {rate:.1f} rec/s"
        self.progress.update(self.task, completed=counts.read, description=line)


def _describe(counts: Counts) -> str:
    return (
        f"{counts.read} read, {counts.ok} done, {counts.failed} failed, "
        f"{counts.skipped} skipped, {counts.duplicates} duplicates"
    )


def _records(plan: list[tuple[Path, str]], fields: FieldMap) -> Iterator[Record | RecordError]:
    return itertools.chain.from_iterable(reader_for(fmt, fields).read(path) for path, fmt in plan)


def _settings() -> Settings:
    from service.config import load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        _fail(Console(stderr=True), str(exc), EXIT_USAGE)


def _fail(console: Console, message: str, code: int) -> NoReturn:
    console.print(f"summarizer: {message}", markup=False, highlight=False, soft_wrap=True)
    raise Exit(code)
