"""`summarizer slack` refuses to start, with a clear reason, when its tokens are not right."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from service.cli import app
from tests.slack.payloads import APP_TOKEN, BOT_TOKEN

runner = CliRunner()


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "SLACK_APP_TOKEN and SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_APP_TOKEN"),
        ({"SLACK_APP_TOKEN": APP_TOKEN}, "SLACK_BOT_TOKEN"),
    ],
)
def test_missing_tokens_exit_2_naming_them(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], missing: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["slack"])
    assert result.exit_code == 2
    assert f"summarizer: slack: Socket Mode needs {missing}:" in result.stderr
    assert "slack/manifest.yaml" in result.stderr


def test_a_token_of_the_wrong_kind_exits_2_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", "xoxb-this-is-a-bot-token-in-the-wrong-place")
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    result = runner.invoke(app, ["slack"])
    assert result.exit_code == 2
    assert "SLACK_APP_TOKEN: Value error, must start with 'xapp-'" in result.stderr
    assert "wrong-place" not in result.output + result.stderr


def test_the_command_is_listed() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "slack" in result.stdout
    assert "Socket Mode" in result.stdout
