"""HTTP mode: `/slack/events` on the FastAPI app, every request's signature checked first.

slack-bolt parses a request's body before its own signature check, so the check runs
here, on the raw bytes, before bolt sees anything: `v0` HMAC-SHA256 of
`v0:timestamp:body` with the signing secret, a 5-minute window, a constant-time compare
(slack_sdk's `SignatureVerifier`). A request that fails gets 401 and does no work.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

from fastapi import FastAPI, Request, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_sdk.signature import SignatureVerifier

from service.api.problems import problem
from service.slack.bot import SlackBot

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
WINDOW_S = 5 * 60


class SignatureGate:
    """Decides whether a request really comes from Slack, before it is parsed."""

    def __init__(self, signing_secret: str) -> None:
        self._verifier = SignatureVerifier(signing_secret)

    def refusal(self, body: bytes, headers: Mapping[str, str]) -> str | None:
        """None when the request is signed by Slack, else why it is refused."""
        timestamp = headers.get("x-slack-request-timestamp")
        signature = headers.get("x-slack-signature")
        if not timestamp or not signature:
            return "missing_headers"
        try:
            stamp = int(timestamp)
        except ValueError:
            return "bad_timestamp"
        if abs(time.time() - stamp) > WINDOW_S:
            return "stale_timestamp"
        try:
            valid = self._verifier.is_valid(body, timestamp, signature)
        except (UnicodeDecodeError, ValueError):
            valid = False
        return None if valid else "bad_signature"


def install(app: FastAPI, bot: SlackBot, signing_secret: str) -> None:
    """Serve `bot` at EVENTS_PATH: slash commands, shortcuts, buttons and events."""
    gate = SignatureGate(signing_secret)
    handler = AsyncSlackRequestHandler(bot.app)

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        reason = gate.refusal(body, request.headers)
        if reason is not None:
            log.warning("slack request refused", extra={"reason": reason})
            return problem(
                401, "invalid_signature", "Invalid Slack signature", "the request is not from Slack"
            )
        return await handler.handle(request)

    app.add_api_route(EVENTS_PATH, slack_events, methods=["POST"], include_in_schema=False)
