"""Fixtures of the Slack bot's tests: a clean SLACK_* environment and a fake Slack."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from tests.slack.fakeslack import FakeSlack


@pytest.fixture(autouse=True)
def _no_slack_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests start without the host's Slack settings."""
    for name in list(os.environ):
        if name.startswith("SLACK_"):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """A fake Slack Web API, response_url catcher and Socket Mode endpoint on 127.0.0.1."""
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()
