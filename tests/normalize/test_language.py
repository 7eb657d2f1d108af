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
