"""Event typing of single sentences (our own wording, English and French)."""

from __future__ import annotations

import pytest

from schemas import SubEventType as S
from service.backends.offline.classify import classify

CASES = [
    ("en", "Warplanes carried out air strikes on the village on Tuesday.", S.AIR_DRONE_STRIKE),
    ("en", "A suicide bomber blew himself up at a police checkpoint.", S.SUICIDE_BOMB),
    ("en", "Two soldiers died when their truck hit a roadside bomb.", S.REMOTE_EXPLOSIVE),
    ("en", "Rebels shelled the town with mortars and rockets overnight.",
     S.SHELLING_ARTILLERY_MISSILE),
    ("en", "A grenade was thrown into a crowded bar.", S.GRENADE),
    ("en", "Thousands of protesters marched peacefully to parliament.", S.PEACEFUL_PROTEST),
    ("en", "Police fired tear gas to disperse the protesters.", S.PROTEST_WITH_INTERVENTION),
    ("en", "Security forces opened fire on protesters, killing three.",
     S.EXCESSIVE_FORCE_AGAINST_PROTESTERS),
    ("en", "Rioters torched cars and threw stones at police during the protest.",
     S.VIOLENT_DEMONSTRATION),
    ("en", "An angry mob lynched a man accused of theft.", S.MOB_VIOLENCE),
    ("en", "Police arrested five suspects in the capital.", S.ARRESTS),
    ("en", "Gunmen kidnapped twelve passengers on the highway.", S.ABDUCTION),
    ("en", "Gunmen attacked the village, killing eight civilians.", S.ATTACK),
    ("en", "Militants attacked an army checkpoint and soldiers returned fire.", S.ARMED_CLASH),
    ("en", "The army recaptured the district from the insurgents.",
     S.GOVERNMENT_REGAINS_TERRITORY),
    ("en", "Militants seized control of the town after heavy fighting with troops.",
     S.NON_STATE_ACTOR_OVERTAKES_TERRITORY),
    ("en", "Rebels took control of the town without a fight after the army withdrew.",
     S.NON_VIOLENT_TERRITORY_TRANSFER),
    ("en", "Bomb disposal experts defused an explosive device found near the market.",
     S.DISRUPTED_WEAPONS_USE),
    ("en", "The group claimed responsibility for the bombing.", S.CLAIM_OF_RESPONSIBILITY),
    ("en", "The two sides signed a ceasefire agreement.", S.AGREEMENT),
    ("en", "A fire broke out at a garment factory, killing nine workers.", S.MAN_MADE_DISASTER),
    ("en", "Floods swept through the valley after days of heavy rain.", S.NATURAL_DISASTER),
    ("en", "The foreign minister met his counterpart for talks on trade.", S.DIPLOMATIC_EVENT),
    ("fr", "Des frappes aériennes ont visé un camp au nord de la ville.", S.AIR_DRONE_STRIKE),
    ("fr", "Un accrochage a opposé des soldats à des hommes armés.", S.ARMED_CLASH),
    ("fr", "Les manifestants ont été dispersés à coups de gaz lacrymogènes.",
     S.PROTEST_WITH_INTERVENTION),
    ("fr", "Un séisme de magnitude 6 a frappé la région.", S.NATURAL_DISASTER),
    ("fr", "Des hommes armés ont enlevé trois enseignants.", S.ABDUCTION),
    ("fr", "L'armée a repris le contrôle de la ville.", S.GOVERNMENT_REGAINS_TERRITORY),
    ("fr", "Un engin explosif improvisé a explosé au passage d'un convoi.", S.REMOTE_EXPLOSIVE),
    ("fr", "Une marche pacifique a réuni des milliers de manifestants.", S.PEACEFUL_PROTEST),
]  # fmt: skip


@pytest.mark.parametrize(("lang", "text", "expected"), CASES)
def test_sentence_is_typed_by_its_cues(lang: str, text: str, expected: S) -> None:
    assert classify(text, lang).sub_type is expected


def test_a_negated_claim_is_no_claim() -> None:
    result = classify("No group has claimed responsibility for the blast.", "en")
    assert result.sub_type is not S.CLAIM_OF_RESPONSIBILITY


def test_a_sentence_without_cues_has_no_type() -> None:
    assert classify("Community gardens are a familiar sight.", "en").sub_type is None
