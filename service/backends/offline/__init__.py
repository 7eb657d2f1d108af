"""The offline backend: a deterministic rule system that really reads the article.

No network, no model weights: lexicons (English and French), number words, dates and
an offline gazetteer. The same input gives the same bytes of output.
"""

from __future__ import annotations

import asyncio
import threading

import httpx

from schemas import SummaryDraft
from service.article import Article
from service.backends.base import ExtractionRequest, RawExtraction, register_kind
from service.config import BackendConfig
from service.errors import Usage
from service.normalize.places import Gazetteer

KIND = "offline"
DEFAULT_MODEL = "rules-v1"


class OfflineBackend:
    """The rule-based backend; opens the gazetteer on first use."""

    kind = KIND

    def __init__(self, name: str, model: str = DEFAULT_MODEL) -> None:
        self.name = name
        self.model = model or DEFAULT_MODEL
        self._gazetteer: Gazetteer | None = None
        self._lock = threading.Lock()

    def gazetteer(self) -> Gazetteer:
        """The gazetteer, opened once per backend instance (lazily, never at import)."""
        with self._lock:
            if self._gazetteer is None:
                self._gazetteer = Gazetteer.open()
            return self._gazetteer

    def summarize(self, article: Article) -> SummaryDraft:
        """The draft summary of one article (synchronous, CPU-bound)."""
        from service.backends.offline.extractor import extract

        return extract(article, self.gazetteer())

    async def extract(self, request: ExtractionRequest) -> RawExtraction:
        """Read the article in a worker thread and return a schema-valid draft."""
        draft = await asyncio.to_thread(self.summarize, request.article)
        return RawExtraction(draft=draft, model=self.model, usage=Usage(calls=1))

    def close(self) -> None:
        """Close the gazetteer (it reopens on next use)."""
        with self._lock:
            if self._gazetteer is not None:
                self._gazetteer.close()
                self._gazetteer = None

    async def aclose(self) -> None:
        """Close the gazetteer."""
        self.close()


@register_kind(KIND)
def create(name: str, config: BackendConfig, http_client: httpx.AsyncClient) -> OfflineBackend:
    """Factory for the registry: the offline backend needs no HTTP client."""
    del http_client
    return OfflineBackend(name, config.model)


__all__ = ["OfflineBackend", "create"]
