"""Language detection."""

from __future__ import annotations

import pytest

from service.normalize.language import detect_language


def test_sample_article_is_french(sample_text: str) -> None:
    assert detect_language(sample_text) == "fr"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The army said it repelled an attack on a village near the border.", "en"),
        ("L'armée affirme avoir repoussé une attaque contre un village frontalier.", "fr"),
        ("El ejército afirma haber repelido un ataque contra una aldea fronteriza.", "es"),
        ("Die Armee erklärte, sie habe einen Angriff auf ein Dorf abgewehrt.", "de"),
    ],
)
def test_detects_iso_639_1_codes(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_a_text_without_letters_gets_the_default() -> None:
    assert detect_language("") == "en"
    assert detect_language("2025 — 14 / 9 !!!") == "en"


def test_always_two_letters_and_deterministic() -> None:
    for text in ("Mopti", "ok", "Sawubona", "xyzzy qwerty"):
        code = detect_language(text)
        assert len(code) == 2 and code.isalpha() and code.islower()
        assert detect_language(text) == code


def test_a_text_is_ranked_once_however_often_its_language_is_asked() -> None:
    from service.normalize import language

    text = "Les soldats ont repoussé une attaque contre le camp de Sévaré lundi matin."
    before = language._detect.cache_info()
    assert detect_language(text) == detect_language(text + "") == "fr"
    after = language._detect.cache_info()
    assert after.misses - before.misses <= 1 and after.hits > before.hits
