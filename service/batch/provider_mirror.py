"""The synchronous backend, run in process, so that batch requests and answers match it.

A batch request must be the very request the synchronous backend sends (model, system
prompt, user message, the SummaryDraft tool or JSON schema, max tokens, temperature),
and a batch answer must be read the way the synchronous backend reads its answer. Rather
than rebuild either, `SyncMirror` builds the configured backend over an in-process
transport that never reaches the network:

- to *record*, the transport keeps the request body the backend sends and answers 400;
- to *replay*, it answers with a provider response body taken from a batch result, so
  the backend's own parsing (instructor, refusal and truncation checks, usage) applies.

The request is recorded once, for placeholder prompts, as a `RequestTemplate`; each
record's request is the template with its own system and user messages put in place.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

import httpx

from service.article import Article
from service.backends.base import Backend, ExtractionRequest, RawExtraction, create_backend
from service.config import BackendConfig
from service.errors import BackendError, ConfigError
from service.prompts import RenderedPrompt, prompt_version

NOT_SENT = {"error": {"type": "invalid_request_error", "message": "recorded, not sent"}}
_PLACEHOLDER_ARTICLE = Article(text="placeholder")
_REPLAY_PROMPT = RenderedPrompt(system="replay", user="replay", nonce="", version="")


@dataclass(frozen=True)
class RequestTemplate:
    """A recorded request body (JSON) holding one token for each message to put in."""

    text: str
    tokens: dict[str, str]
    """token -> "system" or "user"."""

    def fill(self, prompt: RenderedPrompt) -> str:
        """The request body (JSON) for one rendered prompt."""
        values = {"system": _json_inner(prompt.system), "user": _json_inner(prompt.user)}
        pattern = "|".join(map(re.escape, self.tokens))
        return re.sub(pattern, lambda match: values[self.tokens[match.group()]], self.text)


def _json_inner(text: str) -> str:
    """`text` escaped as the inside of a JSON string literal."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _canonical(body: bytes) -> str:
    return json.dumps(json.loads(body), ensure_ascii=False, separators=(",", ":"))


class SyncMirror:
    """The backend `name`, built from its configuration over an in-process transport."""

    def __init__(self, name: str, config: BackendConfig) -> None:
        self.name = name
        self.max_output_tokens = config.max_output_tokens
        self._answer: dict[str, Any] | None = None
        self._recorded: list[bytes] = []
        self._lock = asyncio.Lock()
        self._http = httpx.AsyncClient(transport=httpx.MockTransport(self._handle))
        self.backend: Backend = create_backend(name, config, self._http)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        if self._answer is None:
            self._recorded.append(request.content)
            return httpx.Response(400, json=NOT_SENT)
        return httpx.Response(200, json=self._answer)

    async def record(self, prompt: RenderedPrompt) -> str:
        """The request body (JSON) the backend sends for `prompt`."""
        request = ExtractionRequest(
            article=_PLACEHOLDER_ARTICLE, prompt=prompt, max_output_tokens=self.max_output_tokens
        )
        async with self._lock:
            self._recorded.clear()
            try:
                await self.backend.extract(request)
            except BackendError:
                pass
        if len(self._recorded) != 1:
            raise ConfigError(f"backend {self.name!r}: its request could not be recorded")
        return _canonical(self._recorded[0])

    async def template(self) -> RequestTemplate | None:
        """The request as a template; None when the messages cannot be located in it."""
        tokens = {f"@@{role}-{secrets.token_hex(12)}@@": role for role in ("system", "user")}
        by_role = {role: token for token, role in tokens.items()}
        placeholder = RenderedPrompt(
            system=by_role["system"], user=by_role["user"], nonce="", version=prompt_version()
        )
        text = await self.record(placeholder)
        if any(text.count(token) != 1 for token in tokens):
            return None
        return RequestTemplate(text=text, tokens=tokens)

    async def parse(self, article: Article, body: dict[str, Any]) -> RawExtraction:
        """Read a provider response body as the backend reads its own answers.

        Raises InvalidOutput (refusal, truncation, invalid JSON, schema errors) like the
        synchronous call would.
        """
        request = ExtractionRequest(
            article=article, prompt=_REPLAY_PROMPT, max_output_tokens=self.max_output_tokens
        )
        async with self._lock:  # one answer at a time goes through the transport
            self._answer = body
            try:
                return await self.backend.extract(request)
            finally:
                self._answer = None

    async def aclose(self) -> None:
        """Release the in-process client."""
        await self._http.aclose()
