"""The Block Kit card: valid for Slack, within its limits, and inert whatever the article says."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from schemas import EventSummary, SummaryDraft
from service.article import Article
from service.backends import build_backends, close_backends
from service.config import Settings
from service.pipeline import Pipeline
from service.slack.card import FIELD_LIMIT, HEADER_LIMIT, TEXT_LIMIT, card_text, render_card
from service.slack.messages import json_view
from tests.golden import assert_golden
from tests.support.fakes import ScriptedBackend, draft

DOCS = Path(__file__).resolve().parents[2] / "README.md"

MARKUP_ARTICLE = (
    "<!channel> Police arrested 12 protesters in <https://evil.example/login|Lyon> on Monday, "
    "the <@U024BE7LH> ministry said & added <!here> <!subteam^S0DESK|@desk> <#C0DESK|desk>."
)


def texts(node: Any) -> list[str]:
    """Every `text` string inside a Block Kit structure."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                found.append(value)
            else:
                found.extend(texts(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(texts(item))
    return found


def assert_valid_blocks(blocks: list[dict[str, Any]]) -> None:
    """Each block parses as slack_sdk's model, validates, and round-trips unchanged."""
    assert 0 < len(blocks) <= 50
    for raw in blocks:
        parsed = Block.parse(raw)
        assert parsed is not None, raw
        parsed.validate_json()
        assert parsed.to_dict() == raw


async def summarize_with(text: str, answer: SummaryDraft) -> EventSummary:
    backend = ScriptedBackend([answer])
    settings = Settings()
    settings.chain = [backend.name]
    return await Pipeline(settings, {backend.name: backend}).summarize(Article(text=text))


async def test_sample_card_matches_the_golden_file(sample_text: str) -> None:
    settings = Settings()
    backends = build_backends(settings)
    try:
        summary = await Pipeline(settings, backends).summarize(Article(text=sample_text))
    finally:
        await close_backends(backends)
    blocks = render_card(summary, "sample")
    assert_valid_blocks(blocks)
    payload = {"text": card_text(summary), "blocks": blocks}
    rendered = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    assert_golden("slack-card-sample.json", rendered)
    header = blocks[0]["text"]["text"]
    assert "Diangassagou" in header and "14" in header
    facts = " ".join(texts(blocks[2]))
    assert "14 neutralised (unidentified armed group)" in facts
    assert "2025-01-08 17:30 (approx.)" in facts
    assert "party to the conflict, claimed" in facts
    assert "killed" not in facts  # neutralised is never turned into killed


def test_docs_show_the_golden_card() -> None:
    golden = Path(__file__).resolve().parents[1] / "fixtures" / "golden" / "slack-card-sample.json"
    blocks = re.findall(r"```json\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
    assert json.loads(golden.read_text(encoding="utf-8")) in [json.loads(b) for b in blocks]


def markup(label: str) -> str:
    """Slack markup an article could carry: a broadcast, a mention, a disguised link, a '&'."""
    return f"<!channel> <@U024BE7LH> <https://evil.example/{label}|{label}> &"


SHOWN = (
    "headline", "summary", "when", "place", "locality", "region", "offset", "actor", "label",
    "unit", "whose", "source", "backend", "model", "title", "url", "other-when", "other-place",
)  # fmt: skip
"""The text fields the card shows, each holding `markup(name)` in `summary_with_markup()`."""


def summary_with_markup() -> EventSummary:
    """A summary as a model could return it, Slack markup in every text field."""
    quote = [{"quote": markup("quote")}]
    event = {
        "id": "e1",
        "event_type": "Strategic developments",
        "sub_event_type": "Arrests",
        "description": markup("description"),
        "evidence": quote,
        "when": {"text": markup("when"), "evidence": quote},
        "where": {
            "name": markup("place"),
            "locality": markup("locality"),
            "region": markup("region"),
            "offset": {"text": markup("offset")},
            "precision": 2,
            "evidence": quote,
        },
        "actors": [
            {
                "name": markup("actor"),
                "label": markup("label"),
                "actor_type": "other",
                "role": "initiator",
                "evidence": quote,
            }
        ],
        "figures": [
            {
                "kind": "captured_or_arrested",
                "value": 12,
                "unit": markup("unit"),
                "whose": markup("whose"),
                "raw": markup("raw"),
                "claimed_by": markup("claimed-by"),
                "evidence": quote,
            }
        ],
        "attribution": {
            "source": markup("source"),
            "source_type": "official",
            "status": "claimed",
            "evidence": quote,
        },
        "modality": "asserted",
    }
    other = {
        **event,
        "id": "e2",
        "modality": "background",
        "when": {"text": markup("other-when")},
        "where": {"name": markup("other-place")},
    }
    return EventSummary.model_validate(
        {
            "headline": markup("headline"),
            "summary": markup("summary"),
            "language": "en",
            "events": [event, other],
            "warnings": [
                {"code": "ungrounded", "message": markup("warning"), "path": markup("path")}
            ],
            "article": {
                "id": markup("id"),
                "content_sha256": "0" * 64,
                "length": 200,
                "url": markup("url"),
                "title": markup("title"),
                "source": markup("outlet"),
            },
            "extraction": {
                "backend": markup("backend"),
                "backend_kind": "openai",
                "model": markup("model"),
                "prompt_version": markup("prompt"),
                "schema_version": "1.0.0",
                "attempts": 1,
                "reasks": 0,
                "upstream_calls": 1,
                "input_tokens": 100,
                "output_tokens": 50,
                "latency_ms": 12.5,
                "backends_failed": [markup("failed")],
            },
        }
    )


def test_slack_markup_from_the_article_stays_text() -> None:
    summary = summary_with_markup()
    blocks = render_card(summary, "ref1")
    assert_valid_blocks(blocks)
    every_text = texts(blocks) + [card_text(summary)]
    for text in every_text:
        assert "<" not in text and ">" not in text, text
        assert not re.search(r"&(?!amp;|lt;|gt;)", text), text  # every '&' is an entity
    joined = "\n".join(every_text)
    for label in SHOWN:
        link = f"&lt;https://evil.example/{label}|{label}&gt;"
        shown = f"&lt;!channel&gt; &lt;@U024BE7LH&gt; {link} &amp;"
        assert shown in joined, label
    for text in texts(json_view(summary)["blocks"]):
        assert "<" not in text and ">" not in text, text


async def test_long_values_are_cut_within_slack_limits() -> None:
    events = []
    base = draft().events[0].model_dump()
    for index in range(12):
        event = dict(base, id=f"e{index + 1}", description="&" * 600)
        event["actors"] = [
            {"name": f"<@U{n}>" * 20, "label": "&" * 200, "actor_type": "other", "role": "other"}
            for n in range(12)
        ]
        event["figures"] = [dict(base["figures"][0], whose="<" * 200) for _ in range(20)]
        events.append(event)
    big = SummaryDraft.model_validate(
        {"headline": "&" * 200, "summary": "<" * 1500, "language": "en", "events": events}
    )
    summary = await summarize_with("Police arrested 12 protesters in Lyon on Monday.", big)
    blocks = render_card(summary, "ref2")
    assert_valid_blocks(blocks)
    assert len(blocks[0]["text"]["text"]) <= HEADER_LIMIT
    assert blocks[0]["text"]["text"].endswith("…")
    assert len(blocks[1]["text"]["text"]) <= TEXT_LIMIT
    fields = blocks[2]["fields"]
    assert 0 < len(fields) <= 10
    assert all(len(field["text"]) <= FIELD_LIMIT for field in fields)
    assert "+12 more in the full JSON" in fields[4]["text"]  # 20 figures, 8 shown
    others = blocks[3]["text"]["text"]
    assert len(others) <= TEXT_LIMIT and "+6 more in the full JSON" in others


async def test_an_article_without_events_says_so() -> None:
    summary = await summarize_with(
        "The council met on Monday to discuss the budget.",
        draft(headline="Council discusses budget", summary="The council met.", events=[]),
    )
    blocks = render_card(summary, "ref3")
    assert_valid_blocks(blocks)
    assert "No event reported" in " ".join(texts(blocks))


async def test_context_line_says_backend_grounding_and_warnings() -> None:
    ungrounded = draft()
    ungrounded.events[0].figures[0].evidence[0].quote = "a sentence that is not in the article"
    summary = await summarize_with(
        "Police arrested 12 protesters in Lyon on Monday, the interior ministry said. "
        "Two officers were injured during the clashes near the city hall.",
        ungrounded,
    )
    context = render_card(summary, "ref4")[-2]
    line = context["elements"][0]["text"]
    assert line.startswith("scripted · scripted-model · en · ⚠️ partly grounded")
    assert "ungrounded ×1" in line or "figure_not_in_evidence" in line


@pytest.mark.parametrize("kept", [True, False])
async def test_json_view_holds_the_whole_summary_or_says_it_expired(kept: bool) -> None:
    summary = await summarize_with(MARKUP_ARTICLE, draft())
    view = json_view(summary if kept else None)
    assert view["type"] == "modal" and len(view["title"]["text"]) <= 24
    body = "".join(text.removeprefix("```").removesuffix("```") for text in texts(view["blocks"]))
    if kept:
        restored = body.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        assert EventSummary.model_validate_json(restored) == summary
    else:
        assert "no longer kept" in body
