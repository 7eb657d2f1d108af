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
    inputs: Annotated[list[Path], typer.Argument(help="JSONL or CSV files, or folders of .txt.")],
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
    text_field: Annotated[str, typer.Option(help="Field holding the text.")] = "text",
    id_field: Annotated[str, typer.Option(help="Field holding the id.")] = "id",
    published_at_field: Annotated[str, typer.Option(help="Publication date field.")] = (
        "published_at"
    ),
    url_field: Annotated[str, typer.Option(help="Field holding the url.")] = "url",
    title_field: Annotated[str, typer.Option(help="Field holding the title.")] = "title",
    source_field: Annotated[str, typer.Option(help="Field holding the outlet.")] = "source",
) -> None:
    """Summarise an archive: one output line per input record; progress on stderr."""
    fields = FieldMap(
        text_field, id_field, published_at_field, url_field, title_field, source_field
    )
    plan = [(path, _format_of(path, input_format)) for path in inputs]
    # Imported here: the pipeline and rich are not loaded for the other commands.
    from service.batch.command import BatchCommand, execute
    from service.batch.runner import RunOptions

    command = BatchCommand(
        plan=plan,
        fields=fields,
        output=output,
        options=RunOptions(concurrency=concurrency, limit=limit, backend=backend),
        resume=resume,
        force=force,
        dry_run=dry_run_,
    )
    raise typer.Exit(execute(command))


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
