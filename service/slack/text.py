"""Text between Slack and the service: escaping what goes out, reading what comes in.

Outgoing text from the model or the article is escaped (`&`, `<`, `>`) so that nothing
in it becomes Slack markup: no `<!channel>`, no `<@U...>` mention, no `<url|label>`
link with a misleading label. Incoming message text is Slack markup and is turned back
into plain text before it is summarised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ELLIPSIS = "…"
ARTICLE_MIN_CHARS = 280
"""Below this, a message's own words are a comment on its link rather than an article."""

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MARKUP = re.compile(r"<([^<>]*)>")
_BARE_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\"»"
_ANY_SCHEME_URL = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://|javascript:|data:|file:|mailto:)\S+$", re.IGNORECASE
)


def escape(text: str) -> str:
    """Text that Slack shows as written: `&`, `<` and `>` become entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fit(text: str, limit: int) -> str:
    """`text` escaped and cut to at most `limit` characters, never inside an entity."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    out: list[str] = []
    size = 0
    budget = limit - len(ELLIPSIS)
    for char in text:
        piece = _ENTITIES.get(char, char)
        if size + len(piece) > budget:
            break
        out.append(piece)
        size += len(piece)
    return "".join(out).rstrip() + ELLIPSIS


def fit_lines(lines: list[str], limit: int) -> str:
    """Lines escaped and joined within `limit`: each cut to its share when they do not fit."""
    joined = escape("\n".join(lines))
    if len(joined) <= limit or not lines:
        return fit("\n".join(lines), limit)
    share = (limit - (len(lines) - 1)) // len(lines)
    return "\n".join(fit(line, share) for line in lines)


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _plain_markup(inner: str) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return "@" + (label or target[1:])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        return label or "@" + target[1:].split("^")[0]
    return label or target


def to_plain(text: str) -> str:
    """Slack message markup as plain text: links become their label, entities characters."""
    return _unescape(_MARKUP.sub(lambda match: _plain_markup(match.group(1)), text))


def links_in(text: str) -> list[str]:
    """The http(s) links of a Slack message, in order (marked-up links and bare ones)."""
    found: list[tuple[int, str]] = []
    for match in _MARKUP.finditer(text):
        target = match.group(1).partition("|")[0]
        if target.lower().startswith(("http://", "https://")):
            found.append((match.start(), _unescape(target)))
    outside = _MARKUP.sub(lambda match: " " * len(match.group(0)), text)
    for match in _BARE_URL.finditer(outside):
        found.append((match.start(), _unescape(match.group(0)).rstrip(_TRAILING)))
    return [url for _, url in sorted(found)]


def without_links(text: str) -> str:
    """A message's own words: its plain text with the links taken out."""
    stripped = _MARKUP.sub(
        lambda m: " " if m.group(1).lower().startswith(("http://", "https://")) else m.group(0),
        text,
    )
    return _BARE_URL.sub(" ", to_plain(stripped)).strip()


@dataclass(frozen=True)
class Source:
    """What to summarise: the text of a message, or the page at a link."""

    text: str | None = None
    url: str | None = None


def choose_source(message: str) -> Source | None:
    """The article a message points at: its first link unless its own words are an article.

    A message that is a link with a short comment is about the linked page; a pasted
    article that happens to contain a link is summarised as it stands. None when the
    message holds neither words nor a link.
    """
    links = links_in(message)
    words = without_links(message)
    if links and len(words) < ARTICLE_MIN_CHARS:
        return Source(url=links[0])
    plain = to_plain(message).strip()
    if _ANY_SCHEME_URL.match(plain):
        return Source(url=plain)  # ftp:, file:, javascript:... refused by the fetcher
    return Source(text=plain) if plain else None


def strip_mentions(text: str, user_id: str | None) -> str:
    """A mention's text without the bot's own `<@U...>` mention(s)."""
    if user_id:
        return re.sub(rf"<@{re.escape(user_id)}(\|[^>]*)?>", " ", text).strip()
    return re.sub(r"^\s*<@[A-Z0-9]+(\|[^>]*)?>", " ", text).strip()
