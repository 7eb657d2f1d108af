"""Shared plumbing of the LLM backends: key, messages, one instructor call, outcome mapping.

`InstructorBackend` is the common base of the 'openai' and 'anthropic' kinds: it builds
the instructor client from the provider SDK (subclasses say how), holds the pooled HTTP
client, and runs each extraction through `LLMCall`.

Each `extract` makes exactly one instructor call per HTTP attempt, with instructor's
`max_retries=0` (instructor counts *retries after* the first attempt: 0 means one call,
no self-re-ask). Our retry layer (`retry.py`) repeats failed HTTP attempts, each bounded by
`timeout_s` as a whole (the SDK's timeout bounds each read, not the attempt); the pipeline
owns validation re-asks. Every HTTP attempt takes one call from the request's budget
(`ExtractionRequest.calls`), and the backend's circuit breaker (`breaker.py`) refuses the
call while open and records how it ended. A per-call hook captures the raw completion, so
that an answer that fails to parse can be reported as `InvalidOutput` with its text and
token usage.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx
from instructor import AsyncInstructor, openai_schema
from instructor.core import IncompleteOutputException, InstructorRetryException
from instructor.core.hooks import HookName, Hooks
from pydantic import ValidationError

from schemas import SummaryDraft
from schemas.event import model_facing
from service.backends.base import ExtractionRequest, InvalidOutput, RawExtraction
from service.backends.breaker import CircuitBreaker, Clock
from service.backends.retry import Sleep, call_with_retries
from service.config import DEFAULT_KEY_ENV, BackendConfig
from service.errors import ConfigError, Usage
from service.prompts import render_reask

log = logging.getLogger("service.backends")


class _ModelFacingDraft(SummaryDraft):
    """SummaryDraft as the model is shown it: without the fields the service computes."""

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The draft's schema less offsets, grounding and `grounded` (see `model_facing`)."""
        shown = model_facing(super().model_json_schema(*args, **kwargs))
        shown["description"] = SummaryDraft.model_json_schema()["description"]
        return shown


_ModelFacingDraft.__name__ = _ModelFacingDraft.__qualname__ = SummaryDraft.__name__

RESPONSE_MODEL = openai_schema(_ModelFacingDraft)
"""The draft wrapped for instructor once: passing the bare model makes instructor build a
new wrapper class per call, and so regenerate the large JSON schema on every request."""

PLACEHOLDER_KEY = "not-needed"
"""Sent to OpenAI-compatible servers that need no key (Ollama, llama.cpp, vLLM)."""


def resolve_api_key(name: str, config: BackendConfig) -> str:
    """The key from the environment; a placeholder for a keyless base_url; else ConfigError."""
    key = config.api_key()
    if key is not None:
        return key.get_secret_value()
    if config.base_url:
        return PLACEHOLDER_KEY
    env = config.api_key_env or DEFAULT_KEY_ENV.get(config.kind, "the api_key_env variable")
    raise ConfigError(
        f"backend {name!r} ({config.kind}): no API key; set the environment variable {env} "
        "(or configure a base_url for a server that needs no key)"
    )


def conversation(request: ExtractionRequest, *, empty_answer: str = "") -> list[dict[str, Any]]:
    """User message, and for a re-ask the previous answer and the exact errors."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": request.prompt.user}]
    if request.feedback:
        messages.append({"role": "assistant", "content": request.previous_output or empty_answer})
        reask = render_reask(list(request.feedback), nonce=request.prompt.nonce)
        messages.append({"role": "user", "content": reask})
    return messages


@dataclass(frozen=True)
class Completion:
    """What a provider's raw completion says, read by provider-specific code."""

    model: str | None
    usage: Usage = field(default_factory=Usage)
    raw: str | None = None
    refusal: str | None = None
    truncated: bool = False


ReadCompletion = Callable[[Any], Completion]


def read_usage(response: Any, input_field: str, output_field: str) -> Usage:
    """Token counts of a provider response's `usage` object (zero where absent)."""
    usage = getattr(response, "usage", None)
    return Usage(
        input_tokens=getattr(usage, input_field, 0) or 0,
        output_tokens=getattr(usage, output_field, 0) or 0,
    )


def validation_errors(exc: ValidationError) -> list[str]:
    """Pydantic's own messages, each prefixed with its field path ('events[0].when.date')."""
    errors: list[str] = []
    for error in exc.errors(include_url=False, include_input=False):
        path = ""
        for part in error["loc"]:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        errors.append(f"{path}: {error['msg']}" if path else error["msg"])
    return errors


def _invalid(
    error: BaseException, completion: Completion, *, calls: int, model: str, max_tokens: int
) -> InvalidOutput:
    usage = Usage(completion.usage.input_tokens, completion.usage.output_tokens, calls)
    if completion.refusal:
        message = "the model refused to answer"
        errors = [f"{message}: {completion.refusal[:300]}"]
    elif completion.truncated:
        message = "output truncated"
        errors = [
            f"the output was truncated at max_tokens={max_tokens} and is incomplete: return "
            "the whole object, shorter (fewer or shorter quotes and descriptions)"
        ]
    elif isinstance(error, ValidationError) and error.title == SummaryDraft.__name__:
        message = "output failed schema validation"
        errors = validation_errors(error)
    else:
        message = "no structured output"
        errors = ["the answer held no SummaryDraft object: return exactly one, as specified"]
    return InvalidOutput(
        message, errors=errors, raw=completion.raw, usage=usage, model=completion.model or model
    )


@dataclass
class LLMCall:
    """One backend's instructor client and what one extract needs beyond the request."""

    name: str
    config: BackendConfig
    client: AsyncInstructor
    read: ReadCompletion
    transient: tuple[type[BaseException], ...]
    breaker: CircuitBreaker
    sleep: Sleep = asyncio.sleep
    rng: random.Random | None = None

    def _invalid(
        self, error: BaseException, completions: list[Any], calls: int, request: ExtractionRequest
    ) -> InvalidOutput:
        return _invalid(
            error,
            self.read(completions[-1]),
            calls=calls,
            model=self.config.model,
            max_tokens=request.max_output_tokens,
        )

    async def extract(
        self, request: ExtractionRequest, messages: list[dict[str, Any]], **extra: Any
    ) -> RawExtraction:
        """One extraction: HTTP attempts under our retry policy, outcome mapped."""
        calls = 0

        async def attempt() -> tuple[SummaryDraft, Any]:
            nonlocal calls
            if request.calls is not None:
                request.calls.take(self.name, attempts=calls)
            calls += 1
            captured: list[Any] = []
            hooks = Hooks()
            hooks.on(HookName.COMPLETION_RESPONSE, captured.append)
            try:
                return await self.client.create_with_completion(
                    messages=messages,  # type: ignore[arg-type]
                    response_model=RESPONSE_MODEL,
                    max_retries=0,
                    strict=False,
                    hooks=hooks,
                    model=self.config.model,
                    max_tokens=request.max_output_tokens,
                    temperature=0,
                    **extra,
                )
            except IncompleteOutputException as exc:
                raise self._invalid(
                    exc, captured or [exc.last_completion], calls, request
                ) from None
            except InstructorRetryException as exc:
                if not captured and exc.__cause__ is not None:
                    raise exc.__cause__ from None  # the HTTP call failed: retry.py classifies it
                completions = captured or [exc.last_completion]
                raise self._invalid(exc.__cause__ or exc, completions, calls, request) from None

        try:
            with self.breaker.guard():
                (draft, completion), attempts = await call_with_retries(
                    self.name,
                    self.config.retry,
                    attempt,
                    deadline=request.deadline,
                    attempt_timeout=self.config.timeout_s,
                    key_env=self.config.api_key_env,
                    transient=self.transient,
                    sleep=self.sleep,
                    rng=self.rng,
                )
        except InvalidOutput as exc:
            log.warning(
                "backend %s: invalid output (%s, %d error(s)) after %d call(s)",
                self.name,
                exc.args[0],
                len(exc.errors),
                exc.usage.calls,
            )
            raise
        answer = self.read(completion)
        # instructor returns an instance of its own subclass of the model, holding the raw
        # completion: hand the pipeline a plain SummaryDraft.
        draft = SummaryDraft.model_validate(draft.model_dump())
        usage = Usage(answer.usage.input_tokens, answer.usage.output_tokens, attempts)
        log.info(
            "backend %s: draft with %d event(s), %d call(s), %d+%d tokens",
            self.name,
            len(draft.events),
            attempts,
            usage.input_tokens,
            usage.output_tokens,
        )
        return RawExtraction(draft=draft, model=answer.model or self.config.model, usage=usage)


class InstructorBackend:
    """Base of the LLM backends: one provider SDK client, wrapped by instructor.

    Subclasses set `kind` and `transient` (the SDK's connection/timeout error types) and
    implement `_instructor` (build the SDK client and wrap it), `_read` (read a raw
    completion) and `extract` (the provider's message layout).
    """

    kind: str
    transient: ClassVar[tuple[type[BaseException], ...]] = ()

    def __init__(
        self,
        name: str,
        config: BackendConfig,
        http_client: httpx.AsyncClient,
        *,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.name = name
        self.model = config.model
        self.max_output_tokens = config.max_output_tokens
        self._http = http_client
        api_key = resolve_api_key(name, config)
        self.breaker = (
            CircuitBreaker(name, config.breaker)
            if clock is None
            else CircuitBreaker(name, config.breaker, clock)
        )
        self._call = LLMCall(
            name=name,
            config=config,
            client=self._instructor(config, http_client, api_key),
            read=self._read,
            transient=self.transient,
            breaker=self.breaker,
            sleep=sleep,
            rng=rng,
        )
        quiet_library_logs()

    def circuit_state(self) -> str:
        """ "closed", "open" or "half_open": read by /readyz and /metrics."""
        return self.breaker.circuit_state()

    def _instructor(
        self, config: BackendConfig, http_client: httpx.AsyncClient, api_key: str
    ) -> AsyncInstructor:
        """The instructor client over the provider SDK, built with `max_retries=0`."""
        raise NotImplementedError

    def _read(self, completion: Any) -> Completion:
        """What the provider's raw completion says."""
        raise NotImplementedError

    async def extract(self, request: ExtractionRequest) -> RawExtraction:
        """Return a schema-valid draft, or raise BackendError / InvalidOutput."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """Close the pooled HTTP client this backend was given."""
        await self._http.aclose()


class _DropRecords(logging.Filter):
    """Drops library log records that quote prompts, article text or model output."""

    def __init__(self, prefixes: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.prefixes = prefixes

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.prefixes:
            return False
        return not str(record.msg).startswith(self.prefixes)


_QUIET = {
    # Its ERROR lines repeat the SDK error body and pydantic errors with input values:
    # our own errors carry that information without the article text.
    "instructor.v2.retry": (),
    # At DEBUG, the SDKs log the request options: every message, the article included.
    "openai._base_client": ("Request options",),
    "anthropic._base_client": ("Request options",),
}


def quiet_library_logs() -> None:
    """Keep third-party loggers from echoing prompts or model output (idempotent)."""
    for name, prefixes in _QUIET.items():
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropRecords) for f in logger.filters):
            logger.addFilter(_DropRecords(prefixes))
