"""The output JSONL as the source of truth: append-and-flush, resume index, fingerprint state.

Everything a resumed run needs is read back from the output itself: the ids done (and
failed), the exact-duplicate keys (`text_sha256`) and the near-duplicate index (rebuilt
from each summarised line's `minhash` signature). `--retry-failed` first compacts the
output: every line but the error lines is copied to OUT.tmp, synced, and moved over OUT
in one atomic rename, so that a crash leaves either the old file or the new one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from service.batch import neardup
from service.errors import SummarizerError

STATE_VERSION = 1


class LedgerError(SummarizerError):
    """The output cannot be started or resumed as asked."""

    code = "ledger_error"


class FingerprintMismatch(LedgerError):
    """The output was made with another schema, prompt or backend chain."""

    code = "fingerprint_mismatch"


def state_path(output: Path) -> Path:
    """The sidecar file holding the run's fingerprint: OUT.state.json."""
    return output.with_name(output.name + ".state.json")


@dataclass
class Ledger:
    """An open output file plus what it already holds."""

    path: Path
    handle: BinaryIO
    index: LedgerIndex

    @classmethod
    def open(
        cls,
        path: Path,
        fingerprint: dict[str, Any],
        *,
        resume: bool,
        force: bool,
        retry_failed: bool = False,
    ) -> Ledger:
        """Open `path` for appending, checking (and recording) the fingerprint.

        With `retry_failed`, the error lines are removed first (see `compact`), so that
        their records are done again and each record still has exactly one line.
        """
        if retry_failed and not resume:
            raise LedgerError("--retry-failed works on an earlier output: pass --resume too")
        has_data = path.exists() and path.stat().st_size > 0
        if has_data and not resume:
            raise LedgerError(f"{path} already holds results: pass --resume, or remove it")
        state = state_path(path)
        if has_data:
            _check_fingerprint(state, fingerprint, force=force)
        removed, torn = compact(path) if has_data and retry_failed else (0, False)
        index = LedgerIndex.read(path) if has_data else LedgerIndex()
        index.removed_failed = removed
        index.dropped_tail = index.dropped_tail or torn
        _write_state(state, fingerprint, keep_history=has_data)
        return cls(path=path, handle=path.open("ab"), index=index)

    def append(self, line: dict[str, Any]) -> int:
        """Write one output line and flush it; return its byte offset."""
        data = json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        offset = self.handle.tell()
        self.handle.write(data + b"\n")
        self.handle.flush()
        return offset

    def read_at(self, offset: int) -> dict[str, Any]:
        """The output line written at `offset`."""
        with self.path.open("rb") as handle:
            handle.seek(offset)
            line: dict[str, Any] = json.loads(handle.readline())
        return line

    def close(self) -> None:
        """Close the output file."""
        self.handle.close()


@dataclass
class LedgerIndex:
    """Ids (all, failed), duplicate keys and near-duplicate bands -> offsets in an output."""

    done: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    by_key: dict[str, int] = field(default_factory=dict)
    near: neardup.NearDupIndex = field(default_factory=neardup.NearDupIndex)
    dropped_tail: bool = False
    removed_failed: int = 0
    """Error lines removed by --retry-failed before this run."""

    @classmethod
    def read(cls, path: Path) -> LedgerIndex:
        """Read ids and duplicate keys back; cut a torn last line left by a crash."""
        index = cls()
        good_end = offset = 0
        with path.open("r+b") as handle:
            for raw in handle:
                start, offset = offset, offset + len(raw)
                line = parse_line(raw)
                if line is None:
                    continue
                good_end = offset
                index.add(line, start)
            if good_end < offset:
                index.dropped_tail = True
                handle.truncate(good_end)
        return index

    def add(self, line: dict[str, Any], offset: int) -> None:
        """Index one output line."""
        self.done.add(line["id"])
        if line.get("status") != "ok":
            self.failed.add(line["id"])
        key = line.get("text_sha256")
        if isinstance(key, str) and "duplicate_of" not in line:
            self.by_key.setdefault(key, offset)
        if line.get("status") == "ok" and "near_duplicate_of" not in line:
            sig = neardup.decode(line.get("minhash"))
            if sig is not None:
                self.near.add(sig, offset)


def compact(path: Path) -> tuple[int, bool]:
    """Drop the error lines (and a torn last line) of an output, atomically.

    Every other line is copied, in order, to OUT.tmp; the copy is flushed and fsynced,
    then renamed over OUT (and the folder synced). Returns (error lines removed, whether
    a torn last line was dropped).
    """
    tmp = path.with_name(path.name + ".tmp")
    removed = 0
    torn = False
    with path.open("rb") as source, tmp.open("wb") as target:
        for raw in source:
            if not raw.endswith(b"\n"):
                torn = True  # only the last line can lack its newline
                continue
            line = parse_line(raw)
            if line is not None and line.get("status") != "ok":
                removed += 1
                continue
            target.write(raw)
        target.flush()
        os.fsync(target.fileno())
    os.replace(tmp, path)
    _sync_folder(path.parent)
    return removed, torn


def _sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (where the platform allows it)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def parse_line(raw: bytes) -> dict[str, Any] | None:
    """A complete output line, or None for a torn or foreign one (the writer always ends
    lines with a newline, so a line without one was cut by a crash)."""
    if not raw.endswith(b"\n"):
        return None
    try:
        line = json.loads(raw)
    except ValueError:
        return None
    if isinstance(line, dict) and isinstance(line.get("id"), str):
        return line
    return None


def _check_fingerprint(state: Path, fingerprint: dict[str, Any], *, force: bool) -> None:
    stored = _read_state(state).get("fingerprint")
    if stored == fingerprint or force:
        return
    if stored is None:
        raise FingerprintMismatch(f"{state} is missing or unreadable: pass --force to resume")
    changed = sorted(
        k for k in fingerprint.keys() | stored.keys() if fingerprint.get(k) != stored.get(k)
    )
    raise FingerprintMismatch(
        f"the output was made with another {', '.join(changed)}: pass --force to resume anyway"
    )


def _write_state(state: Path, fingerprint: dict[str, Any], *, keep_history: bool) -> None:
    previous: list[Any] = []
    old = _read_state(state) if keep_history else {}
    if old.get("fingerprint") not in (None, fingerprint):
        previous = [*old.get("previous", []), old["fingerprint"]]
    body = {"version": STATE_VERSION, "fingerprint": fingerprint, "previous": previous}
    tmp = state.with_name(state.name + ".tmp")
    tmp.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, state)


def _read_state(state: Path) -> dict[str, Any]:
    """The sidecar state, or {} when it is missing or unreadable."""
    try:
        body = json.loads(state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return body if isinstance(body, dict) else {}
