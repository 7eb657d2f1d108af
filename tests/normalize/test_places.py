"""The offline gazetteer, place mentions and offsets."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.normalize.gazetteer import Gazetteer
from service.normalize.places import PlaceMention, find_offsets, find_places
from tests.normalize.properties import assert_well_placed


def described(mentions: list[PlaceMention]) -> list[tuple[str, str, str | None, str | None]]:
    return [
        (
            m.text,
            m.kind,
            m.record.name if m.record else None,
            m.record.region_code if m.record else None,
        )
        for m in mentions
    ]


def test_lookup_is_exact_after_folding(gazetteer: Gazetteer) -> None:
    for spelling in ("Nioro du Sahel", "nioro-du-sahel", "NIORO  DU SAHEL", "Nioro"):
        [nioro, *_] = gazetteer.lookup(spelling, "ML")
        assert (nioro.name, nioro.country_code, nioro.geonames_id) == ("Nioro", "ML", 2452651)
    assert gazetteer.lookup("Mopty") == []
    assert gazetteer.lookup("Diangassagou") == []


def test_lookup_ranks_country_then_population(gazetteer: Gazetteer) -> None:
    records = gazetteer.lookup("Nioro")
    populations = [r.population or 0 for r in records]
    assert records[0].country_code == "ML" and populations == sorted(populations, reverse=True)
    assert "GM" in {r.country_code for r in records}
    assert [r.country_code for r in gazetteer.lookup("Nioro", "GM")[:2]] == ["GM", "ML"]
    assert gazetteer.lookup("Nioro") == gazetteer.lookup("Nioro")


def test_localities_carry_their_region_when_it_is_known(gazetteer: Gazetteer) -> None:
    [mopti, *_] = gazetteer.lookup("Mopti", "ML")
    assert (mopti.kind, mopti.region, mopti.region_code, mopti.country) == (
        "locality",
        "Mopti",
        "ML-5",
        "Mali",
    )
    assert mopti.latitude == pytest.approx(14.4843)
    [nioro, *_] = gazetteer.lookup("Nioro", "ML")
    assert (nioro.region, nioro.region_code) == ("Kayes", "ML-1")
    [kabul, *_] = gazetteer.lookup("Kabul")
    assert (kabul.country_code, kabul.region_code, kabul.capital) == ("AF", "AF-KAB", True)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("ML", "ML"),
        ("mli", None),
        ("MLI", "ML"),
        ("Mali", "ML"),
        ("Sénégal", "SN"),
        ("Senegal", "SN"),
        ("Côte d'Ivoire", "CI"),
        ("Côte d’Ivoire", "CI"),
        ("Ivory Coast", "CI"),
        ("Etats-Unis", "US"),
        ("États-Unis", "US"),
        ("Syrie", "SY"),
        ("Fédération de Russie", "RU"),
        ("Atlantis", None),
    ],
)
def test_country_by_name_or_code(gazetteer: Gazetteer, name: str, code: str | None) -> None:
    record = gazetteer.country(name)
    assert (record.country_code if record else None) == code
    if record is not None:
        assert record.kind == "country"


def test_regions_come_from_iso_3166_2(gazetteer: Gazetteer) -> None:
    mopti = gazetteer.region("Mopti", "ML")
    assert mopti is not None
    assert (mopti.kind, mopti.region_code, mopti.country) == ("region", "ML-5", "Mali")
    kayes = gazetteer.region("kayes", None)
    assert kayes is not None and kayes.region_code == "ML-1"
    assert gazetteer.subdivision("ml-5") == mopti
    assert gazetteer.region("Nowhere", "ML") is None


def test_sample_article_places(gazetteer: Gazetteer, sample_text: str) -> None:
    mentions = find_places(sample_text, "fr", gazetteer)
    for mention in mentions:
        assert sample_text[mention.start : mention.end] == mention.text
    assert set(described(mentions)) == {
        ("Mopti", "region", "Mopti", "ML-5"),
        ("Diangassagou", "locality", None, None),
        ("Nioro du Sahel", "locality", "Nioro", "ML-1"),
    }
    nioro = next(m for m in mentions if m.text == "Nioro du Sahel")
    assert nioro.record is not None
    assert (nioro.record.region, nioro.record.country) == ("Kayes", "Mali")
    assert {m.record.country_code for m in mentions if m.record} == {"ML"}


def test_french_places(gazetteer: Gazetteer) -> None:
    text = (
        "Des hommes armés ont attaqué la localité de Ségou, au Burkina Faso, près de "
        "Ouagadougou, dans la province du Soum. Le président Emmanuel Macron a réagi à Paris. "
        "L'État islamique et les Forces armées ont été cités, en Côte d'Ivoire aussi."
    )
    assert described(find_places(text, "fr", gazetteer)) == [
        ("Ségou", "locality", "Ségou", "ML-4"),
        ("Burkina Faso", "country", "Burkina Faso", None),
        ("Ouagadougou", "locality", "Ouagadougou", None),
        ("Soum", "region", "Soum", "BF-SOM"),
        ("Paris", "locality", "Paris", None),
        ("Côte d'Ivoire", "country", "Côte d'Ivoire", None),
    ]


def test_english_places(gazetteer: Gazetteer) -> None:
    text = (
        "Gunmen attacked a village near Diangassagou in the Mopti region of Mali. "
        "Police in Bamako said the Kayes Region was calm. According to Reuters, officials "
        "met Assimi Goïta in the province of Kabul."
    )
    assert described(find_places(text, "en", gazetteer)) == [
        ("Diangassagou", "locality", None, None),
        ("Mopti", "region", "Mopti", "ML-5"),
        ("Mali", "country", "Mali", None),
        ("Bamako", "locality", "Bamako", "ML-BKO"),
        ("Kayes", "region", "Kayes", "ML-1"),
        ("Kabul", "region", "Kābul", "AF-KAB"),
    ]


def test_small_places_need_a_location_cue(gazetteer: Gazetteer) -> None:
    assert gazetteer.lookup("Selon")  # a French town's alternate name
    assert find_places("Selon l'armée, le calme est revenu.", "fr", gazetteer) == []
    assert [m.text for m in find_places("Nioro was calm.", "en", gazetteer)] == []
    assert [m.text for m in find_places("Fighting in Nioro.", "en", gazetteer)] == ["Nioro"]


def test_articles_country_wins_an_ambiguous_name(gazetteer: Gazetteer) -> None:
    [gambia] = find_places("Clashes in Nioro, in the Gambia.", "en", gazetteer)[:1]
    assert gambia.record is not None and gambia.record.country_code == "GM"
    [mali] = find_places("Clashes in Nioro, in Mali.", "en", gazetteer)[:1]
    assert mali.record is not None and mali.record.country_code == "ML"


def test_a_small_namesake_abroad_is_not_taken(gazetteer: Gazetteer) -> None:
    [nioro, france] = find_places("Des combats à Nioro, en France.", "fr", gazetteer)
    assert (nioro.text, nioro.record) == ("Nioro", None)
    assert france.record is not None and france.record.country_code == "FR"


def test_offsets() -> None:
    text = "Le convoi a été frappé à environ 15 kilomètres au sud de Diangassagou, hier."
    [offset] = find_offsets(text, "fr")
    assert (offset.distance, offset.unit, offset.direction, offset.reference) == (
        15.0,
        "km",
        "south",
        "Diangassagou",
    )
    assert offset.text == "environ 15 kilomètres au sud de Diangassagou"
    assert text[offset.start : offset.end] == offset.text


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("15 km north of Kabul", "en", (15.0, "km", "north", "Kabul")),
        ("some 20 miles east of the town of Gao.", "en", (20.0, "mi", "east", "Gao")),
        ("2.5 km south-west of Nioro du Sahel", "en", (2.5, "km", "southwest", "Nioro du Sahel")),
        ("à quinze kilomètres à l'est de Mopti", "fr", (15.0, "km", "east", "Mopti")),
        ("à 30 km au nord-ouest de Gao", "fr", (30.0, "km", "northwest", "Gao")),
    ],
)
def test_offset_forms(text: str, lang: str, expected: tuple[float, str, str, str]) -> None:
    [offset] = find_offsets(text, lang)
    assert (offset.distance, offset.unit, offset.direction, offset.reference) == expected


def test_sample_article_offset(sample_text: str) -> None:
    [offset] = find_offsets(sample_text, "fr")
    assert (offset.distance, offset.direction, offset.reference) == (15.0, "south", "Diangassagou")


def test_overlapping_offsets_of_both_languages_keep_the_earliest() -> None:
    # A language without its own pattern reads both: the French reference "Gao Five"
    # runs into the English distance "Five".
    text = "à 5 km au nord de Gao Five km north of Kabul"
    [offset] = find_offsets(text, "de")
    assert offset.text == "5 km au nord de Gao Five"
    assert [o.reference for o in find_offsets(text, "en")] == ["Kabul"]


_PLACE_PIECES = st.sampled_from(
    (
        "à|au|en|in|near|the|of|de|du|d'|l'|région|region|village|Nioro|Sahel|Mali|Mopti"
        "|Kabul|Gao|Five|Côte|Ivoire|France|Kayes|Forces|Assimi|Goïta|15|km|kilomètres|five"
        "|north|sud|au nord de|south of|à l'est de|miles|environ|about|,|.|\n"
    ).split("|")
)


# Whole offset phrases, so that English and French ones meet often.
_OFFSET_PIECES = st.sampled_from(
    (
        "15 km au nord de|à environ cinq kilomètres à l'est de|Five km north of"
        "|some 20 miles south-west of the town of|Gao|Five|Nioro du|Sahel|Kabul|Mali|,|de|of"
    ).split("|")
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_OFFSET_PIECES, max_size=16),
    st.sampled_from(["en", "fr", "de"]),
)
def test_offsets_are_sorted_and_never_overlap(pieces: list[str], lang: str) -> None:
    text = " ".join(pieces)
    mentions = find_offsets(text, lang)
    assert mentions == find_offsets(text, lang)
    assert_well_placed(text, mentions)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PLACE_PIECES, max_size=16), st.sampled_from(["en", "fr"]))
def test_places_are_sorted_and_never_overlap(
    gazetteer: Gazetteer, pieces: list[str], lang: str
) -> None:
    text = " ".join(pieces)
    mentions = find_places(text, lang, gazetteer)
    assert mentions == find_places(text, lang, gazetteer)
    assert_well_placed(text, mentions)


@pytest.mark.parametrize(
    "text",
    [
        "Soldiers neutralised three assailants. No group has claimed the attack.",
        "Les soldats ont riposté. Aucun groupe n'a revendiqué l'attaque.",
        "The talks failed. On Monday the rebels withdrew.",
    ],
)
def test_a_word_capitalised_only_by_its_sentence_start_is_no_place(
    gazetteer: Gazetteer, text: str
) -> None:
    assert find_places(text, "en", gazetteer) == []
