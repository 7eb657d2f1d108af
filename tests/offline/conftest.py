"""Fixtures of the offline backend's tests: one backend (and gazetteer) per session."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from schemas import SummaryDraft
from service.article import Article
from service.backends.offline import OfflineBackend

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"

# name -> (publication date, language hint); the hint None exercises detection.
FIXTURES: dict[str, tuple[date | None, str | None]] = {
    "en-protest-arrests.txt": (date(2024, 3, 14), "en"),
    "en-ied-attack.txt": (date(2023, 5, 4), "en"),
    "fr-inondation.txt": (date(2024, 8, 13), None),
    "en-no-event.txt": (date(2024, 5, 1), None),
}


def fixture_article(name: str) -> Article:
    """One of our synthetic articles, with its publication date and language hint."""
    published, language = FIXTURES[name]
    text = (ARTICLES / name).read_text(encoding="utf-8")
    return Article(text=text, published=published, language=language)


@pytest.fixture(scope="session")
def backend() -> Iterator[OfflineBackend]:
    """The offline backend, shared by the session (the gazetteer opens once)."""
    instance = OfflineBackend("offline")
    yield instance
    instance.close()


@pytest.fixture(scope="session")
def sample_article(sample_text: str) -> Article:
    """The reference article with its publication date and language."""
    return Article(text=sample_text, published=date(2025, 1, 9), language="fr")


@pytest.fixture(scope="session")
def sample_draft(backend: OfflineBackend, sample_article: Article) -> SummaryDraft:
    """The offline draft of the reference article."""
    return backend.summarize(sample_article)
