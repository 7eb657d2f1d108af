"""The slack-bolt `AsyncApp`: one set of handlers for HTTP mode and Socket Mode.

Each handler acks at once and hands the work to the tracker; the answer follows through
`response_url`, the thread, or `chat.unfurl`. Events that Slack delivers again (same
event id, `X-Slack-Retry-Num`) are acked and dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient
from yarl import URL

from schemas import EventSummary
from service.pipeline import Pipeline
from service.slack import messages
from service.slack.card import SHOW_JSON_ACTION
from service.slack.fetch import PageFetcher
from service.slack.jobs import Job, Jobs, notify, open_view
from service.slack.replies import ResponseUrlReply, ThreadReply, UnfurlReply
from service.slack.settings import SlackSettings
from service.slack.text import Source, choose_source, strip_mentions
from service.slack.tracker import DrainReport, WorkTracker
from service.slack.ttl import TTLMap

log = logging.getLogger(__name__)

COMMAND = messages.COMMAND
SHORTCUT_CALLBACK_ID = "summarize_message"
EVENTS = ("app_mention", "link_shared")
MAX_UNFURLS = 3
SEEN_EVENTS = 10_000
SEEN_TTL_S = 3600.0
KEPT_SUMMARIES = 500
KEPT_TTL_S = 24 * 3600.0
API_TIMEOUT_S = 30


class _KnownNoise(logging.Filter):
    """Drops bolt's warning that the token it read from SLACK_BOT_TOKEN is unused."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("As you gave `client` as well")


def quiet_logger(name: str) -> logging.Logger:
    """A logger for slack-bolt and slack_sdk: their debug and info lines quote payloads,
    tokens' requests and response_url (their own default loggers are quieted too)."""
    for library in ("slack_sdk", "slack_bolt"):
        logging.getLogger(library).setLevel(logging.WARNING)
    logger = logging.getLogger(f"service.slack.{name}")
    logger.setLevel(logging.WARNING)
    if not logger.filters:
        logger.addFilter(_KnownNoise())
    return logger


@dataclass
class SlackBot:
    """The bolt app with what it needs to answer and to shut down cleanly."""

    app: AsyncApp
    jobs: Jobs
    tracker: WorkTracker
    settings: SlackSettings

    async def aclose(self) -> DrainReport:
        """Stop taking work and drain what is in flight (cancelled after the timeout)."""
        report = await self.tracker.drain(self.settings.drain_timeout_s)
        log.info(
            "slack bot stopped",
            extra={"finished": report.finished, "cancelled": report.cancelled},
        )
        return report


def unfurl_allowed(url: str, domains: list[str]) -> bool:
    """True when the link's host is one of the newsroom domains or a subdomain of one."""
    try:
        host = (URL(url).host or "").lower().rstrip(".")
    except ValueError:
        return False
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def build_bot(
    settings: SlackSettings,
    pipeline: Pipeline,
    *,
    fetcher: PageFetcher | None = None,
) -> SlackBot:
    """The bot for `settings` (which must hold a bot token) over `pipeline`."""
    if settings.bot_token is None:
        raise ValueError("the Slack bot needs SLACK_BOT_TOKEN")
    client = AsyncWebClient(
        token=settings.bot_token.get_secret_value(),
        base_url=settings.api_url,
        timeout=API_TIMEOUT_S,
        logger=quiet_logger("sdk"),
    )
    app = AsyncApp(
        name="newsroom-summarizer",
        client=client,
        logger=quiet_logger("bolt"),
        # HTTP requests are verified before bolt parses them (service.slack.http);
        # Socket Mode needs no signature.
        request_verification_enabled=False,
        signing_secret="",
    )
    tracker = WorkTracker(settings.max_concurrent)
    jobs = Jobs(
        pipeline,
        fetcher or _fetcher(settings),
        tracker,
        TTLMap[str, EventSummary](KEPT_SUMMARIES, KEPT_TTL_S),
    )
    app.use(_retry_filter(TTLMap[str, bool](SEEN_EVENTS, SEEN_TTL_S)))
    _register(app, jobs, settings)
    return SlackBot(app=app, jobs=jobs, tracker=tracker, settings=settings)


def _fetcher(settings: SlackSettings) -> PageFetcher:
    return PageFetcher(
        timeout_s=settings.fetch_timeout_s,
        max_bytes=settings.fetch_max_bytes,
        max_redirects=settings.fetch_max_redirects,
        allow_private=settings.fetch_allow_private,
        allowed_ports=settings.fetch_allowed_ports,
    )


Next = Callable[[], Awaitable[None]]


def _retry_filter(
    seen: TTLMap[str, bool],
) -> Callable[[dict[str, Any], AsyncBoltRequest, Next], Awaitable[BoltResponse | None]]:
    """Middleware: an event id already seen is acked (200) and goes no further."""

    async def skip_redeliveries(
        body: dict[str, Any], req: AsyncBoltRequest, next: Next
    ) -> BoltResponse | None:
        event_id = body.get("event_id")
        if isinstance(event_id, str) and not seen.add(event_id, True):
            retry = req.headers.get("x-slack-retry-num", ["0"])[0]
            log.info("slack redelivery ignored", extra={"event_id": event_id, "retry": retry})
            return BoltResponse(status=200, body="")
        await next()
        return None

    return skip_redeliveries


def _register(app: AsyncApp, jobs: Jobs, settings: SlackSettings) -> None:
    """Attach the handlers of the command, the shortcut, the events and the button."""

    @app.command(COMMAND)
    async def on_command(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        source = choose_source(str(command.get("text", "")))
        if source is None or (source.text or "").strip().lower() == "help":
            await ack(text=messages.USAGE)
            return
        job = Job("command", source, ResponseUrlReply(respond, settings.command_response))
        await ack(text=messages.WORKING if jobs.submit(job) else jobs.refusal(job))

    @app.message_shortcut(SHORTCUT_CALLBACK_ID)
    async def on_shortcut(
        ack: AsyncAck, shortcut: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        message = shortcut.get("message") or {}
        source = choose_source(str(message.get("text", "")))
        if source is None:
            await notify(ResponseUrlReply(respond), messages.NOTHING_TO_SUMMARISE)
            return
        reply = ThreadReply(
            client,
            channel=str((shortcut.get("channel") or {}).get("id", "")),
            thread_ts=str(message.get("thread_ts") or message.get("ts", "")),
            user=(shortcut.get("user") or {}).get("id"),
            fallback=respond,
        )
        await _submit_or_say_restarting(jobs, Job("shortcut", source, reply))

    @app.event("app_mention")
    async def on_mention(
        event: dict[str, Any], context: dict[str, Any], client: AsyncWebClient
    ) -> None:
        text = strip_mentions(str(event.get("text", "")), context.get("bot_user_id"))
        reply = ThreadReply(
            client,
            channel=str(event.get("channel", "")),
            thread_ts=str(event.get("thread_ts") or event.get("ts", "")),
            user=event.get("user"),
        )
        source = choose_source(text)
        if source is None:
            await notify(reply, messages.USAGE)
            return
        await _submit_or_say_restarting(jobs, Job("mention", source, reply))

    @app.event("link_shared")
    async def on_link_shared(event: dict[str, Any], client: AsyncWebClient) -> None:
        links = [str(link.get("url", "")) for link in event.get("links", [])]
        wanted = [url for url in links if unfurl_allowed(url, settings.unfurl_domains)]
        for url in wanted[:MAX_UNFURLS]:
            reply = UnfurlReply(
                client,
                url=url,
                channel=event.get("channel"),
                ts=event.get("message_ts"),
                unfurl_id=event.get("unfurl_id"),
                source=event.get("source"),
            )
            jobs.submit(Job("unfurl", Source(url=url), reply))

    @app.action(SHOW_JSON_ACTION)
    async def on_show_json(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        actions = body.get("actions") or [{}]
        view = messages.json_view(jobs.summaries.get(str(actions[0].get("value", ""))))
        # Quick, and the trigger expires in 3 s: not queued behind summaries.
        jobs.tracker.start(open_view(client, str(body.get("trigger_id", "")), view), name="json")


async def _submit_or_say_restarting(jobs: Jobs, job: Job) -> None:
    if not jobs.submit(job):
        await jobs.refuse(job)
