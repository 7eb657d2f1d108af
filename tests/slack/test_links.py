"""Links shared in Slack: the page behind them is fetched, read for its main text, summarised."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from service.backends import build_backends, close_backends
from service.config import Settings
from service.slack.text import ARTICLE_MIN_CHARS
from tests.slack.fakesite import FakeSite
from tests.slack.fakeslack import FakeSlack
from tests.slack.harness import JSON, REF, Recording, fetch_env, post, slack_service, valid_blocks
from tests.slack.payloads import command_body, event_body, link_shared, shortcut_body
from tests.support.fakes import ARTICLE

MENU_AND_FOOTER = ("Accueil", "Monde", "Journal de test")
"""The fake site's navigation and footer: never part of the article."""
PAGE_FACT = "Diangassagou"
"""Where the events of the fake site's article happened."""
PASTED_ARTICLE = (
    f"{ARTICLE} The ministry said the protest began at noon near the city hall and that "
    "the protesters who were arrested were taken to the central police station for "
    "questioning. The march had been announced on social networks a week earlier."
)


@pytest.fixture
async def site() -> AsyncIterator[FakeSite]:
    fake = FakeSite()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def offline() -> AsyncIterator[Recording]:
    """The offline backend, every request it receives kept."""
    backends = build_backends(Settings())
    yield Recording(backends["offline"])
    await close_backends(backends)


def card_json(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(valid_blocks(blocks), ensure_ascii=False)


async def test_command_with_a_link_posts_a_card_of_the_pages_main_text(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack, site: FakeSite, offline: Recording
) -> None:
    url = site.url("/article.html")
    async with slack_service(monkeypatch, fake_slack, offline, **fetch_env(site)) as client:
        response = await post(client, command_body(url, fake_slack.response_url("link")))
        assert response.status_code == 200 and response.text.startswith("Summarising")
        await fake_slack.wait_for(lambda: len(fake_slack.responses) == 1, 30)
    [(key, answer)] = fake_slack.responses
    assert key == "link" and answer["response_type"] == "in_channel"
    blocks = answer["blocks"]
    card = card_json(blocks)
    assert PAGE_FACT in blocks[0]["text"]["text"]
    assert "14 neutralised" in card
    assert f"Source: Mali : l'armée repousse une attaque — {url}" in card
    for chrome in MENU_AND_FOOTER:
        assert chrome not in card, chrome
    [request] = offline.requests
    assert "neutraliser quatorze terroristes" in request.article.text
    assert not any(chrome in request.article.text for chrome in MENU_AND_FOOTER)
    assert request.article.url == url
    assert site.hits["/article.html"] == 1


async def test_a_link_on_another_port_is_refused_politely(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack, site: FakeSite, offline: Recording
) -> None:
    # Private addresses allowed, but not the site's port: only 80 and 443 by default.
    env = {"SLACK_FETCH_ALLOW_PRIVATE": "true"}
    async with slack_service(monkeypatch, fake_slack, offline, **env) as client:
        await post(client, command_body(site.url("/article.html"), fake_slack.response_url("p")))
        await fake_slack.wait_for(lambda: len(fake_slack.responses) == 1)
    [(_, answer)] = fake_slack.responses
    assert answer["response_type"] == "ephemeral" and "blocks" not in answer
    assert answer["text"].startswith("Sorry, I couldn't summarise that: that link names an")
    assert REF.search(answer["text"])
    assert sum(site.hits.values()) == 0 and offline.requests == []


async def test_slow_redirects_share_one_deadline(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack, site: FakeSite, offline: Recording
) -> None:
    # Each hop answers within the timeout; the chain of four does not.
    env = {**fetch_env(site), "SLACK_FETCH_TIMEOUT_S": "0.6"}
    url = site.url("/hop/4?delay=0.4")
    async with slack_service(monkeypatch, fake_slack, offline, **env) as client:
        await post(client, command_body(url, fake_slack.response_url("slow")))
        await fake_slack.wait_for(lambda: len(fake_slack.responses) == 1)
    [(_, answer)] = fake_slack.responses
    assert "blocks" not in answer
    assert "the site took too long to answer" in answer["text"] and REF.search(answer["text"])
    assert site.hits["/article.html"] == 0 and offline.requests == []


async def test_shortcut_on_a_link_with_a_short_comment_summarises_the_page(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack, site: FakeSite, offline: Recording
) -> None:
    url = site.url("/article.html")
    message = f"Worth a look for the Sahel desk: <{url}>"
    async with slack_service(monkeypatch, fake_slack, offline, **fetch_env(site)) as client:
        await post(client, shortcut_body(message, fake_slack.response_url("sc")))
        await fake_slack.wait_for(lambda: bool(fake_slack.calls_to("chat.postMessage")), 30)
    [call] = fake_slack.calls_to("chat.postMessage")
    blocks = call.params["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    assert call.params["thread_ts"] == "1736400000.000100"
    assert PAGE_FACT in blocks[0]["text"]["text"]
    assert site.hits["/article.html"] == 1
    [request] = offline.requests
    assert request.article.url == url and "Sahel desk" not in request.article.text


async def test_shortcut_on_a_pasted_article_with_a_link_summarises_the_text(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack, site: FakeSite, offline: Recording
) -> None:
    url = site.url("/article.html")
    assert len(PASTED_ARTICLE) >= ARTICLE_MIN_CHARS
    message = f"{PASTED_ARTICLE}\n\nEarlier coverage: <{url}>"
    async with slack_service(monkeypatch, fake_slack, offline, **fetch_env(site)) as client:
        await post(client, shortcut_body(message, fake_slack.response_url("sc")))
        await fake_slack.wait_for(lambda: bool(fake_slack.calls_to("chat.postMessage")), 30)
    [call] = fake_slack.calls_to("chat.postMessage")
    blocks = call.params["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    card = card_json(blocks)
    assert "Lyon" in card and PAGE_FACT not in card
    assert sum(site.hits.values()) == 0
    [request] = offline.requests
    assert request.article.url is None
    assert request.article.text.startswith(PASTED_ARTICLE)


async def test_links_of_newsroom_domains_are_unfurled_into_cards(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack, offline: Recording
) -> None:
    site = FakeSite(host="localhost")
    await site.start()
    ours, theirs = site.url("/article.html"), "https://elsewhere.example/story"
    try:
        async with slack_service(
            monkeypatch,
            fake_slack,
            offline,
            SLACK_UNFURL_DOMAINS="news.example, localhost",
            **fetch_env(site),
        ) as client:
            await post(client, event_body(link_shared([ours, theirs]), "Ev0LINKS01"), JSON)
            await fake_slack.wait_for(lambda: bool(fake_slack.calls_to("chat.unfurl")), 30)
    finally:
        await site.stop()
    [call] = fake_slack.calls_to("chat.unfurl")
    unfurls = call.params["unfurls"]
    unfurls = json.loads(unfurls) if isinstance(unfurls, str) else unfurls
    assert list(unfurls) == [ours]
    blocks = valid_blocks(unfurls[ours]["blocks"])
    assert PAGE_FACT in blocks[0]["text"]["text"]
    assert call.params["unfurl_id"] == "C0DESK.1736400000.000500.7b4a1c"
    assert site.hits["/article.html"] == 1
