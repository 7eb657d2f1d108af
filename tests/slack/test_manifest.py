"""The app manifests install what the bot handles: the command, the shortcut, the events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from service.slack.bot import COMMAND, EVENTS, SHORTCUT_CALLBACK_ID
from service.slack.http import EVENTS_PATH

ROOT = Path(__file__).resolve().parents[2]
SOCKET = ROOT / "slack" / "manifest.yaml"
HTTP = ROOT / "slack" / "manifest.http.yaml"
SCOPES = {"app_mentions:read", "chat:write", "commands", "links:read", "links:write"}


def manifest(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("path", [SOCKET, HTTP])
def test_manifest_matches_the_handlers(path: Path) -> None:
    data = manifest(path)
    features = data["features"]
    [command] = features["slash_commands"]
    assert command["command"] == COMMAND and command["should_escape"] is False
    [shortcut] = features["shortcuts"]
    assert shortcut["type"] == "message" and shortcut["callback_id"] == SHORTCUT_CALLBACK_ID
    assert len(shortcut["name"]) <= 24
    assert tuple(data["settings"]["event_subscriptions"]["bot_events"]) == EVENTS
    assert set(data["oauth_config"]["scopes"]["bot"]) == SCOPES
    assert data["settings"]["interactivity"]["is_enabled"] is True
    assert features["unfurl_domains"] and len(features["unfurl_domains"]) <= 5
    assert 175 <= len(data["display_information"]["long_description"]) <= 4000


def test_socket_manifest_needs_no_public_url() -> None:
    data = manifest(SOCKET)
    assert data["settings"]["socket_mode_enabled"] is True
    assert "url" not in data["features"]["slash_commands"][0]
    assert "request_url" not in data["settings"]["event_subscriptions"]
    assert "request_url" not in data["settings"]["interactivity"]


def test_http_manifest_sends_everything_to_one_url() -> None:
    data = manifest(HTTP)
    url = f"https://YOUR-HOST{EVENTS_PATH}"
    assert data["settings"]["socket_mode_enabled"] is False
    assert data["features"]["slash_commands"][0]["url"] == url
    assert data["settings"]["event_subscriptions"]["request_url"] == url
    assert data["settings"]["interactivity"]["request_url"] == url


def test_the_two_manifests_differ_only_in_transport() -> None:
    socket, http = manifest(SOCKET), manifest(HTTP)
    del http["features"]["slash_commands"][0]["url"]
    del http["settings"]["event_subscriptions"]["request_url"]
    del http["settings"]["interactivity"]["request_url"]
    http["settings"]["socket_mode_enabled"] = True
    assert socket == http
