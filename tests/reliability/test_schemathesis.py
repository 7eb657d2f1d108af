"""Schemathesis against the OpenAPI schema, in process, with the offline backend: no 5xx,
and every response conforms to the schema (status codes, content types, bodies).

One check is left out: a schema-valid body may be refused with 422 (an article must be
usable text: rules the JSON Schema does not state). Bounded examples per operation keep
the run short; the figures (operations, cases, statuses seen) are rewritten after each
case, so the file holds the totals of the run.
"""

from __future__ import annotations

from collections import Counter

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    positive_data_acceptance,
)

from service.config import Settings
from service.main import create_app
from tests.reliability.report import record

EXAMPLES = 25
SEEN: Counter[str] = Counter()
OPERATIONS: set[str] = set()


# Built at import, as schemathesis parametrizes at collection; every setting that matters
# is given here, so the host's environment cannot change the app under test.
APP = create_app(
    Settings(backends={}, chain=["offline"], api_keys={}, api_keys_file=None,
             rate_limit_per_minute=0, max_concurrent_requests=32)
)  # fmt: skip
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_api_answers_every_generated_request_within_its_schema(
    case: schemathesis.Case,
) -> None:
    response = case.call()
    OPERATIONS.add(f"{case.method} {case.path}")
    SEEN[str(response.status_code)] += 1
    assert response.status_code < 500, response.text
    case.validate_response(response, excluded_checks=[positive_data_acceptance])
    record(
        "schemathesis_openapi",
        method_path_pairs=len(OPERATIONS),
        cases=sum(SEEN.values()),
        max_examples_per_operation=EXAMPLES,
        statuses=dict(sorted(SEEN.items())),
        status_5xx=sum(n for code, n in SEEN.items() if code.startswith("5")),
    )
