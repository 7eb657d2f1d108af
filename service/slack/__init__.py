"""The Slack bot: /summarize, the "Summarize this message" shortcut, mentions and unfurls.

Two ways to run the same bolt app: HTTP mode, mounted into the FastAPI app at
/slack/events (`mount_http`), and Socket Mode (`summarizer slack`,
`service.slack.socket_mode`). slack-bolt is imported only when the bot is on.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from service.slack.settings import HTTP_NEEDS, SlackSettings, load_slack_settings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from service.pipeline import Pipeline
    from service.slack.bot import SlackBot

log = logging.getLogger(__name__)

__all__ = ["SlackSettings", "load_slack_settings", "mount_http"]


def mount_http(
    app: FastAPI, pipeline: Pipeline, settings: SlackSettings | None = None
) -> SlackBot | None:
    """Serve the bot at /slack/events when its HTTP settings are set; log whether it is on.

    Returns the bot (close it with `await bot.aclose()` on shutdown) or None when off.
    Raises ConfigError when a Slack setting is invalid.
    """
    settings = settings if settings is not None else load_slack_settings()
    missing = settings.missing(HTTP_NEEDS)
    if missing or settings.signing_secret is None:
        log.info(
            f"slack bot: off (set {' and '.join(missing)} to serve it at /slack/events, "
            "or run `summarizer slack` for Socket Mode)"
        )
        return None
    from service.slack.bot import build_bot
    from service.slack.http import EVENTS_PATH, install

    bot = build_bot(settings, pipeline)
    install(app, bot, settings.signing_secret.get_secret_value())
    log.info(f"slack bot: on (HTTP mode at {EVENTS_PATH})")
    return bot
