"""Where an answer goes: the command's response_url, a thread, or a link unfurl."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from service.slack.messages import NOT_IN_CHANNEL

log = logging.getLogger(__name__)

Blocks = list[dict[str, Any]]
FALLBACK_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})


class ReplyFailed(Exception):
    """Slack refused an answer sent to a `response_url`."""

    def __init__(self, status: int) -> None:
        super().__init__(f"response_url answered HTTP {status}")
        self.status = status


async def _respond(respond: AsyncRespond, **message: Any) -> None:
    response = await respond(**message)
    if response.status_code >= 300:
        raise ReplyFailed(response.status_code)


class Reply(Protocol):
    """Sends the card, or a short error, to whoever asked."""

    async def card(self, blocks: Blocks, text: str) -> None:
        """Send the summary card."""

    async def error(self, text: str) -> None:
        """Tell the user, and only them, that it failed."""


@dataclass
class ResponseUrlReply:
    """Answers through a command's or shortcut's `response_url`."""

    respond: AsyncRespond
    visibility: Literal["in_channel", "ephemeral"] = "ephemeral"

    async def card(self, blocks: Blocks, text: str) -> None:
        """Post the card in the channel or to the user alone, per `visibility`."""
        await _respond(
            self.respond,
            text=text,
            blocks=blocks,
            response_type=self.visibility,
            replace_original=False,
        )

    async def error(self, text: str) -> None:
        """An ephemeral note to the user."""
        await _respond(self.respond, text=text, response_type="ephemeral", replace_original=False)


@dataclass
class ThreadReply:
    """Answers in a message's thread; falls back to `response_url` where the bot is absent."""

    client: AsyncWebClient
    channel: str
    thread_ts: str
    user: str | None
    fallback: AsyncRespond | None = None

    async def card(self, blocks: Blocks, text: str) -> None:
        """Post the card in the thread (links in it are not unfurled)."""
        try:
            await self.client.chat_postMessage(
                channel=self.channel,
                thread_ts=self.thread_ts,
                text=text,
                blocks=blocks,
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            if self.fallback is None or _error_of(exc) not in FALLBACK_ERRORS:
                raise
            note = {"type": "context", "elements": [{"type": "mrkdwn", "text": NOT_IN_CHANNEL}]}
            await _respond(
                self.fallback,
                text=text,
                blocks=[*blocks, note],
                response_type="ephemeral",
                replace_original=False,
            )

    async def error(self, text: str) -> None:
        """An ephemeral note to the user in the thread."""
        if self.fallback is not None:
            await _respond(
                self.fallback, text=text, response_type="ephemeral", replace_original=False
            )
            return
        if self.user is None:
            return
        await self.client.chat_postEphemeral(
            channel=self.channel, user=self.user, thread_ts=self.thread_ts, text=text
        )


@dataclass
class UnfurlReply:
    """Answers by unfurling a shared link into the card."""

    client: AsyncWebClient
    url: str
    channel: str | None
    ts: str | None
    unfurl_id: str | None = None
    source: str | None = None

    async def card(self, blocks: Blocks, text: str) -> None:  # noqa: ARG002 - unfurls show blocks
        """Attach the card under the link."""
        unfurls = {self.url: {"blocks": blocks}}
        if self.unfurl_id and self.source:
            await self.client.chat_unfurl(
                unfurl_id=self.unfurl_id, source=self.source, unfurls=unfurls
            )
        else:
            await self.client.chat_unfurl(channel=self.channel, ts=self.ts, unfurls=unfurls)

    async def error(self, text: str) -> None:  # noqa: ARG002 - a link simply stays as it is
        """Nothing is shown: the link keeps its ordinary preview (the failure is logged)."""


def _error_of(exc: SlackApiError) -> str:
    try:
        return str(exc.response.get("error", ""))
    except AttributeError:
        return ""
