"""The Slack bot's settings, from SLACK_* environment variables (tokens kept as SecretStr)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from service.errors import ConfigError

TOKEN_PREFIXES = {"bot_token": "xoxb-", "app_token": "xapp-"}
HTTP_NEEDS = ("bot_token", "signing_secret")
SOCKET_NEEDS = ("app_token", "bot_token")


def env_name(field: str) -> str:
    """The environment variable of a settings field."""
    return f"SLACK_{field.upper()}"


class SlackSettings(BaseSettings):
    """Slack bot settings. The bot is off unless its tokens are set."""

    model_config = SettingsConfigDict(env_prefix="SLACK_", extra="forbid")

    bot_token: SecretStr | None = Field(default=None, description="Bot token (xoxb-...).")
    signing_secret: SecretStr | None = Field(
        default=None, description="Signing secret: HTTP mode verifies every request with it."
    )
    app_token: SecretStr | None = Field(
        default=None, description="App-level token (xapp-...) with connections:write."
    )
    api_url: str = Field(
        default="https://slack.com/api/", description="Slack Web API base URL (ends with '/')."
    )
    unfurl_domains: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Newsroom domains whose links are unfurled as summary cards "
        "(comma-separated; subdomains included).",
    )
    command_response: Literal["in_channel", "ephemeral"] = Field(
        default="in_channel", description="Who sees the card of /summarize."
    )
    fetch_timeout_s: float = Field(
        default=15.0, gt=0, le=120, description="One deadline for the whole fetch: redirects too."
    )
    fetch_max_bytes: int = Field(
        default=5 * 1024 * 1024, ge=10_000, description="Largest page read, counted on the stream."
    )
    fetch_max_redirects: int = Field(default=5, ge=0, le=20)
    fetch_allow_private: bool = Field(
        default=False,
        description="Fetch private, loopback and link-local addresses too (an intranet CMS). "
        "Off by default: links come from chat users.",
    )
    fetch_allowed_ports: Annotated[list[Annotated[int, Field(ge=1, le=65535)]], NoDecode] = Field(
        default_factory=lambda: [80, 443],
        description="Ports a link may name (comma-separated); a URL without a port is always "
        "allowed. Other ports of a public host are other services: an SSRF surface too.",
    )
    max_concurrent: int = Field(default=4, ge=1, le=64, description="Summaries run at once.")
    drain_timeout_s: float = Field(
        default=25.0, ge=0, description="How long shutdown waits for work in flight."
    )

    @field_validator("bot_token", "signing_secret", "app_token", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("bot_token", "app_token")
    @classmethod
    def _token_kind(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        prefix = TOKEN_PREFIXES[info.field_name or ""]
        if value is not None and not value.get_secret_value().startswith(prefix):
            raise ValueError(f"must start with {prefix!r}")
        return value

    @field_validator("api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("unfurl_domains", mode="before")
    @classmethod
    def _domains(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list):
            return [str(item).strip().lower().strip(".") for item in value if str(item).strip()]
        return value

    @field_validator("fetch_allowed_ports", mode="before")
    @classmethod
    def _ports(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    def missing(self, needed: tuple[str, ...]) -> list[str]:
        """The environment variables among `needed` fields that are not set."""
        return [env_name(name) for name in needed if getattr(self, name) is None]


def load_slack_settings(**overrides: object) -> SlackSettings:
    """Load the Slack settings; a ConfigError names the variables, never their values."""
    try:
        return SlackSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        # str(exc) would quote the input, which may be a token: name the field only.
        reasons = "; ".join(
            f"{env_name(str(error['loc'][0])) if error['loc'] else 'SLACK_*'}: {error['msg']}"
            for error in exc.errors()
        )
        raise ConfigError(f"invalid Slack settings: {reasons}") from None
