"""Requests as Slack sends them (shapes of real payloads), signed for real."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from tests.slack.fakeslack import APP_ID, BOT_USER_ID, TEAM_ID

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-1234567890-0987654321-FAKEbotTOKENvalue"
APP_TOKEN = "xapp-1-A0NEWS-1234567890-FAKEappTOKENvalue"
USER = "U0REPORTER"
CHANNEL = "C0DESK"
FORM = "application/x-www-form-urlencoded"


def signed_headers(
    body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None, content_type: str
) -> dict[str, str]:
    """Headers of a request signed like Slack signs it."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": signature,
    }


def command_body(text: str, response_url: str) -> str:
    """A /summarize slash command, form-encoded."""
    return urlencode(
        {
            "token": "gIkuvaNzQIHg97ATvDxqgjtO",
            "team_id": TEAM_ID,
            "team_domain": "newsroom",
            "channel_id": CHANNEL,
            "channel_name": "desk",
            "user_id": USER,
            "user_name": "reporter",
            "command": "/summarize",
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        }
    )


def shortcut_body(text: str, response_url: str, *, thread_ts: str | None = None) -> str:
    """A message shortcut ("Summarize this message") on a message, form-encoded."""
    message: dict[str, Any] = {
        "client_msg_id": "3b8a6a36-4d6c-4b68-9f0c-6c2e4ae0c8e1",
        "type": "message",
        "text": text,
        "user": "U0EDITOR",
        "ts": "1736400000.000100",
        "team": TEAM_ID,
    }
    if thread_ts is not None:
        message["thread_ts"] = thread_ts
    payload = {
        "type": "message_action",
        "token": "gIkuvaNzQIHg97ATvDxqgjtO",
        "action_ts": "1736400001.123456",
        "team": {"id": TEAM_ID, "domain": "newsroom"},
        "user": {"id": USER, "username": "reporter", "team_id": TEAM_ID, "name": "reporter"},
        "channel": {"id": CHANNEL, "name": "desk"},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": "summarize_message",
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "response_url": response_url,
        "message_ts": message["ts"],
        "message": message,
    }
    return urlencode({"payload": json.dumps(payload)})


def button_body(value: str, response_url: str) -> str:
    """A click on the card's "Show full JSON" button, form-encoded."""
    payload = {
        "type": "block_actions",
        "user": {"id": USER, "username": "reporter", "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "gIkuvaNzQIHg97ATvDxqgjtO",
        "container": {"type": "message", "message_ts": "1736400000.000200", "channel_id": CHANNEL},
        "trigger_id": "13345224609.738474920.8088930838d88f008e1",
        "team": {"id": TEAM_ID, "domain": "newsroom"},
        "channel": {"id": CHANNEL, "name": "desk"},
        "response_url": response_url,
        "actions": [
            {
                "action_id": "summary_json",
                "block_id": "b1",
                "text": {"type": "plain_text", "text": "Show full JSON", "emoji": False},
                "value": value,
                "type": "button",
                "action_ts": "1736400002.000001",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def event_body(event: dict[str, Any], event_id: str) -> str:
    """An Events API callback wrapping `event`, as JSON."""
    return json.dumps(
        {
            "token": "gIkuvaNzQIHg97ATvDxqgjtO",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": 1736400000,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-eyJldCI6ImFwcF9tZW50aW9uIn0",
        }
    )


def mention(
    text: str, *, ts: str = "1736400000.000400", thread_ts: str | None = None
) -> dict[str, Any]:
    """An app_mention event."""
    event: dict[str, Any] = {
        "client_msg_id": "c6d0f0ab-3d1b-4a3f-a8a4-9b0f8a1f2e3d",
        "type": "app_mention",
        "text": text,
        "user": USER,
        "ts": ts,
        "team": TEAM_ID,
        "channel": CHANNEL,
        "event_ts": ts,
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def link_shared(urls: list[str]) -> dict[str, Any]:
    """A link_shared event for links posted in a channel."""
    return {
        "type": "link_shared",
        "channel": CHANNEL,
        "is_bot_user_member": True,
        "user": USER,
        "message_ts": "1736400000.000500",
        "unfurl_id": "C0DESK.1736400000.000500.7b4a1c",
        "source": "conversations_history",
        "links": [{"domain": url.split("/")[2].split(":")[0], "url": url} for url in urls],
        "event_ts": "1736400000.000600",
    }
