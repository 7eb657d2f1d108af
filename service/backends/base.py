"""The backend interface, the request it receives, and the registry of backend kinds."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import httpx

from schemas import SummaryDraft
from service.article import Article
from service.errors import BackendError, ConfigError, SummarizerError, Usage

if TYPE_CHECKING:
    from service.config import BackendConfig
    from service.prompts import RenderedPrompt


class CallCapReached(BackendError):
    """The request has made every upstream call it may (`Settings.max_upstream_calls`)."""

    code = "upstream_call_cap"


class CallBudget:
    """The upstream HTTP calls one request may make, across retries, re-asks, chunks and
    backends: every HTTP attempt takes one, and past the cap none is made."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def take(self, backend: str, *, attempts: int = 0) -> None:
        """Count one HTTP attempt of `backend`, or raise CallCapReached past the cap.

        `attempts` is how many calls this backend call has made already (for the error).
        """
        if self.used >= self.limit:
            raise CallCapReached(
                f"the request has made its {self.limit} upstream call(s) "
                "(max_upstream_calls); no more are made",
                backend=backend,
                attempts=attempts,
                retryable=False,
            )
        self.used += 1


@dataclass(frozen=True)
class ExtractionRequest:
    """One call to a backend: the article, the rendered prompt and any re-ask feedback."""

    article: Article
    prompt: RenderedPrompt
    max_output_tokens: int = 4096
    feedback: tuple[str, ...] = ()
    previous_output: str | None = None
    deadline: float | None = None
    """`time.monotonic()` value after which the backend must give up."""
    calls: CallBudget | None = None
    """The request's upstream-call budget, shared by every backend call it makes."""


@dataclass
class RawExtraction:
    """What a backend returns: a schema-valid draft, before grounding."""

    draft: SummaryDraft
    model: str
    usage: Usage = field(default_factory=Usage)


class InvalidOutput(SummarizerError):
    """The backend answered, but its output is not a schema-valid draft.

    The pipeline re-asks with `errors`; `usage` counts what the failed answer cost.
    """

    code = "invalid_output"

    def __init__(
        self, message: str, *, errors: list[str], raw: str | None, usage: Usage, model: str
    ) -> None:
        super().__init__(message)
        self.errors = errors
        self.raw = raw
        self.usage = usage
        self.model = model


class Backend(Protocol):
    """Anything that turns an extraction request into a draft summary."""

    name: str
    kind: str
    model: str

    async def extract(self, request: ExtractionRequest) -> RawExtraction:
        """Return a schema-valid draft, or raise BackendError / InvalidOutput."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


BackendFactory = Callable[[str, "BackendConfig", httpx.AsyncClient], Backend]

_FACTORIES: dict[str, BackendFactory] = {}


def register_kind(kind: str) -> Callable[[BackendFactory], BackendFactory]:
    """Register a factory for a backend kind ('openai', 'anthropic', 'offline')."""

    def decorator(factory: BackendFactory) -> BackendFactory:
        _FACTORIES[kind] = factory
        return factory

    return decorator


_BUILTIN_KINDS = {
    "offline": "service.backends.offline",
    "openai": "service.backends.openai",
    "anthropic": "service.backends.anthropic",
}


def known_kinds() -> list[str]:
    """Backend kinds that can be configured."""
    return sorted(set(_FACTORIES) | set(_BUILTIN_KINDS))


def create_backend(name: str, config: BackendConfig, http_client: httpx.AsyncClient) -> Backend:
    """Build a configured backend by its kind."""
    if config.kind not in _FACTORIES and config.kind in _BUILTIN_KINDS:
        # Imported on demand so that the core never loads a provider SDK it does not use.
        importlib.import_module(_BUILTIN_KINDS[config.kind])
    try:
        factory = _FACTORIES[config.kind]
    except KeyError:
        raise ConfigError(
            f"backend {name!r}: unknown kind {config.kind!r} (known: {', '.join(known_kinds())})"
        ) from None
    return factory(name, config, http_client)
