"""RFC 9457 problem+json responses, and the mapping of service errors to them."""

from __future__ import annotations

import json
import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Send

from service.errors import (
    BackendError,
    BackendUnavailable,
    ConfigError,
    DeadlineExceeded,
    ExtractionFailed,
    InputError,
    NotFound,
    SummarizerError,
)
from service.logs import context_value

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
TYPE_BASE = "https://newsroom-summarizer.dev/problems/"


def problem_body(status: int, code: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    """The problem+json document: type, title, status, detail, `code`, the request id."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    request_id = context_value("request_id")
    if request_id is not None:
        body["request_id"] = request_id
    body.update(extra)
    return body


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json response with a stable `code`."""
    body = problem_body(status, code, title, detail, **extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


async def send_problem(
    send: Send,
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> None:
    """Answer with a problem+json from ASGI middleware, before any route runs.

    The connection is closed after it: the request body may still be on the wire.
    """
    payload = json.dumps(problem_body(status, code, title, detail, **extra)).encode()
    raw = [
        (b"content-type", PROBLEM.encode()),
        (b"content-length", str(len(payload)).encode()),
        (b"connection", b"close"),
    ]
    raw += [(name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in (headers or {}).items()]  # fmt: skip
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    # The submitted values are not echoed back: they may be a whole article.
    return [
        {"loc": list(error.get("loc", ())), "msg": error.get("msg", ""), "type": error.get("type")}
        for error in exc.errors()
    ]


def error_response(exc: SummarizerError) -> JSONResponse:
    """Translate a service error into its HTTP problem."""
    if isinstance(exc, InputError):
        status = 413 if exc.code == "article_too_large" else 422
        return problem(status, exc.code, "Invalid article", str(exc))
    if isinstance(exc, BackendUnavailable):
        retry_after = str(max(1, math.ceil(exc.retry_after or 30)))
        return problem(
            503,
            exc.code,
            "No backend available",
            str(exc),
            headers={"Retry-After": retry_after},
            backend=exc.backend,
        )
    if isinstance(exc, BackendError):
        return problem(
            502,
            exc.code,
            "Backend failed",
            str(exc),
            backend=exc.backend,
            attempts=exc.attempts,
            upstream_status=exc.status,
        )
    if isinstance(exc, ExtractionFailed):
        return problem(
            502,
            exc.code,
            "Backend output stayed invalid",
            str(exc),
            backend=exc.backend,
            attempts=exc.attempts,
            errors=exc.errors[:20],
            input_tokens=exc.usage.input_tokens,
            output_tokens=exc.usage.output_tokens,
        )
    if isinstance(exc, NotFound):
        return problem(404, exc.code, "Not found", str(exc))
    if isinstance(exc, DeadlineExceeded):
        return problem(504, exc.code, "Deadline exceeded", str(exc))
    if isinstance(exc, ConfigError):
        return problem(500, exc.code, "Service misconfigured", str(exc))
    return problem(500, exc.code, "Internal error", "the service failed; see its logs")


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem+json."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(
            422,
            "invalid_request",
            "Invalid request",
            "the request body does not match the article schema",
            errors=_validation_errors(exc),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI's answer to a body that is not JSON at all
            return problem(
                422,
                "invalid_request",
                "Invalid request",
                "the request body is not valid UTF-8 JSON",
                errors=[{"loc": ["body"], "msg": str(exc.detail), "type": "json_invalid"}],
            )
        code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(
            exc.status_code, "http_error"
        )
        headers = dict(exc.headers) if exc.headers else None  # e.g. Allow on a 405
        return problem(exc.status_code, code, str(exc.detail), str(exc.detail), headers=headers)

    @app.exception_handler(SummarizerError)
    async def _service(_: Request, exc: SummarizerError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # A defect, not bad input: logged by type only (messages may quote the article).
        log.error("unexpected error", extra={"error_type": type(exc).__name__})
        return problem(500, "internal_error", "Internal error", "the service failed unexpectedly")
