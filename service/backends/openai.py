"""The 'openai' backend kind: OpenAI, and any server speaking its chat API.

Ollama, vLLM, llama.cpp server, LM Studio and LiteLLM work through `base_url`; such a
server may need no key. `mode` picks how the schema is requested: "tools" (a forced
function call), "json_schema" (`response_format` with the JSON Schema) or "json"
(`response_format: json_object`, the schema in the system message; for Ollama and
llama.cpp servers).

Outcomes: a refusal (`message.refusal`, or `finish_reason` "content_filter") and an
answer cut at `max_tokens` (`finish_reason` "length") are raised as `InvalidOutput`, like
invalid JSON or a schema violation: the pipeline decides whether to re-ask, within its
budget. HTTP failures go through `retry.py`.
"""

from __future__ import annotations

from typing import Any

import httpx
import instructor
import openai
from instructor import AsyncInstructor

from service.backends._llm import Completion, InstructorBackend, conversation, read_usage
from service.backends.base import Backend, ExtractionRequest, RawExtraction, register_kind
from service.config import BackendConfig

MODES = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json": instructor.Mode.JSON,
}


def read_chat_completion(completion: Any) -> Completion:
    """Model, usage, raw answer text, refusal and truncation of a chat completion."""
    tokens = read_usage(completion, "prompt_tokens", "completion_tokens")
    choices = getattr(completion, "choices", None) or []
    if not choices:
        return Completion(model=getattr(completion, "model", None), usage=tokens)
    choice = choices[0]
    message = choice.message
    tool_calls = getattr(message, "tool_calls", None) or []
    raw = tool_calls[0].function.arguments if tool_calls else message.content
    refusal = getattr(message, "refusal", None)
    if not refusal and choice.finish_reason == "content_filter":
        refusal = "the provider's content filter stopped the answer"
    return Completion(
        model=completion.model,
        usage=tokens,
        raw=raw if isinstance(raw, str) else None,
        refusal=refusal,
        truncated=choice.finish_reason == "length",
    )


class OpenAIBackend(InstructorBackend):
    """Structured extraction through the OpenAI chat completions API and instructor."""

    kind = "openai"
    transient = (openai.APIConnectionError,)  # APITimeoutError is one

    def _instructor(
        self, config: BackendConfig, http_client: httpx.AsyncClient, api_key: str
    ) -> AsyncInstructor:
        sdk = openai.AsyncOpenAI(
            api_key=api_key,
            base_url=config.base_url,
            max_retries=0,
            timeout=config.timeout_s,
            # openai 3.x is typed for httpx2 but accepts an httpx client, which respx can
            # intercept and which the app pools per backend (DESIGN.md, Known traps).
            http_client=http_client,  # type: ignore[arg-type]
        )
        return instructor.from_openai(sdk, mode=MODES[config.mode])

    def _read(self, completion: Any) -> Completion:
        return read_chat_completion(completion)

    async def extract(self, request: ExtractionRequest) -> RawExtraction:
        """System and user messages (plus the previous answer and errors on a re-ask)."""
        messages = [{"role": "system", "content": request.prompt.system}, *conversation(request)]
        return await self._call.extract(request, messages)


@register_kind("openai")
def create(name: str, config: BackendConfig, http_client: httpx.AsyncClient) -> Backend:
    """Factory registered for kind 'openai'."""
    return OpenAIBackend(name, config, http_client)
