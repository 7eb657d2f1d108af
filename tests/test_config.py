"""Settings from the environment and a TOML file; keys only from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config import load_settings
from service.errors import ConfigError


def test_default_is_the_offline_backend_alone() -> None:
    settings = load_settings()
    assert settings.chain == ["offline"]
    assert settings.backends["offline"].kind == "offline"


def test_backends_and_chain_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "SUMMARIZER_BACKENDS",
        '{"gpt": {"kind": "openai", "model": "gpt-4o-mini"},'
        ' "local": {"kind": "openai", "model": "llama3.1", "base_url": "http://127.0.0.1:11434/v1",'
        ' "mode": "json"}}',
    )
    monkeypatch.setenv("SUMMARIZER_CHAIN", '["gpt", "local", "offline"]')
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    settings = load_settings()
    assert settings.chain == ["gpt", "local", "offline"]
    gpt, local = settings.backends["gpt"], settings.backends["local"]
    assert gpt.api_key_env == "OPENAI_API_KEY"
    key = gpt.api_key()
    assert key is not None and key.get_secret_value() == "sk-from-env"
    assert "sk-from-env" not in repr(settings) and "sk-from-env" not in str(key)
    assert local.api_key_env is None and local.api_key() is None


def test_backends_from_a_toml_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "summarizer.toml"
    config.write_text(
        'chain = ["claude", "offline"]\n'
        "[backends.claude]\n"
        'kind = "anthropic"\n'
        'model = "claude-sonnet-4-5"\n'
        "[backends.claude.retry]\n"
        "max_attempts = 4\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SUMMARIZER_CONFIG_FILE", str(config))
    settings = load_settings()
    assert settings.chain == ["claude", "offline"]
    assert settings.backends["claude"].api_key_env == "ANTHROPIC_API_KEY"
    assert settings.backends["claude"].retry.max_attempts == 4


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({"SUMMARIZER_CHAIN": '["ghost"]'}, "unconfigured backend(s): ghost"),
        ({"SUMMARIZER_BACKENDS": '{"x": {"kind": "openai"}}'}, "needs a model"),
        ({"SUMMARIZER_BACKENDS": '{"x": {"kind": "mistery", "model": "m"}}'}, "kind"),
        ({"SUMMARIZER_CONFIG_FILE": "/nonexistent/summarizer.toml"}, "not a readable file"),
        ({"SUMMARIZER_MAX_ATTEMPTS": "50"}, "max_attempts"),
    ],
)
def test_invalid_settings_are_a_config_error_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], reason: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert reason in str(caught.value)
