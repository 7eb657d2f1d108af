"""What the bot says besides cards: usage, short polite errors with a reference, the JSON view."""

from __future__ import annotations

import secrets
from typing import Any

from slack_sdk.models.blocks import MarkdownTextObject, PlainTextObject, SectionBlock
from slack_sdk.models.views import View

from schemas import EventSummary
from service.slack.text import ELLIPSIS, escape

COMMAND = "/summarize"
USAGE = (
    f"Paste an article or a link after the command: `{COMMAND} https://…` or "
    f"`{COMMAND} {escape('<article text>')}`. You can also use the *Summarize this "
    "message* shortcut on a message, or mention me with a link."
)
WORKING = "Summarising… the card will appear here in a moment."
NOTHING_TO_SUMMARISE = "That message has no text or link I could summarise."
NOT_IN_CHANNEL = "I'm not in this channel, so here is the card just for you (invite me to post it)."

REASONS: dict[str, str] = {
    "invalid_article": "the text does not look like an article (it needs sentences, "
    "not only numbers or links)",
    "article_too_large": "the article is longer than I accept",
    "url_not_allowed": "I only read public http:// and https:// pages",
    "address_not_allowed": "that link points to a private or internal address, which I don't fetch",
    "port_not_allowed": "that link names an unusual port; I only fetch ordinary web pages",
    "fetch_failed": "I couldn't fetch that page",
    "fetch_timeout": "the site took too long to answer",
    "page_too_large": "the page is larger than I read",
    "unsupported_content": "the link is not a web page or a text file",
    "too_many_redirects": "the link redirects too many times",
    "no_article_text": "I found no article text on that page",
    "backend_failed": "the summarising model failed; please try again in a minute",
    "backend_unavailable": "the summarising model is busy; please try again in a minute",
    "extraction_failed": "the model's answer did not pass our checks; please try again",
    "deadline_exceeded": "it took too long; please try again later",
    "restarting": "I'm restarting; please try again in a minute",
    "interrupted": "I restarted before finishing; please try again",
}
GENERIC = "something went wrong on my side"

JSON_TITLE = "Summary JSON"
JSON_CHUNK = 2900
JSON_MAX_BLOCKS = 24


def new_ref() -> str:
    """A short reference a user can quote and an operator can find in the logs."""
    return secrets.token_hex(4)


def error_text(code: str, ref: str) -> str:
    """A short, polite explanation of a failure, with its reference id."""
    return f"Sorry, I couldn't summarise that: {REASONS.get(code, GENERIC)}. (ref `{ref}`)"


def _chunks(text: str, size: int) -> list[str]:
    """`text` escaped and split into pieces of at most `size` characters."""
    chunks: list[str] = []
    current: list[str] = []
    length = 0
    for char in text:
        piece = escape(char)
        if length + len(piece) > size:
            chunks.append("".join(current))
            current, length = [], 0
        current.append(piece)
        length += len(piece)
    if current:
        chunks.append("".join(current))
    return chunks


def json_view(summary: EventSummary | None) -> dict[str, Any]:
    """A modal with the full summary JSON, or a note that it is no longer kept."""
    if summary is None:
        blocks = [
            SectionBlock(
                text=MarkdownTextObject(
                    text="This summary is no longer kept (the bot keeps recent summaries "
                    f"for a day, and not across restarts). Run `{COMMAND}` again."
                )
            )
        ]
    else:
        chunks = _chunks(summary.model_dump_json(indent=2, exclude_none=True), JSON_CHUNK)
        shown = chunks[:JSON_MAX_BLOCKS]
        blocks = [
            SectionBlock(text=MarkdownTextObject(text=f"```{chunk}```", verbatim=True))
            for chunk in shown
        ]
        if len(chunks) > len(shown):
            note = f"{ELLIPSIS} truncated; the HTTP API (POST /v1/summaries) returns it whole."
            blocks.append(SectionBlock(text=MarkdownTextObject(text=note, verbatim=True)))
    view = View(
        type="modal",
        title=PlainTextObject(text=JSON_TITLE),
        close=PlainTextObject(text="Close"),
        blocks=blocks,
    )
    result: dict[str, Any] = view.to_dict()
    return result
