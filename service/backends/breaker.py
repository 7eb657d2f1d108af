"""A per-backend circuit breaker: a failing backend is cooled down and the chain moves on.

States: *closed* (calls go through), *open* (calls are refused at once with
`BackendUnavailable`, whose `retry_after` is the time left before a trial), *half-open*
(the cooldown is over: one trial call goes through; the others are still refused until
it ends).

What counts (`counts_as_failure`):
- a failure: a `BackendError` our retry policy calls retryable, once the retries are
  spent (connection errors, timeouts, 408, 409, 429, 5xx), and a `BackendUnavailable`
  for a retry-after beyond the cap (which opens the circuit at once, for at least that
  long, within `max_cooldown_s`);
- a success: any answer, even one whose output fails validation (`InvalidOutput`): the
  backend is up;
- neither: a non-retryable 4xx (a configuration matter: wrong key, model or request, which
  no cooldown mends; it fails with a clear error every time, one call each), the
  request's deadline or cancellation, and a refusal by the request's call cap. Such an
  end of a half-open trial lets the next call be the trial.

`failure_threshold` consecutive failures open the circuit for `cooldown_s`; a failed
trial reopens it for twice as long as the previous time, up to `max_cooldown_s`
(`cooldown_s * 2**k`); a success closes it and forgets the past openings.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum

from service.backends.base import CallCapReached, InvalidOutput
from service.config import BreakerPolicy
from service.errors import BackendError, BackendUnavailable

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class BreakerState(StrEnum):
    """A circuit's state, as /readyz and /metrics show it."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


def counts_as_failure(exc: BaseException) -> bool | None:
    """True for a failure of the backend, False for an answer, None for neither."""
    if isinstance(exc, InvalidOutput):
        return False
    if isinstance(exc, CallCapReached):
        return None
    if isinstance(exc, BackendError) and exc.retryable:
        return True
    return None


class CircuitBreaker:
    """One backend's circuit; `clock` is `time.monotonic` unless a test injects one."""

    def __init__(self, backend: str, policy: BreakerPolicy, clock: Clock = time.monotonic) -> None:
        self.backend = backend
        self.policy = policy
        self.clock = clock
        self.failures = 0
        """Consecutive failed calls since the last success."""
        self.openings = 0
        """Times the circuit opened since it was last closed."""
        self._open_until: float | None = None
        self._trial = False

    def state(self) -> BreakerState:
        """Closed, open, or half-open once the cooldown is over."""
        if self._open_until is None:
            return BreakerState.CLOSED
        if self.clock() < self._open_until:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    def circuit_state(self) -> str:
        """The state's name ("closed", "open", "half_open"): the readiness hook."""
        return self.state().value

    def retry_after(self) -> float:
        """Seconds until the next trial may go through (0 when calls go through now)."""
        if self._open_until is None:
            return 0.0
        return max(0.0, self._open_until - self.clock())

    def acquire(self) -> bool:
        """Let a call through (True when it is the half-open trial), or raise
        BackendUnavailable while open or while another call is the trial."""
        state = self.state()
        if state is BreakerState.CLOSED:
            return False
        if state is BreakerState.HALF_OPEN and not self._trial:
            self._trial = True
            log.info("circuit half-open: trial call", extra={"backend": self.backend})
            return True
        wait = self.retry_after()
        if state is BreakerState.HALF_OPEN:
            reason = "a trial call is in flight"
        else:
            reason = f"next trial in {wait:.1f} s"
        raise BackendUnavailable(
            f"circuit open after {self.failures} consecutive failure(s); {reason}",
            backend=self.backend,
            retry_after=max(1.0, math.ceil(wait)),
            attempts=0,
            retryable=True,
        )

    def record_success(self) -> None:
        """The backend answered: close the circuit."""
        if self._open_until is not None:
            log.info("circuit closed", extra={"backend": self.backend})
        self.failures = 0
        self.openings = 0
        self._open_until = None
        self._trial = False

    def record_failure(self, exc: BackendError | None = None, *, trial: bool = False) -> None:
        """The backend failed; open the circuit past the threshold, or reopen it after a
        failed trial. A call that began before the circuit opened only adds to the count."""
        self.failures += 1
        if trial:
            self._trial = False
        elif self.state() is not BreakerState.CLOSED:
            return
        hint = exc.retry_after if isinstance(exc, BackendUnavailable) else None
        if trial or hint is not None or self.failures >= self.policy.failure_threshold:
            self._open(hint)

    def release(self, *, trial: bool = False) -> None:
        """The call ended with no verdict on the backend: a later call may be the trial."""
        if trial:
            self._trial = False

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Around one backend call: refuse it while open, then record how it ended."""
        trial = self.acquire()
        try:
            yield
        except BaseException as exc:
            verdict = counts_as_failure(exc)
            if verdict is None:
                self.release(trial=trial)
            elif verdict:
                assert isinstance(exc, BackendError)
                self.record_failure(exc, trial=trial)
            else:
                self.record_success()
            raise
        self.record_success()

    def _open(self, retry_after: float | None) -> None:
        cooldown = min(self.policy.max_cooldown_s, self.policy.cooldown_s * 2**self.openings)
        if retry_after is not None:
            cooldown = max(cooldown, min(retry_after, self.policy.max_cooldown_s))
        self.openings += 1
        self._open_until = self.clock() + cooldown
        log.warning(
            "circuit opened",
            extra={
                "backend": self.backend,
                "consecutive_failures": self.failures,
                "cooldown_s": round(cooldown, 3),
            },
        )
