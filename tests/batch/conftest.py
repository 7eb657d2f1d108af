"""Fixtures of the batch tests: generated archives and an offline backend that counts calls."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from service.backends.base import Backend, ExtractionRequest, RawExtraction
from service.backends.offline import OfflineBackend
from service.config import Settings
from service.pipeline import Pipeline


def article(n: int) -> str:
    """A distinct short news text."""
    return (
        f"Police arrested {n + 2} protesters in Lyon on Monday, the interior ministry said. "
        f"Clashes near the city hall lasted {n + 1} hours."
    )


def write_jsonl(path: Path, rows: Iterable[dict[str, Any] | bytes]) -> Path:
    """Write rows (objects, or raw bytes for broken lines) one per line."""
    with path.open("wb") as handle:
        for row in rows:
            raw = row if isinstance(row, bytes) else json.dumps(row).encode("utf-8")
            handle.write(raw + b"\n")
    return path


def output_lines(path: Path) -> list[dict[str, Any]]:
    """The parsed lines of a batch output."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@dataclass
class CountingBackend:
    """Wraps a backend and counts the calls it receives."""

    inner: Backend
    name: str = "offline"
    kind: str = "offline"
    model: str = "rules-v1"
    calls: int = 0
    texts: list[str] = field(default_factory=list)

    async def extract(self, request: ExtractionRequest) -> RawExtraction:
        """Count, then delegate."""
        self.calls += 1
        self.texts.append(request.article.text)
        return await self.inner.extract(request)

    async def aclose(self) -> None:
        """Nothing to release: the shared offline backend is closed by its fixture."""


@pytest.fixture(scope="session")
def offline() -> Iterable[OfflineBackend]:
    """One offline backend for the session (its gazetteer opens once)."""
    instance = OfflineBackend("offline")
    yield instance
    instance.close()


@pytest.fixture
async def counting(offline: OfflineBackend) -> AsyncIterator[CountingBackend]:
    """A fresh call counter around the shared offline backend."""
    yield CountingBackend(offline)


@pytest.fixture
def pipeline(counting: CountingBackend) -> Pipeline:
    """The pipeline over the counting offline backend."""
    return Pipeline(Settings(), {"offline": counting})
