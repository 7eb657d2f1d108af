"""Socket Mode: the bot over an outgoing WebSocket, for newsrooms without a public URL."""

from __future__ import annotations

import asyncio
import logging
import signal

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError

from service.backends import build_backends, close_backends
from service.config import Settings
from service.errors import ConfigError
from service.pipeline import Pipeline
from service.slack.bot import SlackBot, build_bot, quiet_logger
from service.slack.fetch import PageFetcher
from service.slack.settings import SOCKET_NEEDS, SlackSettings
from service.slack.tracker import DrainReport

log = logging.getLogger(__name__)


async def _preflight(bot: SlackBot, app_token: str) -> None:
    """Check both tokens once, so that a wrong one fails start-up instead of looping."""
    client = bot.app.client
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"):
        try:
            if name == "SLACK_BOT_TOKEN":
                await client.auth_test()
            else:
                await client.apps_connections_open(app_token=app_token)
        except SlackApiError as exc:
            error = exc.response.get("error", "unknown") if exc.response is not None else "unknown"
            raise ConfigError(f"Slack refused {name} ({error})") from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ConfigError(
                f"cannot reach Slack at {bot.settings.api_url} ({type(exc).__name__})"
            ) from None


async def serve_socket_mode(
    settings: SlackSettings,
    pipeline: Pipeline,
    stop: asyncio.Event,
    *,
    fetcher: PageFetcher | None = None,
) -> DrainReport:
    """Connect, answer until `stop` is set, then disconnect and drain the work in flight."""
    missing = settings.missing(SOCKET_NEEDS)
    if missing or settings.app_token is None:
        raise ConfigError(f"Socket Mode needs {' and '.join(missing)}")
    bot = build_bot(settings, pipeline, fetcher=fetcher)
    app_token = settings.app_token.get_secret_value()
    await _preflight(bot, app_token)
    handler = AsyncSocketModeHandler(
        bot.app, app_token, logger=quiet_logger("socket"), web_client=bot.app.client
    )
    await handler.connect_async()  # type: ignore[no-untyped-call]
    log.info("slack bot: on (Socket Mode)")
    try:
        await stop.wait()
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]  # no new work comes in...
        report = await bot.aclose()  # ...and the work in flight finishes or is told
    return report


async def _serve(settings: Settings, slack_settings: SlackSettings) -> None:
    backends = build_backends(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await serve_socket_mode(slack_settings, Pipeline(settings, backends), stop)
    finally:
        await close_backends(backends)


def run_socket_mode(settings: Settings, slack_settings: SlackSettings) -> None:
    """Run the bot in Socket Mode until SIGINT or SIGTERM; raises ConfigError on bad setup."""
    asyncio.run(_serve(settings, slack_settings))
