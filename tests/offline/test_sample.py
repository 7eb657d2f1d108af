"""The reference article (fr-mali-diangassagou): the worked example of the product brief."""

from __future__ import annotations

from schemas import (
    ActorRole,
    ActorType,
    ClaimStatus,
    EventType,
    FigureKind,
    LinkRelation,
    Modality,
    SourceType,
    SubEventType,
    SummaryDraft,
)
from schemas.event import Grounded
from service.article import Article
from service.grounding import grounded_fields
from service.validate import check_draft


def test_three_events_and_no_event_for_the_insecurity_paragraph(sample_draft: SummaryDraft) -> None:
    assert sample_draft.language == "fr"
    assert [e.id for e in sample_draft.events] == ["e1", "e2", "e3"]
    quotes = [q.quote for e in sample_draft.events for q in e.evidence]
    assert not any("zones de forte insécurité" in quote for quote in quotes)
    assert not any("mènent régulièrement" in quote for quote in quotes)


def test_main_event_is_the_armed_clash_at_diangassagou(sample_draft: SummaryDraft) -> None:
    event = sample_draft.events[0]
    assert event.event_type is EventType.BATTLES
    assert event.sub_event_type is SubEventType.ARMED_CLASH
    assert event.modality is Modality.ASSERTED
    assert (event.when.date, event.when.time, event.when.approximate) == (
        "2025-01-08",
        "17:30",
        True,
    )
    assert event.when.evidence[0].quote == "8 janvier 2025, vers 17h30"
    where = event.where
    assert where is not None
    assert (where.name, where.region, where.country, where.country_code) == (
        "Diangassagou", "Mopti", "Mali", "ML")  # fmt: skip
    assert where.precision in (1, 3)
    assert where.locality is None  # the village is not in the gazetteer: never another village


def test_main_event_figures_are_neutralised_not_killed_and_claimed(
    sample_draft: SummaryDraft,
) -> None:
    figures = sample_draft.events[0].figures
    neutralised = [f for f in figures if f.kind is FigureKind.NEUTRALISED]
    assert [f.value for f in neutralised] == [14]
    assert neutralised[0].raw == "neutraliser quatorze terroristes"
    assert neutralised[0].whose == "unidentified armed group"
    assert "General Staff of the Malian Armed Forces" in (neutralised[0].claimed_by or "")
    assert not [f for f in figures if f.kind is FigureKind.KILLED]
    seized = [f for f in figures if f.kind is FigureKind.SEIZED and f.value is not None]
    assert [(f.value, f.unit) for f in seized] == [(9, "motos")]
    assert any(f.kind is FigureKind.SEIZED and f.value is None for f in figures)


def test_main_event_actors_keep_the_wording_under_a_neutral_label(
    sample_draft: SummaryDraft,
) -> None:
    actors = {a.label: a for a in sample_draft.events[0].actors}
    army = actors["Malian Armed Forces (FAMa)"]
    assert army.actor_type is ActorType.STATE_FORCES
    group = actors["unidentified armed group"]
    assert group.actor_type is ActorType.REBEL_GROUP
    assert "terroristes" in group.name


def test_main_event_roles_the_armed_group_attacked_and_fama_responded(
    sample_draft: SummaryDraft,
) -> None:
    # "L'attaque, lancée par des groupes armés terroristes" outweighs "une opération menée par
    # les FAMA"; "la riposte des FAMA" makes the army the side that was attacked (ACLED actor 2).
    roles = {a.label: a.role for a in sample_draft.events[0].actors}
    assert roles == {
        "Malian Armed Forces (FAMa)": ActorRole.TARGET,
        "unidentified armed group": ActorRole.INITIATOR,
    }
    strike = {a.label: a.role for a in sample_draft.events[1].actors}
    assert strike["Malian Armed Forces (FAMa)"] is ActorRole.INITIATOR  # frappes menées par


def test_main_event_is_attributed_to_the_general_staff_as_a_party(
    sample_draft: SummaryDraft,
) -> None:
    attribution = sample_draft.events[0].attribution
    assert attribution is not None
    assert attribution.source.startswith("General Staff of the Malian Armed Forces")
    assert "communiqué" in attribution.source
    assert attribution.source_type is SourceType.PARTY_TO_CONFLICT
    assert attribution.status is ClaimStatus.CLAIMED


def test_air_strikes_on_the_column_are_an_offset_event_of_the_same_operation(
    sample_draft: SummaryDraft,
) -> None:
    event = sample_draft.events[1]
    assert event.sub_event_type is SubEventType.AIR_DRONE_STRIKE
    assert event.event_type is EventType.EXPLOSIONS
    where = event.where
    assert where is not None and where.offset is not None
    assert where.precision == 2
    offset = where.offset
    assert (offset.distance, offset.unit, offset.direction, offset.reference) == (
        15.0, "km", "south", "Diangassagou")  # fmt: skip
    assert [f.value for f in event.figures] == [None]
    assert [(link.event_id, link.relation) for link in event.links] == [
        ("e1", LinkRelation.SAME_OPERATION)
    ]


def test_nioro_du_sahel_is_a_recalled_background_event(sample_draft: SummaryDraft) -> None:
    event = sample_draft.events[2]
    assert event.modality is Modality.BACKGROUND
    assert event.when.date == "2025-01-07"
    where = event.where
    assert where is not None
    assert (where.name, where.region, where.country_code, where.precision) == (
        "Nioro du Sahel", "Kayes", "ML", 1)  # fmt: skip
    figures = {(f.kind, f.value) for f in event.figures}
    assert figures == {(FigureKind.NEUTRALISED, 30), (FigureKind.KILLED, 1)}
    killed = next(f for f in event.figures if f.kind is FigureKind.KILLED)
    assert killed.whose == "Malian Armed Forces (FAMa)"
    assert (event.links[0].event_id, event.links[0].relation) == (
        "e1",
        LinkRelation.EARLIER_RELATED,
    )


def test_every_quote_is_verbatim_and_short(sample_draft: SummaryDraft, sample_text: str) -> None:
    fields: list[Grounded] = [field for _, field in grounded_fields(sample_draft)]
    quotes = [q.quote for field in fields for q in field.evidence]
    assert quotes
    assert all(quote in sample_text and len(quote) <= 600 for quote in quotes)
    assert all(field.evidence for field in fields)


def test_the_service_checks_find_nothing_to_flag(
    sample_draft: SummaryDraft, sample_article: Article
) -> None:
    _, issues = check_draft(sample_draft, sample_article)
    assert issues == []


def test_headline_and_summary_are_attributed_french(sample_draft: SummaryDraft) -> None:
    assert "selon l'État-Major" in sample_draft.headline
    assert sample_draft.summary.startswith("Selon l'État-Major Général des Armées maliennes")
    assert "14 neutralisés" in sample_draft.summary
    assert 2 <= sample_draft.summary.count(". ") + 1 <= 4
