"""`summarizer slack`: the bot in Socket Mode; register(app) adds the command to the main CLI."""

from __future__ import annotations

from typing import NoReturn

import typer

from service.errors import ConfigError

EXIT_USAGE = 2


def register(app: typer.Typer) -> None:
    """Add the `slack` command to a typer app."""
    app.command("slack")(slack)


def slack() -> None:
    """Run the Slack bot over Socket Mode: no public URL needed.

    Needs SLACK_APP_TOKEN (xapp-..., connections:write) and SLACK_BOT_TOKEN (xoxb-...).
    """
    from service import logs
    from service.config import load_settings
    from service.slack.settings import SOCKET_NEEDS, load_slack_settings

    try:
        settings = load_settings()
        slack_settings = load_slack_settings()
    except ConfigError as exc:
        _fail(str(exc))
    missing = slack_settings.missing(SOCKET_NEEDS)
    if missing:
        _fail(
            f"Socket Mode needs {' and '.join(missing)}: create the app from "
            "slack/manifest.yaml, then set the app-level token (xapp-...) and the bot "
            "token (xoxb-...); see the README, 'Add it to Slack in two minutes'"
        )
    logs.configure(settings.log_level)
    from service.slack.socket_mode import run_socket_mode  # slack-bolt, only when used

    try:
        run_socket_mode(settings, slack_settings)
    except ConfigError as exc:
        _fail(str(exc))


def _fail(message: str) -> NoReturn:
    typer.echo(f"summarizer: slack: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)
