"""What the offline backend reads in our synthetic articles (English and French)."""

from __future__ import annotations

from datetime import date

from schemas import DateDerivation, FigureKind, LinkRelation, Modality, SubEventType
from service.article import Article
from service.backends.offline import OfflineBackend
from service.validate import check_draft
from tests.offline.conftest import fixture_article


def test_protest_with_arrests_resolves_monday_against_publication(
    backend: OfflineBackend,
) -> None:
    article = fixture_article("en-protest-arrests.txt")
    draft = backend.summarize(article)
    assert len(draft.events) == 1
    event = draft.events[0]
    assert event.sub_event_type is SubEventType.PROTEST_WITH_INTERVENTION
    assert event.when.date == "2024-03-11"
    assert event.when.derivation is DateDerivation.RELATIVE_RESOLVED
    assert event.where is not None and event.where.country_code == "KE"
    arrested = [f for f in event.figures if f.kind is FigureKind.CAPTURED]
    assert [(f.value, f.whose) for f in arrested] == [(23, "protesters")]
    assert "police spokesman" in (arrested[0].claimed_by or "")
    assert check_draft(draft, article)[1] == []


def test_relative_day_stays_unresolved_without_publication_date(backend: OfflineBackend) -> None:
    text = fixture_article("en-protest-arrests.txt").text
    draft = backend.summarize(Article(text=text, language="en"))
    when = draft.events[0].when
    assert when.date is None
    assert when.derivation is DateDerivation.RELATIVE_UNRESOLVED
    assert when.text == "Monday"


def test_ied_attack_with_dozens_wounded_and_a_recalled_bombing(backend: OfflineBackend) -> None:
    draft = backend.summarize(fixture_article("en-ied-attack.txt"))
    main, recalled = draft.events
    assert main.sub_event_type is SubEventType.REMOTE_EXPLOSIVE
    figures = {f.kind: f for f in main.figures}
    assert (figures[FigureKind.KILLED].value, figures[FigureKind.KILLED].vague) == (7, False)
    assert (figures[FigureKind.INJURED].value, figures[FigureKind.INJURED].vague) == (12, True)
    assert main.where is not None and main.where.precision == 2  # "near Kandahar"
    assert recalled.modality is Modality.BACKGROUND
    assert [(link.event_id, link.relation) for link in recalled.links] == [
        ("e1", LinkRelation.EARLIER_RELATED)
    ]
    assert all(e.sub_event_type is not SubEventType.CLAIM_OF_RESPONSIBILITY for e in draft.events)


def test_french_flood_is_detected_as_french_with_its_toll(backend: OfflineBackend) -> None:
    draft = backend.summarize(fixture_article("fr-inondation.txt"))
    assert draft.language == "fr"
    (event,) = draft.events
    assert event.sub_event_type is SubEventType.NATURAL_DISASTER
    assert event.when.date == "2024-08-12"
    assert event.where is not None and event.where.country_code == "NE"
    toll = {(f.kind, f.value) for f in event.figures}
    assert {(FigureKind.KILLED, 11), (FigureKind.INJURED, 27), (FigureKind.DISPLACED, 3000),
            (FigureKind.MISSING, 4), (FigureKind.DESTROYED, 450)} <= toll  # fmt: skip
    assert draft.headline.startswith("Catastrophe naturelle à Tillabéri")


def test_an_article_without_an_event_yields_an_empty_list(backend: OfflineBackend) -> None:
    draft = backend.summarize(fixture_article("en-no-event.txt"))
    assert draft.language == "en"
    assert draft.events == []
    assert draft.headline.startswith("Community gardens")
    assert "no specific event" in draft.summary


def test_output_language_english_for_a_french_article(
    backend: OfflineBackend, sample_text: str
) -> None:
    article = Article(text=sample_text, published=date(2025, 1, 9), output_language="en")
    draft = backend.summarize(article)
    assert draft.language == "fr"
    assert draft.headline.startswith("Armed clash in Diangassagou")
    assert "according to the General Staff of the Malian Armed Forces" in draft.headline
    assert "14 neutralised" in draft.summary
