"""Fixtures of the normaliser tests: one gazetteer for the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from service.normalize.gazetteer import Gazetteer, database_name


@pytest.fixture(scope="session")
def gazetteer(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Gazetteer]:
    """The real gazetteer, built once (about 20 s) into pytest's cache directory and reused by
    later runs; its file name changes whenever its data or build code does."""
    cache = getattr(request.config, "cache", None)
    directory: Path = cache.mkdir("normalize-gazetteer") if cache else tmp_path_factory.mktemp("gz")
    for stale in directory.glob("gazetteer-v*.sqlite*"):
        if not stale.name.startswith(database_name()):
            stale.unlink(missing_ok=True)
    opened = Gazetteer.open(directory)
    yield opened
    opened.close()
