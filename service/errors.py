"""One error tree for the whole service; edges (HTTP, CLI) translate it.

SummarizerError
├── ConfigError            settings or a backend's configuration is wrong
├── InputError             the article cannot be summarised (empty, not text, too large)
├── NotFound               a named resource (schema, backend) does not exist
├── BackendError           a backend call failed after our retry policy
│   ├── BackendUnavailable no backend can answer now (open circuit, long retry-after)
│   └── CallCapReached     the request's cap on upstream calls is spent (backends/base.py)
├── ExtractionFailed       the output stayed invalid after the allowed re-asks
└── DeadlineExceeded       the request's overall deadline passed
"""

from __future__ import annotations

from dataclasses import dataclass


class SummarizerError(Exception):
    """Root of every error the service raises on purpose."""

    code = "summarizer_error"


class ConfigError(SummarizerError):
    """Settings or a backend configuration are invalid."""

    code = "config_error"


class InputError(SummarizerError):
    """The submitted article cannot be processed."""

    code = "invalid_article"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


@dataclass
class Usage:
    """Tokens and calls spent on one request."""

    input_tokens: int = 0
    output_tokens: int = 0
    calls: int = 0

    def add(self, other: Usage) -> None:
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.calls += other.calls


class BackendError(SummarizerError):
    """A backend call failed: carries the backend, HTTP status, retry hint and attempts."""

    code = "backend_failed"

    def __init__(
        self,
        message: str,
        *,
        backend: str,
        status: int | None = None,
        retry_after: float | None = None,
        attempts: int = 1,
        retryable: bool = False,
        original: BaseException | None = None,
    ) -> None:
        super().__init__(message)
        self.backend = backend
        self.status = status
        self.retry_after = retry_after
        self.attempts = attempts
        self.retryable = retryable
        self.original = original

    def __str__(self) -> str:
        status = f" (HTTP {self.status})" if self.status is not None else ""
        return f"{self.backend}: {self.args[0]}{status} after {self.attempts} attempt(s)"


class BackendUnavailable(BackendError):
    """No backend can answer now; retry after `retry_after` seconds."""

    code = "backend_unavailable"


class ExtractionFailed(SummarizerError):
    """The backend's output stayed invalid after every allowed re-ask."""

    code = "extraction_failed"

    def __init__(
        self,
        message: str,
        *,
        backend: str,
        attempts: int,
        errors: list[str],
        usage: Usage,
        last_output: str | None = None,
    ) -> None:
        super().__init__(message)
        self.backend = backend
        self.attempts = attempts
        self.errors = errors
        self.usage = usage
        self.last_output = last_output


class DeadlineExceeded(SummarizerError):
    """The request's overall deadline passed before any backend answered."""

    code = "deadline_exceeded"


class NotFound(SummarizerError):
    """A named resource does not exist."""

    code = "not_found"
