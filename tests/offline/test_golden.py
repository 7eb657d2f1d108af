"""Golden drafts of the offline backend: the sample and our synthetic articles, byte for byte.

Regenerate after a deliberate change with UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import pytest

from schemas import SummaryDraft
from service.article import Article
from service.backends.offline import OfflineBackend
from tests.golden import assert_golden
from tests.offline.conftest import FIXTURES, fixture_article


def dump(draft: SummaryDraft) -> str:
    return draft.model_dump_json(indent=2) + "\n"


def test_sample_draft_matches_its_golden_file(sample_draft: SummaryDraft) -> None:
    assert_golden("sample-fr.json", dump(sample_draft))


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_synthetic_article_matches_its_golden_file(backend: OfflineBackend, name: str) -> None:
    draft = backend.summarize(fixture_article(name))
    assert_golden(name.replace(".txt", ".json"), dump(draft))


def test_two_runs_give_identical_bytes(sample_article: Article) -> None:
    first, second = OfflineBackend("one"), OfflineBackend("two")
    try:
        assert dump(first.summarize(sample_article)) == dump(second.summarize(sample_article))
        assert dump(first.summarize(sample_article)) == dump(first.summarize(sample_article))
    finally:
        first.close()
        second.close()
