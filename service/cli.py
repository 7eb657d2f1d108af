"""Command line: `summarizer serve` and `summarizer summarize FILE|-`; calls the pipeline only."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from pydantic import ValidationError

from schemas import ArticleIn, EventSummary
from service.article import Article
from service.batch.cli import register as register_batch
from service.batch.export import register as register_export
from service.errors import ConfigError, InputError, SummarizerError
from service.slack.cli import register as register_slack

if TYPE_CHECKING:
    from service.config import Settings

app = typer.Typer(
    help="Newsroom event summarizer: validated, source-grounded event summaries.",
    no_args_is_help=True,
    add_completion=False,
)

EXIT_FAILED = 1
EXIT_USAGE = 2


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the HTTP API (offline backend unless LLM backends are configured)."""
    import uvicorn

    from service import logs
    from service.main import create_app

    settings = _settings_or_exit()
    logs.configure(settings.log_level)
    try:
        application = create_app(settings)
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)
    uvicorn.run(application, host=host, port=port, log_config=None, access_log=False)


@app.command()
def prepare() -> None:
    """Build the offline gazetteer index now (otherwise the first offline request builds it)."""
    from service.normalize.gazetteer import default_cache_dir, ensure_built

    try:
        path = ensure_built(default_cache_dir())
    except SummarizerError as exc:
        _fail(str(exc), EXIT_FAILED)
    typer.echo(f"gazetteer ready: {path}", err=True)


@app.command()
def summarize(
    source: Annotated[str, typer.Argument(help="A text file, or - for standard input.")],
    published_at: Annotated[
        str | None, typer.Option(help="Publication date or date-time (ISO 8601).")
    ] = None,
    language: Annotated[str | None, typer.Option(help="ISO 639-1 language.")] = None,
    output_language: Annotated[str | None, typer.Option(help="Language of the summary.")] = None,
    title: Annotated[str | None, typer.Option(help="Article title.")] = None,
    url: Annotated[str | None, typer.Option(help="Article URL.")] = None,
    article_id: Annotated[str | None, typer.Option("--id", help="Your id for the article.")] = None,
    outlet: Annotated[str | None, typer.Option("--source", help="Outlet name.")] = None,
    backend: Annotated[str | None, typer.Option(help="A configured backend name.")] = None,
) -> None:
    """Summarise one article and print the summary as JSON on stdout."""
    text = _read_source(source)
    try:
        body = ArticleIn.model_validate(
            {
                "text": text,
                "id": article_id,
                "url": url,
                "title": title,
                "published_at": published_at,
                "language": language,
                "output_language": output_language,
                "source": outlet,
                "backend": backend,
            }
        )
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        _fail(f"invalid article: {reasons}", EXIT_USAGE)
    summary = asyncio.run(_summarize(body))
    sys.stdout.write(summary.model_dump_json(indent=2) + "\n")


async def _summarize(body: ArticleIn) -> EventSummary:
    from service.backends import build_backends, close_backends
    from service.pipeline import Pipeline

    settings = _settings_or_exit()
    if len(body.text) > settings.max_article_chars:
        _fail(f"the article is longer than {settings.max_article_chars} characters", EXIT_USAGE)
    try:
        backends = build_backends(settings)
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)
    try:
        return await Pipeline(settings, backends).summarize(Article.from_input(body), body.backend)
    except InputError as exc:
        _fail(str(exc), EXIT_USAGE)
    except SummarizerError as exc:
        _fail(f"{exc.code}: {exc}", EXIT_FAILED)
    finally:
        await close_backends(backends)


def _settings_or_exit() -> Settings:
    from service.config import load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)


def _read_source(source: str) -> str:
    try:
        raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        _fail(f"cannot read {source}: {exc.strerror}", EXIT_USAGE)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        _fail(f"{source} is not UTF-8 text (byte {exc.start})", EXIT_USAGE)


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"summarizer: {message}", err=True)
    raise typer.Exit(code)


register_batch(app)
register_export(app)
register_slack(app)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
