"""A real `summarizer serve` in a subprocess, configured through its environment."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

SUMMARIZER = Path(sys.executable).with_name("summarizer")


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `condition` until true, or fail naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def answers(url: str) -> bool:
    """Whether something answers HTTP at `url`."""
    try:
        httpx.get(url, timeout=1.0)
    except httpx.TransportError:
        return False
    return True


def start(port: int, **env: str) -> subprocess.Popen[str]:
    """`summarizer serve --port PORT` with `env` added; its stderr (the JSON logs) piped.

    Returns once /healthz answers.
    """
    process = subprocess.Popen(
        [str(SUMMARIZER), "serve", "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: answers(f"http://127.0.0.1:{port}/healthz"), 90, "the server")
    except AssertionError:
        process.kill()
        stderr = process.communicate()[1]
        raise AssertionError(f"summarizer serve did not start: {stderr[-2000:]}") from None
    return process
