"""The 'anthropic' backend kind: the Messages API with a forced tool_use of the schema.

instructor's tools mode (formerly ANTHROPIC_TOOLS) sends SummaryDraft as the one tool and forces it;
the system prompt goes in the `system` parameter. A refusal (`stop_reason` "refusal")
and an answer cut at `max_tokens` (`stop_reason` "max_tokens") are raised as
`InvalidOutput`, like a schema violation: the pipeline decides whether to re-ask.
HTTP failures (429, 529 overloaded, 5xx, timeouts) go through `retry.py`.
"""

from __future__ import annotations

import json
from typing import Any

import anthropic
import httpx
import instructor
from instructor import AsyncInstructor

from service.backends._llm import Completion, InstructorBackend, conversation, read_usage
from service.backends.base import Backend, ExtractionRequest, RawExtraction, register_kind
from service.config import BackendConfig

EMPTY_ANSWER = "(no answer)"
"""Stands in for an empty previous answer: the API refuses empty text blocks."""


def read_message(message: Any) -> Completion:
    """Model, usage, raw answer, refusal and truncation of a Messages API response."""
    tokens = read_usage(message, "input_tokens", "output_tokens")
    blocks = getattr(message, "content", None) or []
    tool_inputs = [b.input for b in blocks if getattr(b, "type", None) == "tool_use"]
    text = "".join(getattr(b, "text", "") for b in blocks if getattr(b, "type", None) == "text")
    raw = json.dumps(tool_inputs[0], ensure_ascii=False) if tool_inputs else (text or None)
    stop_reason = getattr(message, "stop_reason", None)
    refusal = (text or "the model declined") if stop_reason == "refusal" else None
    return Completion(
        model=getattr(message, "model", None),
        usage=tokens,
        raw=raw,
        refusal=refusal,
        truncated=stop_reason == "max_tokens",
    )


class AnthropicBackend(InstructorBackend):
    """Structured extraction through Anthropic's Messages API and instructor."""

    kind = "anthropic"
    transient = (anthropic.APIConnectionError,)  # APITimeoutError is one

    def _instructor(
        self, config: BackendConfig, http_client: httpx.AsyncClient, api_key: str
    ) -> AsyncInstructor:
        sdk = anthropic.AsyncAnthropic(
            api_key=api_key,
            base_url=config.base_url,
            max_retries=0,
            timeout=config.timeout_s,
            http_client=http_client,
        )
        # Mode.TOOLS with an Anthropic client is instructor 1.17's ANTHROPIC_TOOLS (that
        # name is deprecated and warns).
        return instructor.from_anthropic(sdk, mode=instructor.Mode.TOOLS)

    def _read(self, completion: Any) -> Completion:
        return read_message(completion)

    async def extract(self, request: ExtractionRequest) -> RawExtraction:
        """The user turn (plus the previous answer and errors on a re-ask); system apart."""
        messages = conversation(request, empty_answer=EMPTY_ANSWER)
        return await self._call.extract(request, messages, system=request.prompt.system)


@register_kind("anthropic")
def create(name: str, config: BackendConfig, http_client: httpx.AsyncClient) -> Backend:
    """Factory registered for kind 'anthropic'."""
    return AnthropicBackend(name, config, http_client)
