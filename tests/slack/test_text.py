"""Escaping what goes to Slack, and reading what comes from it."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.slack.text import (
    ARTICLE_MIN_CHARS,
    Source,
    choose_source,
    escape,
    fit,
    fit_lines,
    links_in,
    strip_mentions,
    to_plain,
)

ENTITY_OR_TEXT = re.compile(r"^(?:&amp;|&lt;|&gt;|[^&<>])*(?:…)?$")


def test_escape_neutralises_slack_markup() -> None:
    assert escape("<!channel> & <@U123|boss> <https://x.example|click>") == (
        "&lt;!channel&gt; &amp; &lt;@U123|boss&gt; &lt;https://x.example|click&gt;"
    )


@given(st.text(alphabet=st.sampled_from("ab <>&é…\n"), max_size=400), st.integers(20, 300))
def test_fit_stays_within_the_limit_and_never_cuts_an_entity(text: str, limit: int) -> None:
    out = fit(text, limit)
    assert len(out) <= limit
    assert "<" not in out and ">" not in out
    assert ENTITY_OR_TEXT.match(out), out
    if len(escape(text)) <= limit:
        assert out == escape(text)
    else:
        assert out.endswith("…")


@given(st.lists(st.text(alphabet="ab<&\n", max_size=300), min_size=1, max_size=12))
def test_fit_lines_keeps_every_line_within_the_limit(lines: list[str]) -> None:
    out = fit_lines([*lines, "+3 more"], 500)
    assert len(out) <= 500
    assert out.endswith("+3 more")


def test_to_plain_reads_slack_markup() -> None:
    text = (
        "Hey <@U123|anna> see <https://news.example/a?b=1&amp;c=2|this> in <#C1|desk> &lt;3 <!here>"
    )
    assert to_plain(text) == "Hey @anna see this in #desk <3 @here"


def test_links_are_found_marked_up_or_bare_in_order() -> None:
    text = (
        "first https://bare.example/x, then "
        "<https://news.example/a?b=1&amp;c=2|label> <mailto:a@b.c|mail>"
    )
    assert links_in(text) == ["https://bare.example/x", "https://news.example/a?b=1&c=2"]


def test_a_link_with_a_short_comment_is_about_the_link() -> None:
    assert choose_source("Worth a look <https://news.example/a|news.example/a> !") == Source(
        url="https://news.example/a"
    )


def test_an_article_with_a_link_in_it_is_summarised_as_text() -> None:
    body = "Word " * (ARTICLE_MIN_CHARS // 5 + 10)
    message = f"{body} more at <https://news.example/a>"
    source = choose_source(message)
    assert source is not None and source.url is None
    assert source.text is not None and source.text.startswith("Word Word")


@pytest.mark.parametrize(("own_words", "follows_the_link"), [(279, True), (280, False)])
def test_a_link_is_followed_below_280_characters_of_own_words(
    own_words: int, follows_the_link: bool
) -> None:
    assert ARTICLE_MIN_CHARS == 280  # the README states the rule with this figure
    words = ("word " * 60)[: own_words - 1] + "."
    assert len(words) == own_words
    source = choose_source(f"{words} <https://news.example/a|news.example/a>")
    if follows_the_link:
        assert source == Source(url="https://news.example/a")
    else:
        assert source == Source(text=f"{words} news.example/a")


@pytest.mark.parametrize(
    "message", ["ftp://files.example/a.txt", "<file:///etc/passwd>", "javascript:alert(1)"]
)
def test_a_link_of_another_scheme_is_a_link_to_refuse(message: str) -> None:
    source = choose_source(message)
    assert source is not None and source.url is not None and source.text is None


def test_a_word_with_a_colon_is_text() -> None:
    assert choose_source("Note:urgent") == Source(text="Note:urgent")


@pytest.mark.parametrize("message", ["", "   ", "<@U0BOT>"])
def test_nothing_to_summarise(message: str) -> None:
    assert choose_source(strip_mentions(message, "U0BOT")) is None


def test_the_bots_own_mention_is_removed_others_kept() -> None:
    assert strip_mentions("<@U0BOT> what did <@U9|bob> say?", "U0BOT") == "what did <@U9|bob> say?"
    assert strip_mentions("<@U0BOT|summarizer> hi", None) == "hi"
