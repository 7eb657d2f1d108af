"""Client API keys: several, named; a request shows one as `Authorization: Bearer <key>`
or `X-API-Key: <key>`. Keys are compared in constant time and never logged: records name
the client by its key's name."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping

from pydantic import SecretStr


def _digest(value: str) -> bytes:
    # Equal-length digests: the comparison time tells nothing of the key's length either.
    return hashlib.sha256(value.encode("utf-8", "surrogateescape")).digest()


class ApiKeys:
    """The configured keys; finds whose key a request presents."""

    def __init__(self, keys: Mapping[str, SecretStr]) -> None:
        self._digests = [(name, _digest(key.get_secret_value())) for name, key in keys.items()]

    @property
    def required(self) -> bool:
        """Whether requests need a key (False: the API is open)."""
        return bool(self._digests)

    @property
    def names(self) -> list[str]:
        """The names of the configured keys."""
        return sorted(name for name, _ in self._digests)

    def identify(self, presented: str) -> str | None:
        """The name of the key `presented`, or None; every key is compared, whatever matches."""
        digest = _digest(presented)
        found = None
        for name, expected in self._digests:
            if hmac.compare_digest(digest, expected) and found is None:
                found = name
        return found


def presented_key(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The key a request shows in `Authorization: Bearer` or `X-API-Key`, if any."""
    fallback = None
    for name, value in headers:
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").strip().partition(" ")
            if scheme.lower() == "bearer" and credentials.strip():
                return credentials.strip()
        elif name == b"x-api-key" and value.strip():
            fallback = value.decode("latin-1").strip()
    return fallback
