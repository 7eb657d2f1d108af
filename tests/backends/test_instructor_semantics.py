"""Pins the instructor behaviour the backends rely on (instructor 1.17).

`max_retries` counts re-asks *after* the first call (stop_after_attempt(max_retries + 1)):
0 means exactly one HTTP call, 1 means instructor silently re-asks once. The backends pass
0 because the pipeline owns and counts validation re-asks. If an upgrade changes this,
these tests fail before the call counts in production do.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import instructor
import openai
import pytest
import respx
from instructor.core import InstructorRetryException

from schemas import SummaryDraft
from tests.backends import fixture

URL = "https://api.openai.com/v1/chat/completions"


@pytest.fixture
async def client() -> AsyncIterator[instructor.AsyncInstructor]:
    async with httpx.AsyncClient() as http:
        sdk = openai.AsyncOpenAI(api_key="k", max_retries=0, http_client=http)  # type: ignore[arg-type]
        yield instructor.from_openai(sdk, mode=instructor.Mode.TOOLS)


def invalid_answer() -> httpx.Response:
    body = fixture("openai_chat_completion_tool_calls.json")
    body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = '{"headline": 1}'
    return httpx.Response(200, json=body)


@pytest.mark.parametrize(("max_retries", "http_calls"), [(0, 1), (1, 2)])
@respx.mock
async def test_max_retries_counts_reasks_after_the_first_call(
    client: instructor.AsyncInstructor, max_retries: int, http_calls: int
) -> None:
    route = respx.post(URL).mock(return_value=invalid_answer())

    with pytest.raises(InstructorRetryException) as caught:
        await client.create_with_completion(
            messages=[{"role": "user", "content": "x"}],
            response_model=SummaryDraft,
            max_retries=max_retries,
            model="gpt-4o",
        )

    assert route.call_count == http_calls
    assert caught.value.n_attempts == http_calls


@respx.mock
async def test_http_errors_surface_wrapped_with_the_sdk_error_as_cause(
    client: instructor.AsyncInstructor,
) -> None:
    respx.post(URL).mock(return_value=httpx.Response(503, json={"error": {"message": "busy"}}))

    with pytest.raises(InstructorRetryException) as caught:
        await client.create_with_completion(
            messages=[{"role": "user", "content": "x"}],
            response_model=SummaryDraft,
            max_retries=0,
            model="gpt-4o",
        )

    assert isinstance(caught.value.__cause__, openai.InternalServerError)
    assert caught.value.last_completion is None


def test_the_model_is_not_shown_the_fields_the_service_computes() -> None:
    from service.backends._llm import RESPONSE_MODEL

    shown = json.dumps(RESPONSE_MODEL.model_json_schema())
    public = json.dumps(SummaryDraft.model_json_schema())
    for field in ('"start"', '"end"', '"grounding"', '"grounded"', '"Grounding"'):
        assert field in public and field not in shown, field
    assert '"quote"' in shown and '"evidence"' in shown
    assert RESPONSE_MODEL.__name__ == "SummaryDraft"  # the tool's name the model sees
    assert (
        RESPONSE_MODEL.model_json_schema()["description"]
        == (SummaryDraft.model_json_schema()["description"])
    )
