"""A scripted backend for pipeline and API tests: each call pops the next outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from schemas import SummaryDraft
from service.backends.base import ExtractionRequest, InvalidOutput, RawExtraction
from service.errors import SummarizerError, Usage

ARTICLE = (
    "Police arrested 12 protesters in Lyon on Monday, the interior ministry said. "
    "Two officers were injured during the clashes near the city hall."
)


def draft(**overrides: Any) -> SummaryDraft:
    """A valid draft of ARTICLE; `overrides` replace top-level fields."""
    data: dict[str, Any] = {
        "headline": "Ministry says police arrested 12 protesters in Lyon",
        "summary": "The interior ministry says police arrested 12 protesters in Lyon.",
        "language": "en",
        "events": [
            {
                "id": "e1",
                "event_type": "Strategic developments",
                "sub_event_type": "Arrests",
                "description": "Police arrested protesters in Lyon.",
                "evidence": [{"quote": "Police arrested 12 protesters in Lyon"}],
                "when": {
                    "text": "on Monday",
                    "date": "2025-03-03",
                    "precision": "day",
                    "derivation": "relative_resolved",
                    "evidence": [{"quote": "on Monday"}],
                },
                "where": {
                    "name": "Lyon",
                    "locality": "Lyon",
                    "country": "France",
                    "country_code": "FR",
                    "precision": 1,
                    "evidence": [{"quote": "in Lyon"}],
                },
                "figures": [
                    {
                        "kind": "captured_or_arrested",
                        "value": 12,
                        "raw": "arrested 12 protesters",
                        "claimed_by": "interior ministry",
                        "evidence": [{"quote": "arrested 12 protesters"}],
                    }
                ],
                "attribution": {
                    "source": "interior ministry",
                    "source_type": "official",
                    "status": "claimed",
                    "evidence": [{"quote": "the interior ministry said"}],
                },
                "modality": "asserted",
            }
        ],
    }
    data.update(overrides)
    return SummaryDraft.model_validate(data)


@dataclass
class ScriptedBackend:
    """Returns the scripted outcomes in turn: a draft, an exception, or a delay."""

    outcomes: Sequence[SummaryDraft | SummarizerError | float]
    name: str = "scripted"
    kind: str = "openai"
    model: str = "scripted-model"
    requests: list[ExtractionRequest] = field(default_factory=list)
    closed: bool = False

    async def extract(self, request: ExtractionRequest) -> RawExtraction:
        self.requests.append(request)
        outcome = self.outcomes[min(len(self.requests), len(self.outcomes)) - 1]
        if isinstance(outcome, float):
            await asyncio.sleep(outcome)
            return RawExtraction(draft=draft(), model=self.model, usage=Usage(10, 5, 1))
        if isinstance(outcome, SummarizerError):
            raise outcome
        return RawExtraction(draft=outcome, model=self.model, usage=Usage(100, 50, 1))

    async def aclose(self) -> None:
        self.closed = True


def invalid(errors: list[str]) -> InvalidOutput:
    """An InvalidOutput as a backend raises it for schema-invalid output."""
    return InvalidOutput("invalid", errors=errors, raw='{"headline": 1}', usage=Usage(80, 20, 1),
                         model="scripted-model")  # fmt: skip
