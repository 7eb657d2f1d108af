"""The state of a provider-batch run: `OUT.batches.json`, next to the output.

It names the provider and backend, and for each submitted batch not yet collected: its
id, last known status and which record each request stands for (custom_id -> record id
and text hash). A batch is first saved as `submitting`, with a random token, before the
provider is asked to create it: a run killed between the provider's answer and the next
save leaves that entry, and the next call looks for the token among the provider's recent
batches (`BatchAPI.find`) before submitting those records again.

It holds no article text: a collecting call reads the input again and matches records by
id (and checks the text hash). The output ledger stays the truth; this file is advisory: a
record already in the output is never written again, whatever the state says. Writes are
atomic (temporary file, then `os.replace`).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from service.batch.ledger import LedgerError

STATE_VERSION = 1


class BatchStateError(LedgerError):
    """The batch state file cannot be read, or belongs to another backend."""

    code = "batch_state_error"


def batches_path(output: Path) -> Path:
    """The state file of the provider batches of an output: OUT.batches.json."""
    return output.with_name(output.name + ".batches.json")


def custom_id(record_id: str) -> str:
    """A request id every provider accepts (`^[a-zA-Z0-9_-]{1,64}$`) for a record id."""
    return "r-" + hashlib.sha256(record_id.encode("utf-8")).hexdigest()[:40]


class PendingRecord(BaseModel):
    """The record a request of a batch stands for."""

    id: str
    text_sha256: str


class SubmittedBatch(BaseModel):
    """A batch submitted and not yet collected."""

    id: str
    status: str
    submitted_at: str
    requests: dict[str, PendingRecord] = Field(description="custom_id -> record")
    submission: int = Field(default=1, ge=1, description="1, or 2 for a failed batch resent.")
    token: str | None = Field(default=None, description="The token set on the batch, if any.")


class IntendedBatch(BaseModel):
    """A batch about to be created (or created by a run killed before it could say so)."""

    token: str = Field(description="Set on the batch (metadata, where the provider has it).")
    intended_at: str
    requests: dict[str, PendingRecord] = Field(description="custom_id -> record")
    submission: int = Field(default=1, ge=1)

    @property
    def since(self) -> datetime:
        """When the batch was about to be created."""
        return datetime.fromisoformat(self.intended_at)


class BatchState(BaseModel):
    """The content of OUT.batches.json."""

    version: int = STATE_VERSION
    provider: str
    backend: str
    model: str
    batches: list[SubmittedBatch] = Field(default_factory=list)
    submitting: list[IntendedBatch] = Field(default_factory=list)
    submitted: int = Field(default=0, description="Records submitted over the output's life.")
    collected: int = Field(default=0, description="Records answered from collected batches.")

    @classmethod
    def load(cls, path: Path, *, provider: str, backend: str, model: str) -> BatchState:
        """The state at `path`, or a fresh one; refuses pending batches of another backend."""
        fresh = cls(provider=provider, backend=backend, model=model)
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return fresh
        except OSError as exc:
            raise BatchStateError(f"cannot read {path}: {exc.strerror}") from exc
        try:
            state = cls.model_validate_json(raw)
        except ValidationError as exc:
            raise BatchStateError(
                f"{path} is not a batch state file ({exc.error_count()} error(s)); "
                "move it away to submit the pending records again"
            ) from None
        pending = len(state.batches) + len(state.submitting)
        if not pending:
            return fresh.model_copy(
                update={"submitted": state.submitted, "collected": state.collected}
            )
        if (state.provider, state.backend) != (provider, backend):
            raise BatchStateError(
                f"{path} holds {pending} pending batch(es) of backend "
                f"{state.backend!r} ({state.provider}): collect them with that backend, "
                "or move the file away to drop them"
            )
        return state

    def save(self, path: Path) -> None:
        """Write the state atomically."""
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(self.model_dump_json(indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)

    def add(
        self,
        batch_id: str,
        status: str,
        requests: dict[str, PendingRecord],
        *,
        submission: int = 1,
        token: str | None = None,
    ) -> None:
        """Record a newly submitted batch."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        batch = SubmittedBatch(
            id=batch_id,
            status=status,
            submitted_at=now,
            requests=requests,
            submission=submission,
            token=token,
        )
        self.batches.append(batch)
        self.submitted += len(requests)

    def intend(self, requests: dict[str, PendingRecord], *, submission: int = 1) -> IntendedBatch:
        """Record a batch about to be created, under a new token; save before creating it."""
        intent = IntendedBatch(
            token=secrets.token_hex(16),
            intended_at=datetime.now(UTC).isoformat(timespec="seconds"),
            requests=requests,
            submission=submission,
        )
        self.submitting.append(intent)
        return intent

    def created(self, intent: IntendedBatch, batch_id: str, status: str) -> None:
        """The intended batch exists at the provider: it is now a submitted batch."""
        self.forget(intent)
        self.add(
            batch_id, status, intent.requests, submission=intent.submission, token=intent.token
        )

    def forget(self, intent: IntendedBatch) -> None:
        """Drop an intended batch (created now, or never created)."""
        self.submitting = [entry for entry in self.submitting if entry.token != intent.token]

    def drop(self, batch_id: str) -> None:
        """Forget a batch (its records are all in the output, or were resubmitted)."""
        self.batches = [batch for batch in self.batches if batch.id != batch_id]

    def by_record(self) -> dict[str, tuple[str, PendingRecord]]:
        """Record id -> (batch id, what was submitted), the latest batch winning."""
        found: dict[str, tuple[str, PendingRecord]] = {}
        for batch in self.batches:
            for record in batch.requests.values():
                found[record.id] = (batch.id, record)
        return found
