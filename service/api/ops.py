"""Readiness: `/readyz`, the circuit-breaker hook it reads, and the draining flag.

The hook: a backend may define `circuit_state()` returning "closed", "open" or
"half_open" (or a `CircuitState`), or `available() -> bool` (False means open). A backend
that defines neither is always closed. The service is ready while it is not draining and
at least one backend of the default chain is not open.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from service.api.deps import PipelineDep, SettingsDep
from service.api.problems import PROBLEM, problem

router = APIRouter(tags=["health"])


class CircuitState(IntEnum):
    """A backend's circuit breaker; the values are those of the metrics gauge."""

    CLOSED = 0
    OPEN = 1
    HALF_OPEN = 2

    @property
    def label(self) -> str:
        """The state as JSON shows it: closed, open, half_open."""
        return self.name.lower()


def circuit_state(backend: object) -> CircuitState:
    """What `backend`'s circuit breaker says (closed when it has none)."""
    hook = getattr(backend, "circuit_state", None)
    if callable(hook):
        state = hook()
        return state if isinstance(state, CircuitState) else CircuitState[str(state).upper()]
    available = getattr(backend, "available", None)
    if callable(available) and not available():
        return CircuitState.OPEN
    return CircuitState.CLOSED


class Readiness:
    """Whether the service takes new work: False once it drains for shutdown."""

    def __init__(self) -> None:
        self.draining = False

    def begin_drain(self) -> None:
        """From now on /readyz answers 503 `shutting_down`."""
        self.draining = True


class Ready(BaseModel):
    """The service takes requests."""

    status: str
    backends: dict[str, str]
    """Circuit state of each backend of the default chain."""


_NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {"description": "Shutting down, or no backend of the default chain available",
          "content": {PROBLEM: {}}},
}  # fmt: skip


@router.get("/readyz", response_model=Ready, responses=_NOT_READY)
async def readyz(
    request: Request, settings: SettingsDep, pipeline: PipelineDep
) -> Ready | JSONResponse:
    """Whether to send this instance requests: 503 while it shuts down or every backend
    of the default chain is open-circuited."""
    readiness: Readiness = request.app.state.readiness
    states = {name: circuit_state(pipeline.backends[name]) for name in settings.chain}
    labels = {name: state.label for name, state in states.items()}
    if readiness.draining:
        return problem(
            503, "shutting_down", "Shutting down", "the service is draining", backends=labels
        )
    if all(state is CircuitState.OPEN for state in states.values()):
        return problem(
            503,
            "no_backend_available",
            "No backend available",
            "every backend of the default chain is open-circuited",
            backends=labels,
        )
    return Ready(status="ready", backends=labels)
