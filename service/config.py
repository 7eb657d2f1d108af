"""Settings from the environment (prefix SUMMARIZER_) and an optional TOML file.

Provider keys are never settings: a backend names the environment variable that holds
its key (`api_key_env`), read when the backend is built and kept as a SecretStr. The
service's own client keys (`api_keys`) are settings, kept as SecretStr; error messages
never show the values that were submitted.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from service.errors import ConfigError

OFFLINE = "offline"
MIN_API_KEY_CHARS = 16
API_KEY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
DEFAULT_KEY_ENV = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}


class RetryPolicy(BaseModel):
    """Our one retry layer for upstream HTTP calls (SDKs get max_retries=0)."""

    model_config = ConfigDict(extra="forbid")

    max_attempts: int = Field(default=3, ge=1, le=10, description="HTTP attempts per call.")
    base_delay_s: float = Field(default=0.5, ge=0)
    max_delay_s: float = Field(default=8.0, ge=0)
    max_retry_after_s: float = Field(
        default=30.0, ge=0, description="Longest retry-after honoured; beyond it, fail fast."
    )


class BreakerPolicy(BaseModel):
    """A backend's circuit breaker: when it opens and how long it stays open."""

    model_config = ConfigDict(extra="forbid")

    failure_threshold: int = Field(
        default=5,
        ge=1,
        le=1000,
        description="Consecutive failed calls (after retries) that open the circuit.",
    )
    cooldown_s: float = Field(
        default=15.0, gt=0, description="How long the circuit stays open the first time."
    )
    max_cooldown_s: float = Field(
        default=300.0, gt=0, description="Longest cooldown; each reopening doubles it up to this."
    )


class BackendConfig(BaseModel):
    """One named backend."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["openai", "anthropic", "offline"]
    model: str = Field(default="", max_length=200)
    base_url: str | None = Field(
        default=None, description="OpenAI-compatible server (Ollama, vLLM, LiteLLM ...)."
    )
    api_key_env: str | None = Field(
        default=None, description="Environment variable holding the API key."
    )
    mode: Literal["tools", "json_schema", "json"] = Field(
        default="tools", description="How structured output is requested (openai kind)."
    )
    timeout_s: float = Field(default=60.0, gt=0, description="Timeout of one HTTP attempt.")
    max_output_tokens: int = Field(default=4096, ge=256, le=65536)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    breaker: BreakerPolicy = Field(default_factory=BreakerPolicy)
    context_tokens: int | None = Field(
        default=None,
        ge=1024,
        description="The model's context window in tokens (prompt + output); a longer "
        "article goes to a backend with a larger window, or is sent in chunks.",
    )
    input_usd_per_mtok: float | None = Field(
        default=None, ge=0, description="Price in USD of one million input tokens (for budgets)."
    )
    output_usd_per_mtok: float | None = Field(
        default=None, ge=0, description="Price in USD of one million output tokens (for budgets)."
    )

    @model_validator(mode="after")
    def _defaults(self) -> BackendConfig:
        if self.kind != OFFLINE and not self.model:
            raise ValueError(f"a {self.kind} backend needs a model")
        if self.kind == OFFLINE and not self.model:
            self.model = "rules-v1"
        if self.api_key_env is None and self.kind in DEFAULT_KEY_ENV and self.base_url is None:
            self.api_key_env = DEFAULT_KEY_ENV[self.kind]
        return self

    def api_key(self) -> SecretStr | None:
        """The key from the environment, or None when the backend needs none."""
        if self.api_key_env is None:
            return None
        value = os.environ.get(self.api_key_env)
        return SecretStr(value) if value else None


class Settings(BaseSettings):
    """Service settings. Environment: SUMMARIZER_*; file: SUMMARIZER_CONFIG_FILE (TOML)."""

    model_config = SettingsConfigDict(
        env_prefix="SUMMARIZER_",
        env_nested_delimiter="__",
        extra="forbid",
        hide_input_in_errors=True,  # the input may hold client keys
    )

    backends: dict[str, BackendConfig] = Field(
        default_factory=dict, description="Named backends; 'offline' is always available."
    )
    chain: list[str] = Field(
        default_factory=lambda: [OFFLINE],
        description="Backends tried in order when a request names none.",
    )
    max_body_bytes: int = Field(
        default=2 * 1024 * 1024, ge=1024, description="Largest request body, counted on the stream."
    )
    max_article_chars: int = Field(default=200_000, ge=1000, description="Longest article text.")
    max_article_tokens: int = Field(
        default=100_000,
        ge=100,
        description="Largest article in estimated tokens (o200k_base), checked before any "
        "backend call.",
    )
    max_attempts: int = Field(
        default=3, ge=1, le=5, description="Backend calls per request, re-asks included."
    )
    max_upstream_calls: int = Field(
        default=8,
        ge=1,
        le=100,
        description="HTTP calls to providers one request may make in all: retries, re-asks, "
        "chunks and every backend of the chain.",
    )
    max_tokens_per_request: int = Field(
        default=60_000,
        ge=100,
        description="Tokens (in + out) one request may spend, re-asks included.",
    )
    request_deadline_s: float = Field(default=120.0, gt=0)
    log_level: str = "INFO"
    api_keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Client API keys by name (JSON in SUMMARIZER_API_KEYS); none: the API is "
        "open to anyone who can reach it.",
    )
    api_keys_file: Path | None = Field(
        default=None,
        description="A JSON file {name: key} of more client keys (e.g. a mounted secret).",
    )
    rate_limit_per_minute: int = Field(
        default=60, ge=0, description="Requests a minute per API key, in bursts up to it; 0: off."
    )
    max_concurrent_requests: int = Field(
        default=32, ge=1, le=10_000, description="Requests in progress at once; more get 503."
    )
    shutdown_grace_s: float = Field(
        default=5.0,
        ge=0,
        le=300,
        description="After SIGTERM: seconds /readyz answers 503 while requests are still "
        "served, before the server stops accepting and drains the requests in flight.",
    )
    metrics_need_key: bool = Field(
        default=False, description="Ask an API key for /metrics too (open by default)."
    )

    @model_validator(mode="after")
    def _check_chain(self) -> Settings:
        if OFFLINE not in self.backends:
            self.backends[OFFLINE] = BackendConfig(kind=OFFLINE)
        unknown = [name for name in self.chain if name not in self.backends]
        if unknown:
            raise ValueError(f"chain names unconfigured backend(s): {', '.join(unknown)}")
        if not self.chain:
            raise ValueError("chain must name at least one backend")
        return self

    @model_validator(mode="after")
    def _check_api_keys(self) -> Settings:
        if self.api_keys_file is not None:
            for name, key in _read_api_keys(self.api_keys_file).items():
                if name in self.api_keys:
                    raise ValueError(f"API key {name!r} is configured twice")
                self.api_keys[name] = key
        seen: dict[str, str] = {}
        for name, key in self.api_keys.items():
            value = key.get_secret_value()
            if not API_KEY_NAME.fullmatch(name):
                raise ValueError(
                    f"API key name {name[:64]!r}: use 1-64 letters, digits, '_', '.' or '-'"
                )
            if len(value) < MIN_API_KEY_CHARS or value != value.strip():
                raise ValueError(
                    f"API key {name!r}: use at least {MIN_API_KEY_CHARS} characters, without "
                    "surrounding spaces (e.g. `python -c 'import secrets; "
                    "print(secrets.token_urlsafe(32))'`)"
                )
            if value in seen:
                raise ValueError(f"API keys {seen[value]!r} and {name!r} are the same key")
            seen[value] = name
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003 - no .env files
        file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003 - keys come from env
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = os.environ.get("SUMMARIZER_CONFIG_FILE")
        if path:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(path)))
        return tuple(sources)


def _read_api_keys(path: Path) -> dict[str, SecretStr]:
    """Client keys from a JSON file {name: key}; its content never reaches an error message."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"api_keys_file {str(path)!r}: cannot read it ({exc.strerror})") from None
    except (UnicodeDecodeError, ValueError):
        raise ValueError(f"api_keys_file {str(path)!r}: not a UTF-8 JSON file") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"api_keys_file {str(path)!r}: expected a JSON object of name: key")
    return {str(name): SecretStr(value) for name, value in data.items()}


def load_settings(**overrides: Any) -> Settings:
    """Load settings, turning validation errors into a ConfigError with the reasons."""
    path = os.environ.get("SUMMARIZER_CONFIG_FILE")
    if path and not Path(path).is_file():
        raise ConfigError(f"SUMMARIZER_CONFIG_FILE={path!r} is not a readable file")
    try:
        return Settings(**overrides)
    except ValueError as exc:
        raise ConfigError(f"invalid settings: {exc}") from exc
