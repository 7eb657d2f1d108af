"""A scriptable fake LLM server on 127.0.0.1: OpenAI chat completions and Anthropic Messages.

Point a backend at it through `base_url` and script what each request gets:

    with FakeLLM() as fake:                       # a background thread, for sync callers
        fake.script(CHAT, status(429, headers={"retry-after": "2"}), ok(draft))
        config = fake.backend_config("openai", mode="tools")
        ...
        assert fake.count(CHAT) == 2

    async with FakeLLM(default=delay(0.2, then=ok())) as fake:   # on the running loop
        ...

Each endpoint (`CHAT` = POST /v1/chat/completions, `MESSAGES` = POST /v1/messages) pops
the next scripted `Reply`, or answers with the default one when its queue is empty.
Answers follow the recorded provider shapes (tests/fixtures/providers): a structured
answer is a tool call named as the request's `tool_choice` asks, JSON content for
`response_format`, or an Anthropic `tool_use` block; errors use each provider's error
envelope. Every request is counted and captured (`calls`), secret header values redacted.
Cheap per request for benchmarks: no logging, each reply's answer text built once.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web

from schemas import SummaryDraft
from service.config import BackendConfig
from tests.support.fakes import draft as sample_draft

Endpoint = Literal["chat", "messages"]
Kind = Literal[
    "ok",
    "status",
    "delay",
    "stall",
    "disconnect",
    "invalid_json",
    "schema_invalid",
    "truncated",
    "refusal",
]
Tokens = tuple[int, int]
"""(input, output) tokens reported in an answer's usage."""
CHAT: Endpoint = "chat"
MESSAGES: Endpoint = "messages"
ENDPOINTS: tuple[Endpoint, ...] = (CHAT, MESSAGES)

REDACTED = "<redacted>"
SECRET_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "proxy-authorization"})
DEFAULT_USAGE: Tokens = (1200, 300)
"""Tokens reported by every answer unless the reply or the server says otherwise."""
REFUSAL_TEXT = "I'm very sorry, but I can't assist with that."

_OPENAI_ERRORS: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "Invalid value for 'messages': malformed request."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    403: ("invalid_request_error", "unsupported_country_region_territory", "Forbidden."),
    404: ("invalid_request_error", "model_not_found", "The model does not exist."),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached for requests per min (RPM)."),
    500: ("server_error", None, "The server had an error while processing your request."),
    503: ("server_error", None, "The engine is currently overloaded, please try again later."),
}
_UNPARSABLE = {
    CHAT: "We could not parse the JSON body of your request. (HINT: This likely means you "
    "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)",
    MESSAGES: "Invalid JSON in the request body",
}
_ANTHROPIC_ERRORS: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "messages: the request is malformed"),
    401: ("authentication_error", "invalid x-api-key"),
    403: ("permission_error", "Your API key does not have permission to use the resource."),
    404: ("not_found_error", "model: not found"),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    429: ("rate_limit_error", "Number of requests has exceeded your per-minute rate limit."),
    500: ("api_error", "Internal server error"),
    529: ("overloaded_error", "Overloaded"),
}


@dataclass(frozen=True)
class Reply:
    """One scripted answer; built by `ok`, `status`, `delay`, `stall`, `disconnect`,
    `invalid_json`, `schema_invalid`, `truncated` or `refusal`."""

    kind: Kind
    obj: Mapping[str, Any] | None = None
    """The structured answer (a tool call's arguments, JSON content, a tool_use input)."""
    text: str | None = None
    """The answer as text: `obj` serialised, cut JSON, broken JSON or the refusal."""
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    seconds: float = 0.0
    then: Reply | None = None
    usage: Tokens | None = None
    model: str | None = None


def _as_obj(value: SummaryDraft | Mapping[str, Any] | None) -> dict[str, Any]:
    if value is None:
        value = sample_draft()
    if isinstance(value, SummaryDraft):
        return value.model_dump(mode="json", exclude_none=True)
    return dict(value)


def ok(
    draft: SummaryDraft | Mapping[str, Any] | None = None,
    *,
    usage: Tokens | None = None,
    model: str | None = None,
) -> Reply:
    """A 200 answer carrying `draft` (default: `tests.support.fakes.draft()`) as asked."""
    obj = _as_obj(draft)
    text = json.dumps(obj, ensure_ascii=False)
    return Reply("ok", obj=obj, text=text, usage=usage, model=model)


def status(code: int, headers: Mapping[str, str] | None = None, body: Any = None) -> Reply:
    """An HTTP error (or any status): `body` defaults to the provider's real error shape.

    A dict body is sent as JSON; a str or bytes body as it is.
    """
    return Reply("status", status=code, headers=dict(headers or {}), body=body)


def delay(seconds: float, then: Reply | None = None) -> Reply:
    """Wait `seconds`, then answer with `then` (default: the endpoint's default reply)."""
    return Reply("delay", seconds=seconds, then=then)


def stall() -> Reply:
    """Accept the request and never answer, until the client gives up or the server stops."""
    return Reply("stall")


def disconnect() -> Reply:
    """Close the connection without an answer (the client sees a connection error)."""
    return Reply("disconnect")


def invalid_json(
    text: str = '{"headline": "Ministry says police arrested',
    *,
    usage: Tokens | None = None,
    model: str | None = None,
) -> Reply:
    """A 200 answer whose structured output is not JSON (Anthropic: a text block)."""
    return Reply("invalid_json", text=text, usage=usage, model=model)


def schema_invalid(
    obj: Mapping[str, Any] | None = None,
    *,
    usage: Tokens | None = None,
    model: str | None = None,
) -> Reply:
    """A 200 answer with well-formed JSON that breaks the schema (default: bad language)."""
    bad = dict(obj) if obj is not None else {**_as_obj(None), "language": "english"}
    text = json.dumps(bad, ensure_ascii=False)
    return Reply("schema_invalid", obj=bad, text=text, usage=usage, model=model)


def truncated(
    draft: SummaryDraft | Mapping[str, Any] | None = None,
    *,
    usage: Tokens | None = None,
    model: str | None = None,
) -> Reply:
    """An answer cut at max_tokens: finish_reason "length" with half the JSON (OpenAI),
    stop_reason "max_tokens" with the fields written so far (Anthropic)."""
    obj = _as_obj(draft)
    text = json.dumps(obj, ensure_ascii=False)
    cut = text[: len(text) // 2]
    partial = {
        k: v for k, v in obj.items() if f'"{k}": ' + json.dumps(v, ensure_ascii=False) in cut
    }
    return Reply("truncated", obj=partial, text=cut, usage=usage, model=model)


def refusal(
    text: str = REFUSAL_TEXT, *, usage: Tokens | None = None, model: str | None = None
) -> Reply:
    """The model declines: OpenAI `message.refusal`; Anthropic stop_reason "refusal"."""
    return Reply("refusal", text=text, usage=usage, model=model)


@dataclass(frozen=True)
class Call:
    """One request the server received."""

    endpoint: Endpoint
    headers: dict[str, str]
    """Lower-cased names; the values of authorization / x-api-key are redacted."""
    body: Any
    """The parsed JSON body (None when it was not JSON)."""
    at: float
    """`time.monotonic()` when it arrived."""


class FakeLLM:
    """The server: a script of replies per endpoint, the calls received, its URLs."""

    def __init__(
        self,
        *,
        default: Reply | None = None,
        usage: Tokens = DEFAULT_USAGE,
        model: str | None = None,
        capture_bodies: bool = True,
    ) -> None:
        self.usage = usage
        self.model = model
        """The model named in answers; None echoes the request's model."""
        self.capture_bodies = capture_bodies
        self._initial_default = default or ok()
        self._defaults: dict[str, Reply] = dict.fromkeys(ENDPOINTS, self._initial_default)
        self._queues: dict[str, deque[Reply]] = {e: deque() for e in ENDPOINTS}
        self._calls: list[Call] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._closing: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- URLs and configuration ----------------------------------------------------

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL (`http://127.0.0.1:PORT/v1`)."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def anthropic_base_url(self) -> str:
        """The Anthropic-style base URL (`http://127.0.0.1:PORT`)."""
        return f"http://127.0.0.1:{self.port}"

    def backend_config(self, kind: Literal["openai", "anthropic"], **fields: Any) -> BackendConfig:
        """A backend of `kind` pointed at this server; `fields` override the rest."""
        values: dict[str, Any] = {
            "kind": kind,
            "model": "gpt-4o" if kind == "openai" else "claude-haiku-4-5",
            "base_url": self.base_url if kind == "openai" else self.anthropic_base_url,
        }
        values.update(fields)
        return BackendConfig.model_validate(values)

    # -- script and captured calls -------------------------------------------------

    def script(self, endpoint: Endpoint, *replies: Reply) -> None:
        """Queue `replies` for the next requests to `endpoint`, in order."""
        with self._lock:
            self._queues[endpoint].extend(replies)

    def set_default(self, reply: Reply, endpoint: Endpoint | None = None) -> None:
        """The reply given when the queue of `endpoint` (or of every endpoint) is empty."""
        with self._lock:
            for name in (endpoint,) if endpoint else ENDPOINTS:
                self._defaults[name] = reply

    def pending(self, endpoint: Endpoint) -> int:
        """Scripted replies not yet consumed."""
        with self._lock:
            return len(self._queues[endpoint])

    @property
    def calls(self) -> list[Call]:
        """The requests received so far, oldest first."""
        with self._lock:
            return list(self._calls)

    def count(self, endpoint: Endpoint | None = None) -> int:
        """How many requests reached `endpoint` (or any endpoint)."""
        with self._lock:
            if endpoint is None:
                return len(self._calls)
            return sum(1 for call in self._calls if call.endpoint == endpoint)

    def reset(self) -> None:
        """Forget the calls and the queued replies; restore the initial default."""
        with self._lock:
            self._calls.clear()
            for name in ENDPOINTS:
                self._queues[name].clear()
                self._defaults[name] = self._initial_default

    def _take(self, endpoint: Endpoint, call: Call) -> Reply:
        with self._lock:
            self._calls.append(call)
            queue = self._queues[endpoint]
            return queue.popleft() if queue else self._defaults[endpoint]

    # -- serving -------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on a free loopback port, on the running event loop."""
        self._closing = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/messages", self._messages)
        app.router.add_get("/v1/models", self._models)
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await runner.setup()
        self._runner = runner
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
            await web.SockSite(runner, sock, backlog=1024).start()
        except BaseException:
            sock.close()
            await self.stop()
            raise

    async def stop(self) -> None:
        """Release stalled requests and stop listening."""
        if self._closing is not None:
            self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeLLM:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def __enter__(self) -> FakeLLM:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=self._run_loop, name="fake-llm", daemon=True)
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self.start(), loop).result(timeout=10)
        except BaseException:
            self._stop_thread()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        loop = self._loop
        assert loop is not None, "not started with `with`"
        try:
            asyncio.run_coroutine_threadsafe(self.stop(), loop).result(timeout=10)
        finally:
            self._stop_thread()

    def _stop_thread(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
        self._loop = self._thread = None

    def _run_loop(self) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    # -- handlers ------------------------------------------------------------------

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        return await self._handle(request, CHAT)

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        return await self._handle(request, MESSAGES)

    async def _models(self, request: web.Request) -> web.StreamResponse:  # noqa: ARG002
        model = {"id": self.model or "gpt-4o", "object": "model", "created": 0, "owned_by": "fake"}
        return web.json_response({"object": "list", "data": [model]})

    async def _handle(self, request: web.Request, endpoint: Endpoint) -> web.StreamResponse:
        raw = await request.read()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        headers = {
            k.lower(): (REDACTED if k.lower() in SECRET_HEADERS else v)
            for k, v in request.headers.items()
        }
        call = Call(endpoint, headers, body if self.capture_bodies else None, time.monotonic())
        if not isinstance(body, dict):
            with self._lock:
                self._calls.append(call)
            return self._error(endpoint, status(400), _UNPARSABLE[endpoint])
        reply = self._take(endpoint, call)
        while reply.kind == "delay":
            await asyncio.sleep(reply.seconds)
            reply = reply.then or self._defaults[endpoint]
        if reply.kind == "stall":
            assert self._closing is not None
            await self._closing.wait()
            return self._error(endpoint, status(503), None)
        if reply.kind == "disconnect":
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError
        if reply.kind == "status":
            return self._error(endpoint, reply, None)
        n = next(self._ids)
        answer = _chat_answer if endpoint == CHAT else _messages_answer
        data = answer(body, reply, n, reply.model or self.model, reply.usage or self.usage)
        return web.Response(
            body=json.dumps(data, ensure_ascii=False).encode(),
            content_type="application/json",
            headers=_request_id(endpoint, n),
        )

    def _error(self, endpoint: Endpoint, reply: Reply, message: str | None) -> web.Response:
        n = next(self._ids)
        headers = {**_request_id(endpoint, n), **reply.headers}
        body = reply.body
        if body is None:
            body = _error_body(endpoint, reply.status, message, n)
        if isinstance(body, dict | list):
            headers.setdefault("content-type", "application/json")
            body = json.dumps(body)
        raw = body.encode() if isinstance(body, str) else body
        return web.Response(status=reply.status, body=raw, headers=headers)


def _request_id(endpoint: Endpoint, n: int) -> dict[str, str]:
    return {"x-request-id" if endpoint == CHAT else "request-id": f"req_fake{n:024d}"}


def _error_body(endpoint: Endpoint, code: int, message: str | None, n: int) -> dict[str, Any]:
    """The provider's error envelope for `code`."""
    if endpoint == CHAT:
        fallback = (
            "server_error" if code >= 500 else "invalid_request_error",
            None,
            f"HTTP {code}",
        )
        kind, error_code, text = _OPENAI_ERRORS.get(code, fallback)
        error = {"message": message or text, "type": kind, "param": None, "code": error_code}
        return {"error": error}
    kind, text = _ANTHROPIC_ERRORS.get(
        code, ("api_error" if code >= 500 else "invalid_request_error", f"HTTP {code}")
    )
    return {
        "type": "error",
        "error": {"type": kind, "message": message or text},
        "request_id": f"req_fake{n:024d}",
    }


def _chat_answer(
    body: dict[str, Any], reply: Reply, n: int, model: str | None, usage: Tokens
) -> dict[str, Any]:
    """A `chat.completion` object answering `body` with `reply`."""
    message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
    finish = "stop"
    choice = body.get("tool_choice")
    tools = body.get("tools") or []
    if reply.kind == "refusal":
        message["refusal"] = reply.text
    elif tools:
        name = (choice.get("function") or {}).get("name") if isinstance(choice, dict) else None
        call = {"name": name or tools[0]["function"]["name"], "arguments": reply.text}
        message["tool_calls"] = [{"id": f"call_fake{n:019d}", "type": "function", "function": call}]
        finish = "stop" if name else "tool_calls"  # a forced function call ends with "stop"
    else:
        message["content"] = reply.text
    if reply.kind == "truncated":
        finish = "length"
    return {
        "id": f"chatcmpl-fake{n:020d}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model or body.get("model") or "gpt-4o",
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        "usage": {
            "prompt_tokens": usage[0],
            "completion_tokens": usage[1],
            "total_tokens": usage[0] + usage[1],
            "completion_tokens_details": {"reasoning_tokens": 0},
        },
        "system_fingerprint": "fp_fakellm",
    }


def _messages_answer(
    body: dict[str, Any], reply: Reply, n: int, model: str | None, usage: Tokens
) -> dict[str, Any]:
    """A Messages API `message` answering `body` with `reply`."""
    choice = body.get("tool_choice")
    tools = body.get("tools") or []
    content: list[dict[str, Any]]
    if reply.kind == "refusal":
        content, stop = ([{"type": "text", "text": reply.text}] if reply.text else []), "refusal"
    elif tools and reply.kind != "invalid_json":
        name = choice.get("name") if isinstance(choice, dict) else None
        block = {"type": "tool_use", "id": f"toolu_fake{n:016d}", "name": name or tools[0]["name"]}
        content, stop = [{**block, "input": reply.obj}], "tool_use"
    else:
        content, stop = [{"type": "text", "text": reply.text}], "end_turn"
    if reply.kind == "truncated":
        stop = "max_tokens"
    return {
        "id": f"msg_fake{n:020d}",
        "type": "message",
        "role": "assistant",
        "model": model or body.get("model") or "claude-haiku-4-5",
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {
            "input_tokens": usage[0],
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": usage[1],
            "service_tier": "standard",
        },
    }
