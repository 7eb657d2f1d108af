"""Backends: one interface, a registry of kinds, and the named instances of the settings."""

from __future__ import annotations

import httpx

from service.backends.base import Backend, create_backend
from service.config import Settings


def build_backends(settings: Settings) -> dict[str, Backend]:
    """Build every configured backend, each with its own pooled HTTP client."""
    backends: dict[str, Backend] = {}
    for name, config in sorted(settings.backends.items()):
        client = httpx.AsyncClient(
            timeout=httpx.Timeout(config.timeout_s, connect=min(10.0, config.timeout_s)),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
        )
        # A client opens no connection before its first request, so one left behind by a
        # backend that refuses its configuration holds nothing.
        backends[name] = create_backend(name, config, client)
    return backends


async def close_backends(backends: dict[str, Backend]) -> None:
    """Close every backend's connections."""
    for backend in backends.values():
        await backend.aclose()
