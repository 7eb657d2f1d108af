"""The contract refuses what it does not describe: unknown fields, impossible values."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from schemas import ArticleIn, Event, EventTime, Figure, SummaryDraft
from tests.support.fakes import draft


def event_data(**overrides: Any) -> dict[str, Any]:
    data = draft().events[0].model_dump(mode="json")
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"mood": "grim"}, "Extra inputs are not permitted"),
        ({"event_type": "Battles", "sub_event_type": "Arrests"}, "does not belong to event_type"),
        ({"event_type": "War"}, "Input should be"),
        ({"id": "event-1"}, "String should match pattern"),
        ({"description": "x" * 601}, "at most 600 characters"),
        (
            {
                "actors": [
                    {"name": "a", "label": "b", "actor_type": "state_forces", "role": "initiator"}
                ]
                * 13
            },
            "at most 12 items",
        ),  # fmt: skip
        ({"modality": "rumoured"}, "Input should be"),
    ],
)
def test_an_event_outside_the_contract_is_refused(overrides: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        Event.model_validate(event_data(**overrides))


@pytest.mark.parametrize(
    ("when", "reason"),
    [
        ({"date": "2025-02-30"}, "not a calendar date"),
        ({"date": "2025-13"}, "not a calendar date"),
        ({"date": "8 janvier 2025"}, "String should match pattern"),
        ({"time": "24:30"}, "not a clock time"),
    ],
)
def test_impossible_dates_and_times_are_refused(when: dict[str, str], reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        EventTime.model_validate(when)


def test_a_figure_range_must_be_ordered_and_counts_non_negative() -> None:
    with pytest.raises(ValidationError, match="low must not exceed high"):
        Figure(kind="killed", low=10, high=5, raw="5 to 10 killed")
    with pytest.raises(ValidationError):
        Figure(kind="killed", value=-1, raw="killed")


@pytest.mark.parametrize("value", ["2025", "20250", 1736380800, "yesterday", "09/01/2025"])
def test_publication_dates_are_iso_8601_only(value: object) -> None:
    with pytest.raises(ValidationError, match="ISO 8601"):
        ArticleIn.model_validate({"text": "Words here.", "published_at": value})


def test_a_date_only_publication_stays_a_date() -> None:
    article = ArticleIn.model_validate({"text": "Words.", "published_at": "2025-01-09"})
    assert article.published_at.isoformat() == "2025-01-09"  # type: ignore[union-attr]


def test_a_summary_draft_refuses_unknown_top_level_fields() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        SummaryDraft.model_validate({**draft().model_dump(), "system_prompt": "leaked"})


def test_every_field_of_the_contract_is_described() -> None:
    import inspect

    import schemas

    undescribed = [
        f"{name}.{field}"
        for name in schemas.__all__
        if inspect.isclass(model := getattr(schemas, name)) and issubclass(model, BaseModel)
        for field, info in model.model_fields.items()
        if not info.description
    ]
    assert undescribed == []
