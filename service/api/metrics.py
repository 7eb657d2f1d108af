"""Prometheus metrics, in a registry of the app's own (apps and tests never collide).

Upstream calls and tokens are read from what the pipeline reports: the summary's
`extraction` metadata, or the attributes of the error it raised. A backend that failed
before another answered counts as one failed call: the summary does not say how many.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from schemas import ExtractionMeta
from service.api.ops import circuit_state
from service.backends.base import Backend
from service.errors import BackendError, BackendUnavailable, ExtractionFailed, SummarizerError

router = APIRouter(tags=["health"])

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
ANSWERED, FAILED, UNAVAILABLE = "answered", "failed", "unavailable"


class _CircuitCollector(Collector):
    """Reads each backend's circuit state at scrape time."""

    def __init__(self, backends: Mapping[str, Backend]) -> None:
        self.backends = backends

    def collect(self) -> Iterable[Metric]:
        gauge = GaugeMetricFamily(
            "summarizer_backend_circuit_state",
            "Circuit breaker of each backend: 0 closed, 1 open, 2 half-open.",
            labels=["backend"],
        )
        for name in sorted(self.backends):
            gauge.add_metric([name], int(circuit_state(self.backends[name])))
        yield gauge


class Metrics:
    """The service's instruments and their registry."""

    def __init__(self, backends: Mapping[str, Backend]) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "summarizer_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "summarizer_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and method.",
            ["route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.in_flight = Gauge(
            "summarizer_http_requests_in_flight", "HTTP requests in progress.", registry=r
        )
        self.upstream_calls = Counter(
            "summarizer_upstream_calls",
            "Backend calls by outcome: answered (the backend gave an answer, valid or not), "
            "failed (an error, retried or not), unavailable (refused at once: long "
            "retry-after, open circuit).",
            ["backend", "outcome"],
            registry=r,
        )
        self.tokens = Counter(
            "summarizer_tokens",
            "Tokens spent, by backend and direction (input, output).",
            ["backend", "direction"],
            registry=r,
        )
        r.register(_CircuitCollector(backends))

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one answered HTTP request."""
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route, method).observe(seconds)

    def observe_summary(self, extraction: ExtractionMeta) -> None:
        """Count the calls and tokens of a summary that was made."""
        name = extraction.backend
        self.upstream_calls.labels(name, ANSWERED).inc(extraction.attempts)
        retried = extraction.upstream_calls - extraction.attempts
        if retried > 0:
            self.upstream_calls.labels(name, FAILED).inc(retried)
        # Calls spent on the backends that failed first: the summary gives their total,
        # so each failed backend counts one and any extra goes to the first of them.
        failed = extraction.backends_failed
        for backend in failed:
            self.upstream_calls.labels(backend, FAILED).inc()
        extra = extraction.failed_upstream_calls - len(failed)
        if failed and extra > 0:
            self.upstream_calls.labels(failed[0], FAILED).inc(extra)
        self._tokens(name, extraction.input_tokens, extraction.output_tokens)

    def observe_failure(self, exc: SummarizerError) -> None:
        """Count the calls and tokens of a request that failed with `exc`."""
        if isinstance(exc, BackendUnavailable):
            self.upstream_calls.labels(exc.backend, UNAVAILABLE).inc(max(1, exc.attempts))
        elif isinstance(exc, BackendError):
            self.upstream_calls.labels(exc.backend, FAILED).inc(max(1, exc.attempts))
        elif isinstance(exc, ExtractionFailed):
            self.upstream_calls.labels(exc.backend, ANSWERED).inc(exc.attempts)
            retried = exc.usage.calls - exc.attempts
            if retried > 0:
                self.upstream_calls.labels(exc.backend, FAILED).inc(retried)
            self._tokens(exc.backend, exc.usage.input_tokens, exc.usage.output_tokens)

    def _tokens(self, backend: str, input_tokens: int, output_tokens: int) -> None:
        self.tokens.labels(backend, "input").inc(input_tokens)
        self.tokens.labels(backend, "output").inc(output_tokens)


def get_metrics(request: Request) -> Metrics:
    """The app's instruments."""
    metrics: Metrics = request.app.state.metrics
    return metrics


MetricsDep = Annotated[Metrics, Depends(get_metrics)]


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
async def metrics(instruments: MetricsDep) -> Response:
    """Prometheus metrics, in the text exposition format."""
    return Response(generate_latest(instruments.registry), media_type=CONTENT_TYPE_LATEST)
