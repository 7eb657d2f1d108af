"""`summarizer summarize` prints the same JSON as the API; bad input exits 2 with a reason."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from service.cli import app
from tests.conftest import SAMPLE

runner = CliRunner()


def test_summarize_a_file_prints_the_summary_json() -> None:
    result = runner.invoke(
        app, ["summarize", str(SAMPLE), "--published-at", "2025-01-09", "--id", "mali-1"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["language"] == "fr"
    assert body["article"]["id"] == "mali-1"
    assert body["extraction"]["backend"] == "offline"
    assert body["events"], "the sample reports events"


def test_summarize_reads_standard_input() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    result = runner.invoke(app, ["summarize", "-", "--published-at", "2025-01-09"], input=text)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["article"]["length"] == len(text)


def test_bad_inputs_exit_2_with_a_reason(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    cases = {
        (str(empty),): "invalid article",
        (str(binary),): "not UTF-8",
        (str(tmp_path / "missing.txt"),): "cannot read",
        (str(SAMPLE), "--published-at", "hier"): "ISO 8601",
        (str(SAMPLE), "--backend", "nope"): "unknown backend",
    }
    for args, reason in cases.items():
        result = runner.invoke(app, ["summarize", *args])
        assert result.exit_code == 2, (args, result.output)
        assert reason in result.stderr, (args, result.stderr)
        assert result.stdout == ""


def test_a_backend_without_its_key_is_a_usage_error_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUMMARIZER_BACKENDS", '{"gpt": {"kind": "openai", "model": "gpt-4o"}}')
    monkeypatch.setenv("SUMMARIZER_CHAIN", '["gpt"]')
    result = runner.invoke(app, ["summarize", str(SAMPLE)])
    assert result.exit_code == 2
    assert "OPENAI_API_KEY" in result.stderr and "Traceback" not in result.stderr


def test_serve_starts_with_the_offline_backend_and_says_how_to_switch(tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "summarizer"), "serve", "--port", str(port)],
            stderr=sink,
            stdout=sink,
        )
    try:
        health = _wait_for(f"http://127.0.0.1:{port}/healthz")
        assert health == {"status": "ok", "version": "0.1.0"}
    finally:
        process.terminate()
        process.wait(timeout=30)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    messages = " ".join(line["message"] for line in lines)
    assert "offline backend only" in messages and "SUMMARIZER_BACKENDS" in messages
    assert any(line.get("default_chain") == ["offline"] for line in lines)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str) -> object:
    deadline = time.monotonic() + 60
    while True:
        try:
            return httpx.get(url, timeout=2).json()
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
