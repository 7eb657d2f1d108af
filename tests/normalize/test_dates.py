"""Dates and times: absolute, month-only, relative, with and without a publication date."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.normalize.dates import DateMention, find_dates, temporal_spans
from tests.normalize.properties import assert_sorted_and_disjoint, assert_well_placed

THURSDAY = dt.date(2025, 1, 9)


def one(text: str, lang: str, published: dt.date | None = THURSDAY) -> DateMention:
    [mention] = find_dates(text, lang, published)
    assert text[mention.start : mention.end] == mention.text
    return mention


def summary(mention: DateMention) -> tuple[str | None, str | None, bool, str, str]:
    return (
        mention.date,
        mention.time,
        mention.approximate,
        mention.precision,
        mention.derivation,
    )


def test_sample_article_dates(sample_text: str) -> None:
    first, second = find_dates(sample_text, "fr", THURSDAY)
    assert first.text == "8 janvier 2025, vers 17h30"
    assert summary(first) == ("2025-01-08", "17:30", True, "day", "stated")
    assert second.text == "7 janvier 2025"
    assert summary(second) == ("2025-01-07", None, False, "day", "stated")


def test_sample_article_dates_need_no_publication_date(sample_text: str) -> None:
    dates = [m.date for m in find_dates(sample_text, "fr", None)]
    assert dates == ["2025-01-08", "2025-01-07"]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Le 8 janvier 2025, l'armée.", "fr", ("2025-01-08", None, False, "day", "stated")),
        ("le 1er février 2024", "fr", ("2024-02-01", None, False, "day", "stated")),
        ("on January 7, 2025,", "en", ("2025-01-07", None, False, "day", "stated")),
        ("on Monday, January 6, 2025", "en", ("2025-01-06", None, False, "day", "stated")),
        ("the 7th of January 2025", "en", ("2025-01-07", None, False, "day", "stated")),
        ("7 Jan. 2025", "en", ("2025-01-07", None, False, "day", "stated")),
        ("dated 2025-01-08.", "en", ("2025-01-08", None, False, "day", "stated")),
        ("le 08/01/2025", "fr", ("2025-01-08", None, False, "day", "stated")),
        ("on 01/08/2025", "en", ("2025-01-08", None, False, "day", "stated")),
        ("am 8. Januar 2025", "de", ("2025-01-08", None, False, "day", "stated")),
        ("el 8 de enero de 2025", "es", ("2025-01-08", None, False, "day", "stated")),
        ("vers le 7 janvier 2025", "fr", ("2025-01-07", None, True, "day", "stated")),
    ],
)
def test_absolute_dates(
    text: str, lang: str, expected: tuple[str | None, str | None, bool, str, str]
) -> None:
    assert summary(one(text, lang)) == expected


def test_a_date_without_year_takes_the_year_on_or_before_publication() -> None:
    assert one("on December 13", "en").date == "2024-12-13"
    assert one("le 8 janvier", "fr").date == "2025-01-08"
    assert one("le 9 janvier", "fr").date == "2025-01-09"
    assert one("le 10 janvier", "fr").date == "2024-01-10"


def test_a_date_without_year_or_publication_date_stays_unresolved() -> None:
    mention = one("le 3 mars", "fr", None)
    assert summary(mention) == (None, None, False, "day", "relative_unresolved")


def test_absolute_dates_after_publication_are_reported_as_written() -> None:
    assert one("le 20 mars 2025", "fr").date == "2025-03-20"


@pytest.mark.parametrize(
    ("text", "lang", "date", "precision"),
    [
        ("in January 2025", "en", "2025-01", "month"),
        ("en janvier 2025", "fr", "2025-01", "month"),
        ("in December", "en", "2024-12", "month"),
        ("in 2024", "en", "2024", "year"),
        ("depuis 2012", "fr", "2012", "year"),
    ],
)
def test_month_and_year_mentions(text: str, lang: str, date: str, precision: str) -> None:
    mention = one(text, lang)
    assert (mention.date, mention.precision, mention.derivation) == (date, precision, "stated")


def test_early_january_is_approximate() -> None:
    mention = one("début janvier 2025", "fr")
    assert (mention.date, mention.approximate, mention.precision) == ("2025-01", True, "month")


@pytest.mark.parametrize(
    ("text", "lang", "time", "approximate", "timezone"),
    [
        ("le 8 janvier 2025 vers 17h30", "fr", "17:30", True, None),
        ("le 8 janvier 2025 à 17h", "fr", "17:00", False, None),
        ("January 8, 2025 at 5:30 pm", "en", "17:30", False, None),
        ("January 8, 2025, around 17:30 GMT", "en", "17:30", True, "UTC"),
        ("January 8, 2025 at 12 a.m.", "en", "00:00", False, None),
        ("vers midi le 8 janvier 2025", "fr", "12:00", True, None),
        ("le 8 janvier 2025 à 17 h 30 (UTC+1)", "fr", "17:30", False, "+01:00"),
    ],
)
def test_times_attach_to_their_date(
    text: str, lang: str, time: str, approximate: bool, timezone: str | None
) -> None:
    mention = one(text, lang)
    assert mention.date == "2025-01-08"
    assert (mention.time, mention.approximate, mention.timezone) == (time, approximate, timezone)


@pytest.mark.parametrize(
    ("text", "lang", "date", "precision"),
    [
        ("yesterday", "en", "2025-01-08", "day"),
        ("Yesterday morning", "en", "2025-01-08", "day"),
        ("last night", "en", "2025-01-08", "day"),
        ("the day before yesterday", "en", "2025-01-07", "day"),
        ("today", "en", "2025-01-09", "day"),
        ("this morning", "en", "2025-01-09", "day"),
        ("three days ago", "en", "2025-01-06", "day"),
        ("on Monday", "en", "2025-01-06", "day"),
        ("Thursday", "en", "2025-01-09", "day"),
        ("last Thursday", "en", "2025-01-02", "day"),
        ("last week", "en", "2024-12-30", "week"),
        ("last month", "en", "2024-12", "month"),
        ("last year", "en", "2024", "year"),
        ("hier", "fr", "2025-01-08", "day"),
        ("hier soir", "fr", "2025-01-08", "day"),
        ("avant-hier", "fr", "2025-01-07", "day"),
        ("aujourd'hui", "fr", "2025-01-09", "day"),
        ("ce matin", "fr", "2025-01-09", "day"),
        ("il y a deux jours", "fr", "2025-01-07", "day"),
        ("lundi", "fr", "2025-01-06", "day"),
        ("jeudi dernier", "fr", "2025-01-02", "day"),
        ("dans la nuit de dimanche à lundi", "fr", "2025-01-05", "day"),
        ("la semaine dernière", "fr", "2024-12-30", "week"),
        ("le mois dernier", "fr", "2024-12", "month"),
        ("l'année dernière", "fr", "2024", "year"),
        ("gestern", "de", "2025-01-08", "day"),
        ("ayer", "es", "2025-01-08", "day"),
    ],
)
def test_relative_expressions_resolve_against_publication(
    text: str, lang: str, date: str, precision: str
) -> None:
    mention = one(text, lang)
    assert (mention.date, mention.precision, mention.derivation) == (
        date,
        precision,
        "relative_resolved",
    )


@pytest.mark.parametrize(
    ("text", "lang", "precision"),
    [("hier", "fr", "day"), ("lundi", "fr", "day"), ("last week", "en", "week")],
)
def test_relative_expressions_without_publication_are_never_guessed(
    text: str, lang: str, precision: str
) -> None:
    mention = one(text, lang, None)
    assert (mention.date, mention.precision, mention.derivation) == (
        None,
        precision,
        "relative_unresolved",
    )


def test_relative_day_with_time() -> None:
    mention = one("hier vers 22h", "fr")
    assert summary(mention) == ("2025-01-08", "22:00", True, "day", "relative_resolved")


def test_a_datetime_publication_is_taken_as_its_date() -> None:
    assert one("yesterday", "en", dt.datetime(2025, 1, 9, 23, 59)).date == "2025-01-08"


def test_day_ranges_give_both_days() -> None:
    dates = [m.date for m in find_dates("du 5 au 7 janvier 2025", "fr", THURSDAY)]
    assert dates == ["2025-01-05", "2025-01-07"]


def test_plain_numbers_and_words_are_not_dates() -> None:
    assert find_dates("quatorze terroristes, 30 morts, 1 000 déplacés", "fr", THURSDAY) == []
    assert find_dates("They may march on the capital.", "en", THURSDAY) == []


def test_temporal_spans_include_standalone_times() -> None:
    text = "vers 17h30, 14 morts le 8 janvier"
    assert [text[s:e] for s, e in temporal_spans(text, "fr")] == ["vers 17h30", "8 janvier"]


_PIECES = st.sampled_from(
    (
        "le|8|janvier|2025|vers|17h30|hier|lundi|dernier|on|Monday|January|7,|at|5:30|pm|last"
        "|week|in|il y a|trois|jours|,|.|2025-01-08|du|au|mars|1er|Jan."
    ).split("|")
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=16), st.sampled_from(["en", "fr"]), st.booleans())
def test_offsets_always_point_at_the_text(pieces: list[str], lang: str, dated: bool) -> None:
    text = " ".join(pieces)
    published = THURSDAY if dated else None
    mentions = find_dates(text, lang, published)
    assert mentions == find_dates(text, lang, published)
    assert_well_placed(text, mentions)
    for mention in mentions:
        if not dated:
            assert mention.derivation != "relative_resolved"


def test_a_time_running_into_the_next_date_keeps_the_earlier_mention() -> None:
    text = "8 janvier 5:30 mars"
    [mention] = find_dates(text, "fr", None)
    assert (mention.text, mention.time) == ("8 janvier 5:30", "05:30")
    assert temporal_spans(text, "fr") == [(0, len("8 janvier 5:30"))]


def test_temporal_spans_merge_a_date_and_its_attached_time() -> None:
    text = "le 8 janvier 2025 vers 17h30, puis 14 morts"
    assert [text[s:e] for s, e in temporal_spans(text, "fr")] == ["8 janvier 2025 vers 17h30"]


# Pieces that make candidates collide: times glued to day numbers, ranges, weekdays
# next to dates, relative phrases sharing words with absolute ones.
_CLASHING_PIECES = st.sampled_from(
    (
        "8|30|5:30|17h30|12h|janvier|mars|March|May|2025|1er|du|au|to|et|-|vers|around|at|le"
        "|on|the|of|lundi|Monday|dernier|last|hier|yesterday|dans la nuit de|à|week|semaine"
        "|in|en|début|early|il y a|deux|jours|days|ago|,|.|(UTC+1)|GMT|2025-01-08|08/01/2025"
    ).split("|")
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_CLASHING_PIECES, max_size=14),
    st.sampled_from(["en", "fr", "de"]),
    st.sampled_from([None, THURSDAY, dt.date.min, dt.date.max]),
)
def test_mentions_are_sorted_and_never_overlap(
    pieces: list[str], lang: str, published: dt.date | None
) -> None:
    text = " ".join(pieces)
    assert_well_placed(text, find_dates(text, lang, published))
    assert_sorted_and_disjoint(temporal_spans(text, lang))


_EDGES = (dt.date.min, dt.date(1, 1, 2), dt.date(1, 1, 7), dt.date(1, 2, 1), dt.date.max)


@pytest.mark.parametrize("published", [dt.date.min, dt.date(1, 1, 2)])
@pytest.mark.parametrize(
    ("text", "lang", "precision"),
    [
        ("the day before yesterday", "en", "day"),
        ("avant-hier", "fr", "day"),
        ("last week", "en", "week"),
        ("la semaine dernière", "fr", "week"),
        ("last month", "en", "month"),
        ("le mois dernier", "fr", "month"),
        ("il y a 3 mois", "fr", "month"),
        ("last year", "en", "year"),
        ("l'année dernière", "fr", "year"),
        ("last Sunday", "en", "day"),
        ("dimanche dernier", "fr", "day"),
        ("on March 3", "en", "day"),
        ("le 3 mars", "fr", "day"),
        ("in March", "en", "month"),
        ("en mars", "fr", "month"),
    ],
)
def test_arithmetic_before_year_one_leaves_the_mention_unresolved(
    text: str, lang: str, precision: str, published: dt.date
) -> None:
    mention = one(text, lang, published)
    assert (mention.date, mention.precision, mention.derivation) == (
        None,
        precision,
        "relative_unresolved",
    )


@pytest.mark.parametrize(("text", "lang"), [("yesterday", "en"), ("hier", "fr")])
def test_yesterday_of_the_first_day_is_unresolved(text: str, lang: str) -> None:
    unresolved = (None, None, False, "day", "relative_unresolved")
    assert summary(one(text, lang, dt.date.min)) == unresolved
    assert one(text, lang, dt.date(1, 1, 2)).date == "0001-01-01"


def test_the_last_day_of_the_calendar_still_resolves() -> None:
    last = dt.date.max
    assert one("yesterday", "en", last).date == "9999-12-30"
    assert one("aujourd'hui", "fr", last).date == "9999-12-31"
    assert one("last month", "en", last).date == "9999-11"
    assert one("le 3 mars", "fr", last).date == "9999-03-03"
    assert one("today", "en", dt.datetime.max).date == "9999-12-31"


_RELATIVE = {
    "en": (
        "yesterday",
        "yesterday evening",
        "last night",
        "the day before yesterday",
        "today",
        "three days ago",
        "99 days ago",
        "last week",
        "this week",
        "12 weeks ago",
        "last month",
        "this month",
        "99 months ago",
        "last year",
        "this year",
        "on Monday",
        "last Sunday",
        "on December 31",
        "in December",
        "January 1st",
    ),
    "fr": (
        "hier",
        "hier soir",
        "avant-hier",
        "aujourd'hui",
        "cette nuit",
        "il y a trois jours",
        "il y a 99 jours",
        "la semaine dernière",
        "cette semaine",
        "il y a 12 semaines",
        "le mois dernier",
        "ce mois-ci",
        "il y a 99 mois",
        "l'année dernière",
        "cette année",
        "lundi",
        "dimanche dernier",
        "dans la nuit de dimanche à lundi",
        "le 31 décembre",
        "en décembre",
        "du 1er au 3 janvier",
    ),
}


def _in_calendar(mention: DateMention) -> bool:
    assert mention.date is not None
    if mention.precision in ("day", "week"):
        dt.date.fromisoformat(mention.date)
    elif mention.precision == "month":
        dt.date.fromisoformat(f"{mention.date}-01")
    else:
        dt.date(int(mention.date), 1, 1)
    return True


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.sampled_from(_EDGES), st.dates(dt.date.min, dt.date.max)),
    st.sampled_from(["en", "fr"]),
)
def test_find_dates_never_raises_for_any_publication_date(published: dt.date, lang: str) -> None:
    text = ", ".join(_RELATIVE[lang])
    mentions = find_dates(text, lang, published)
    assert_well_placed(text, mentions)
    assert len(mentions) >= len(_RELATIVE[lang])
    for mention in mentions:
        if mention.date is None:
            assert mention.derivation == "relative_unresolved"
        else:
            assert _in_calendar(mention)
