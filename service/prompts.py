"""Prompt rendering: jinja2 templates in prompts/, versioned by their hash."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2

import prompts
from service.article import Article

PROMPTS_DIR = Path(prompts.__file__).resolve().parent
TEMPLATES = ("system.j2", "user.j2", "reask.j2")

LANGUAGE_NAMES = {
    "ar": "Arabic", "de": "German", "en": "English", "es": "Spanish", "fr": "French",
    "it": "Italian", "nl": "Dutch", "pt": "Portuguese", "ru": "Russian", "tr": "Turkish",
    "uk": "Ukrainian", "zh": "Chinese",
}  # fmt: skip


@dataclass(frozen=True)
class RenderedPrompt:
    """The messages sent to a model, and what identifies them."""

    system: str
    user: str
    nonce: str
    version: str


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(PROMPTS_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - plain-text prompts, not HTML
        keep_trailing_newline=True,
    )


@cache
def prompt_version() -> str:
    """Short hash of every template: recorded in each result."""
    digest = hashlib.sha256()
    for name in TEMPLATES:
        digest.update(name.encode())
        digest.update((PROMPTS_DIR / name).read_bytes())
    return digest.hexdigest()[:12]


def new_nonce() -> str:
    """A per-request random tag for the article's delimiters."""
    return secrets.token_hex(8)


def render(article: Article, *, nonce: str | None = None) -> RenderedPrompt:
    """Render the system and user messages for one article."""
    nonce = nonce or new_nonce()
    env = _environment()
    output_language = article.output_language
    context = {
        "nonce": nonce,
        "text": article.text,
        "published": article.published_iso,
        "title": article.title,
        "source": article.source,
        "language": article.language,
        "output_language": output_language,
        "output_language_name": LANGUAGE_NAMES.get(output_language or "", output_language),
    }
    return RenderedPrompt(
        system=env.get_template("system.j2").render(context),
        user=env.get_template("user.j2").render(context),
        nonce=nonce,
        version=prompt_version(),
    )


def render_reask(errors: list[str], *, nonce: str) -> str:
    """The follow-up message listing the exact errors of the previous answer."""
    return _environment().get_template("reask.j2").render(errors=errors, nonce=nonce)
