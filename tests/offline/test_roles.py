"""Actor roles from the wording (our own sentences, English and French).

ACLED's convention: the side that launched or carried out the attack is the initiator; the
side that was attacked or responded ("repelled an attack", "riposte") is the target.
"""

from __future__ import annotations

from datetime import date

import pytest

from schemas import ActorRole, ActorType
from service.article import Article
from service.backends.offline import OfflineBackend
from service.backends.offline.actors import find_actors, role_of
from service.backends.offline.role_cues import Strength

INIT, TARGET = ActorRole.INITIATOR, ActorRole.TARGET

CASES: list[tuple[str, str, dict[str, ActorRole]]] = [
    ("en", "Gunmen attacked an army patrol near the border.",
     {"Gunmen": INIT, "army": TARGET}),
    ("en", "Troops repelled an attack by jihadists on their base.",
     {"Troops": TARGET, "jihadists": INIT}),
    ("en", "The attack, carried out by militants against soldiers, lasted an hour.",
     {"militants": INIT, "soldiers": TARGET}),
    ("en", "A police convoy came under attack on the highway.", {"police": TARGET}),
    ("en", "Soldiers were ambushed by insurgents.", {"Soldiers": TARGET, "insurgents": INIT}),
    ("en", "Militants opened fire on police officers.",
     {"Militants": INIT, "police officers": TARGET}),
    ("en", "The rebels were repelled by government forces.",
     {"rebels": INIT, "government forces": TARGET}),
    ("en", "Soldiers returned fire and the attackers fled.", {"Soldiers": TARGET}),
    ("en", "A militant attack on a checkpoint left two dead.", {"militant": INIT}),
    ("en", "Militants attacked troops who repelled them.", {"Militants": INIT, "troops": TARGET}),
    ("fr", "L'attaque, lancée par des hommes armés contre les militaires, a été repoussée.",
     {"hommes armés": INIT, "militaires": TARGET}),
    ("fr", "Les soldats ont repoussé une attaque terroriste.",
     {"soldats": TARGET, "terroriste": INIT}),
    ("fr", "La riposte de l'armée a été rapide.", {"armée": TARGET}),
    ("fr", "Des militaires ont été pris en embuscade par des assaillants.",
     {"militaires": TARGET, "assaillants": INIT}),
    ("fr", "Des hommes armés ont ouvert le feu sur des civils.",
     {"hommes armés": INIT, "civils": TARGET}),
    ("fr", "Les gendarmes ont su riposter.", {"gendarmes": TARGET}),
    ("fr", "Les assaillants ont été repoussés par la gendarmerie.",
     {"assaillants": INIT, "gendarmerie": TARGET}),
    ("fr", "Les frappes aériennes menées par l'armée ont visé un camp.", {"armée": INIT}),
]  # fmt: skip


@pytest.mark.parametrize(("lang", "sentence", "expected"), CASES)
def test_role_of_each_side(lang: str, sentence: str, expected: dict[str, ActorRole]) -> None:
    mentions = {m.text: m for m in find_actors(sentence, lang)}
    roles = {text: role_of(sentence, mentions[text], lang)[0] for text in expected}
    assert roles == expected


@pytest.mark.parametrize(
    ("lang", "sentence", "agent", "patient"),
    [
        ("en", "An operation led by the army against rebels began.", "army", "rebels"),
        ("fr", "Une opération menée par l'armée contre des jihadistes.", "armée", "jihadistes"),
    ],
)
def test_an_operation_is_a_weaker_cue_than_an_attack(
    lang: str, sentence: str, agent: str, patient: str
) -> None:
    mentions = {m.text: m for m in find_actors(sentence, lang)}
    assert role_of(sentence, mentions[agent], lang) == (INIT, Strength.PLAIN)
    assert role_of(sentence, mentions[patient], lang) == (TARGET, Strength.WEAK)
    assert Strength.DECISIVE > 10 * Strength.PLAIN


def test_armed_as_an_adjective_is_no_army() -> None:
    assert find_actors("Une attaque armée a visé le marché.", "fr") == []
    assert [m.text for m in find_actors("La riposte de l'armée.", "fr")] == ["armée"]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "L'armée malienne a mené mardi une opération contre des jihadistes près de Mopti. "
               "L'attaque, lancée par des jihadistes contre un poste de l'armée à Sévaré, a été "
               "repoussée. La riposte de l'armée a permis de neutraliser dix assaillants, selon "
               "un communiqué."),
        ("en", "Nigerian troops conducted an operation against insurgents near Maiduguri on "
               "Tuesday. The attack, launched by insurgents on an army base in Maiduguri, was "
               "repelled. Soldiers returned fire and killed ten militants, the army said."),
    ],
)  # fmt: skip
def test_the_attacker_initiates_even_after_an_operation_by_the_other_side(
    backend: OfflineBackend, lang: str, text: str
) -> None:
    draft = backend.summarize(Article(text=text, published=date(2025, 3, 5), language=lang))
    roles = {a.actor_type: a.role for a in draft.events[0].actors}
    assert roles == {ActorType.STATE_FORCES: TARGET, ActorType.REBEL_GROUP: INIT}
