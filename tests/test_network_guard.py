"""The guard itself: a real outbound connection fails the test that opens it."""

import socket

import httpx
import pytest

from tests.conftest import NetworkAccessError


def test_outbound_socket_is_refused() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(NetworkAccessError):
        sock.connect(("93.184.216.34", 443))
    sock.close()


async def test_outbound_httpx_request_is_refused() -> None:
    async with httpx.AsyncClient() as client:
        with pytest.raises(NetworkAccessError):
            await client.get("https://api.openai.com/v1/models")
