"""`summarizer batch INPUT... -o OUT`: register(app) adds the command to the main CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from service.batch.readers import FORMATS, FieldMap, detect_format


def register(app: typer.Typer) -> None:
    """Add the `batch` command to a typer app."""
    app.command("batch")(batch)


def batch(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="JSONL, CSV, WARC, NITF, NewsML-G2 or RSS/Atom files, or folders of .txt/.html."
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output JSONL (appended).")],
    input_format: Annotated[
        str | None, typer.Option(help=f"One of {', '.join(FORMATS)}; default: by extension.")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Skip records already in the output.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Resume despite another fingerprint.")
    ] = False,
    concurrency: Annotated[int, typer.Option(min=1, max=256, help="Records in flight.")] = 4,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Read at most N input records (skipped ones count).")
    ] = None,
    dry_run_: Annotated[
        bool, typer.Option("--dry-run", help="Count and validate; no backend calls.")
    ] = False,
    backend: Annotated[str | None, typer.Option(help="A configured backend name.")] = None,
    retry_failed: Annotated[
        bool,
        typer.Option(
            "--retry-failed", help="With --resume: remove the error lines and do those again."
        ),
    ] = False,
    max_rpm: Annotated[
        int | None, typer.Option(min=1, help="Backend calls per minute, for the whole run.")
    ] = None,
    max_tpm: Annotated[
        int | None,
        typer.Option(min=1, help="Tokens per minute (estimated before each call), whole run."),
    ] = None,
    limit_offline: Annotated[
        bool, typer.Option("--limit-offline", help="Apply --max-rpm/--max-tpm to offline too.")
    ] = False,
    max_tokens: Annotated[
        int | None,
        typer.Option(min=1, help="Stop dispatching once this run spent N tokens (in + out)."),
    ] = None,
    max_cost: Annotated[
        float | None,
        typer.Option(
            min=0.000001,
            help="Stop dispatching once this run spent USD (needs the backends' prices).",
        ),
    ] = None,
    mode: Annotated[
        str,
        typer.Option(
            help="sync (the backend's ordinary API) or provider-batch (the OpenAI Batch API "
            "or Anthropic Message Batches: half price, answers within 24 h)."
        ),
    ] = "sync",
    wait: Annotated[
        bool,
        typer.Option(
            "--wait/--no-wait",
            help="provider-batch: wait for the batches, or submit and collect on a later "
            "call with --resume.",
        ),
    ] = True,
    poll_interval: Annotated[
        float, typer.Option(min=1, help="provider-batch: seconds between status checks.")
    ] = 30.0,
    output_format: Annotated[
        str | None,
        typer.Option(help="Also export a flat table (csv or parquet) next to the output."),
    ] = None,
    text_field: Annotated[str, typer.Option(help="Field holding the text.")] = "text",
    id_field: Annotated[str, typer.Option(help="Field holding the id.")] = "id",
    published_at_field: Annotated[str, typer.Option(help="Publication date field.")] = (
        "published_at"
    ),
    url_field: Annotated[str, typer.Option(help="Field holding the url.")] = "url",
    title_field: Annotated[str, typer.Option(help="Field holding the title.")] = "title",
    source_field: Annotated[str, typer.Option(help="Field holding the outlet.")] = "source",
) -> None:
    """Summarise an archive: one output line per input record; progress on stderr.

    Budgets (--max-tokens, --max-cost) count this run's spending, not earlier runs.
    Once reached, no new record starts and those in flight are written (exit 4).

    Exit codes: 0 all records done · 1 crash: rerun with --resume · 2 usage error
    · 3 finished with failed records · 4 budget reached: rerun with --resume.
    """
    fields = FieldMap(
        text_field, id_field, published_at_field, url_field, title_field, source_field
    )
    plan = [(path, _format_of(path, input_format)) for path in inputs]
    _choice(mode, ("sync", "provider-batch"), "--mode")
    if output_format is not None:
        _choice(output_format, ("csv", "parquet"), "--output-format")
    # Imported here: the pipeline and rich are not loaded for the other commands.
    from service.batch.command import BatchCommand, execute
    from service.batch.runner import RunOptions

    command = BatchCommand(
        plan=plan,
        fields=fields,
        output=output,
        options=RunOptions(
            concurrency=concurrency,
            limit=limit,
            backend=backend,
            max_tokens=max_tokens,
            max_cost=max_cost,
            max_rpm=max_rpm,
            max_tpm=max_tpm,
            limit_offline=limit_offline,
        ),
        resume=resume,
        force=force,
        dry_run=dry_run_,
        retry_failed=retry_failed,
        mode=mode,
        wait=wait,
        poll_interval_s=poll_interval,
        output_format=output_format,
    )
    raise typer.Exit(execute(command))


def _choice(value: str, allowed: tuple[str, ...], option: str) -> None:
    if value not in allowed:
        raise typer.BadParameter(f"use one of {', '.join(allowed)}", param_hint=option)


def _format_of(path: Path, requested: str | None) -> str:
    if not path.exists():
        raise typer.BadParameter(f"{path} does not exist", param_hint="INPUTS")
    if requested is not None:
        if requested not in FORMATS:
            raise typer.BadParameter(
                f"use one of {', '.join(FORMATS)}", param_hint="--input-format"
            )
        return requested
    detected = detect_format(path)
    if detected is None:
        raise typer.BadParameter(
            f"cannot tell the format of {path}: pass --input-format", param_hint="INPUTS"
        )
    return detected
