"""The circuit breaker: opens after consecutive failures, cools down longer each time,
lets one trial through when half-open, closes on success; an injected clock drives it."""

from __future__ import annotations

import pytest

from service.backends.base import CallCapReached, InvalidOutput
from service.backends.breaker import BreakerState, CircuitBreaker, counts_as_failure
from service.config import BreakerPolicy
from service.errors import BackendError, BackendUnavailable, DeadlineExceeded, Usage

POLICY = BreakerPolicy(failure_threshold=3, cooldown_s=10, max_cooldown_s=35)


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def upstream_500() -> BackendError:
    return BackendError("upstream error", backend="gpt", status=500, attempts=3, retryable=True)


def fail(breaker: CircuitBreaker, exc: BaseException | None = None) -> None:
    with pytest.raises(type(exc or upstream_500())), breaker.guard():
        raise exc or upstream_500()


def succeed(breaker: CircuitBreaker) -> None:
    with breaker.guard():
        pass


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def breaker(clock: Clock) -> CircuitBreaker:
    return CircuitBreaker("gpt", POLICY, clock)


def test_opens_after_the_threshold_of_consecutive_failures(breaker: CircuitBreaker) -> None:
    fail(breaker)
    fail(breaker)
    assert breaker.circuit_state() == "closed"
    fail(breaker)
    assert breaker.circuit_state() == "open"
    with pytest.raises(BackendUnavailable) as refused:
        succeed(breaker)
    assert refused.value.retry_after == 10 and refused.value.attempts == 0
    assert "circuit open after 3 consecutive failure(s)" in str(refused.value)


def test_a_success_between_failures_resets_the_count(breaker: CircuitBreaker) -> None:
    fail(breaker)
    fail(breaker)
    succeed(breaker)
    fail(breaker)
    fail(breaker)
    assert breaker.state() is BreakerState.CLOSED


def test_half_open_lets_one_trial_through_and_a_success_closes(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    for _ in range(3):
        fail(breaker)
    clock.now += 9.5
    assert breaker.state() is BreakerState.OPEN and breaker.retry_after() == pytest.approx(0.5)
    clock.now += 0.5
    assert breaker.circuit_state() == "half_open"
    with breaker.guard():
        with pytest.raises(BackendUnavailable, match="a trial call is in flight"):
            succeed(breaker)  # a second caller while the trial runs
    assert breaker.state() is BreakerState.CLOSED and breaker.openings == 0


def test_each_failed_trial_doubles_the_cooldown_up_to_the_cap(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    for _ in range(3):
        fail(breaker)
    cooldowns = []
    for _ in range(3):
        cooldowns.append(breaker.retry_after())
        clock.now += breaker.retry_after()
        fail(breaker)  # the trial fails: open again, longer
    cooldowns.append(breaker.retry_after())
    assert cooldowns == [10, 20, 35, 35]
    clock.now += 35
    succeed(breaker)
    for _ in range(3):
        fail(breaker)
    assert breaker.retry_after() == 10  # a success forgets the past openings


def test_a_long_retry_after_opens_at_once_for_that_long(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    hint = BackendUnavailable(
        "rate limited", backend="gpt", status=429, retry_after=30.0, retryable=True
    )
    fail(breaker, hint)
    assert breaker.state() is BreakerState.OPEN and breaker.retry_after() == 30
    clock.now += 30
    assert breaker.state() is BreakerState.HALF_OPEN


@pytest.mark.parametrize(
    "outcome",
    [
        BackendError("authentication failed", backend="gpt", status=401, retryable=False),
        DeadlineExceeded("deadline exceeded"),
        CallCapReached("cap", backend="gpt"),
    ],
)
def test_config_errors_deadlines_and_the_call_cap_are_no_verdict(
    breaker: CircuitBreaker, clock: Clock, outcome: Exception
) -> None:
    assert counts_as_failure(outcome) is None
    for _ in range(5):
        fail(breaker, outcome)
    assert breaker.state() is BreakerState.CLOSED
    for _ in range(3):
        fail(breaker)
    clock.now += 10
    fail(breaker, outcome)  # the trial ends without a verdict: the next call is the trial
    assert breaker.state() is BreakerState.HALF_OPEN
    succeed(breaker)
    assert breaker.state() is BreakerState.CLOSED


def test_an_invalid_answer_is_an_answer(breaker: CircuitBreaker, clock: Clock) -> None:
    for _ in range(3):
        fail(breaker)
    clock.now += 10
    invalid = InvalidOutput("bad", errors=["x"], raw="{}", usage=Usage(), model="m")
    fail(breaker, invalid)
    assert breaker.state() is BreakerState.CLOSED


def test_calls_that_began_before_it_opened_do_not_stretch_the_cooldown(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    for _ in range(3):
        fail(breaker)
    clock.now += 4
    breaker.record_failure(upstream_500())  # a slow call started while closed
    assert breaker.retry_after() == 6 and breaker.openings == 1
