"""The 'anthropic' backend kind: the Messages API with a forced tool_use of the schema.

instructor's tools mode (formerly ANTHROPIC_TOOLS) sends SummaryDraft as the one tool and forces it;
the system prompt goes in the `system` parameter. A refusal (`stop_reason` "refusal")
and an answer cut at `max_tokens` (`stop_reason` "max_tokens") are raised as
`InvalidOutput`, like a schema violation: the pipeline decides whether to re-ask.
HTTP failures (429, 529 overloaded, 5xx, timeouts) go through `retry.py`.
"""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import anthropic
import httpx
import instructor

from service.backends._llm import (
    Completion,
    LLMCall,
    conversation,
    quiet_library_logs,
    resolve_api_key,
)
from service.backends.base import Backend, ExtractionRequest, RawExtraction, register_kind
from service.backends.retry import Sleep
from service.config import BackendConfig
from service.errors import Usage

EMPTY_ANSWER = "(no answer)"
"""Stands in for an empty previous answer: the API refuses empty text blocks."""


def read_message(message: Any) -> Completion:
    """Model, usage, raw answer, refusal and truncation of a Messages API response."""
    usage = getattr(message, "usage", None)
    tokens = Usage(
        input_tokens=getattr(usage, "input_tokens", 0) or 0,
        output_tokens=getattr(usage, "output_tokens", 0) or 0,
    )
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


class AnthropicBackend:
    """Structured extraction through Anthropic's Messages API and instructor."""

    kind = "anthropic"

    def __init__(
        self,
        name: str,
        config: BackendConfig,
        http_client: httpx.AsyncClient,
        *,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.name = name
        self.model = config.model
        self._http = http_client
        sdk = anthropic.AsyncAnthropic(
            api_key=resolve_api_key(name, config),
            base_url=config.base_url,
            max_retries=0,
            timeout=config.timeout_s,
            http_client=http_client,
        )
        self._call = LLMCall(
            name=name,
            config=config,
            # Mode.TOOLS with an Anthropic client is instructor 1.17's ANTHROPIC_TOOLS (that
            # name is deprecated and warns).
            client=instructor.from_anthropic(sdk, mode=instructor.Mode.TOOLS),
            read=read_message,
            transient=(anthropic.APIConnectionError,),  # APITimeoutError is one
            sleep=sleep,
            rng=rng,
        )
        quiet_library_logs()

    async def extract(self, request: ExtractionRequest) -> RawExtraction:
        """The user turn (plus the previous answer and errors on a re-ask); system apart."""
        messages = conversation(request, empty_answer=EMPTY_ANSWER)
        return await self._call.extract(request, messages, system=request.prompt.system)

    async def aclose(self) -> None:
        """Close the pooled HTTP client this backend was given."""
        await self._http.aclose()


@register_kind("anthropic")
def create(name: str, config: BackendConfig, http_client: httpx.AsyncClient) -> Backend:
    """Factory registered for kind 'anthropic'."""
    return AnthropicBackend(name, config, http_client)
