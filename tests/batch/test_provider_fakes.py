"""respx fakes of the OpenAI Batch API and Anthropic Message Batches, with the real shapes.

The shapes follow the providers' API references (and the SDKs' types, which the tests at
the end of this file check them against): OpenAI's batch object, file object and output /
error file lines; Anthropic's message batch object and results lines.
"""

from __future__ import annotations

import copy
import email
import email.policy
import itertools
import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import anthropic.types.messages as anthropic_batches
import httpx
import openai.types
import respx

from tests.backends import fixture

OPENAI = "https://api.openai.com/v1"
ANTHROPIC = "https://api.anthropic.com/v1"
CREATED = 1736409600  # 2025-01-09T08:00:00Z
CREATED_ISO = "2025-01-09T08:00:00.000000Z"
EXPIRES_ISO = "2025-01-10T08:00:00.000000Z"

Answer = Callable[[str, dict[str, Any]], dict[str, Any]]
"""(custom_id, request body) -> the result of that request."""


def draft_dict(**overrides: Any) -> dict[str, Any]:
    """The draft every success fixture carries, with top-level fields replaced."""
    data: dict[str, Any] = fixture("summary_draft.json")
    data.update(overrides)
    return data


def ungrounded_draft() -> dict[str, Any]:
    """A schema-valid draft whose first quote is nowhere in the article (a hard issue)."""
    data = draft_dict()
    data["events"][0]["evidence"] = [{"quote": "rebels seized the airport of Timbuktu"}]
    return data


def chat_completion(draft: dict[str, Any] | None = None) -> dict[str, Any]:
    """An OpenAI chat.completion answering with a SummaryDraft tool call."""
    body: dict[str, Any] = fixture("openai_chat_completion_tool_calls.json")
    if draft is not None:
        call = body["choices"][0]["message"]["tool_calls"][0]
        call["function"]["arguments"] = json.dumps(draft, ensure_ascii=False)
    return body


def message(draft: dict[str, Any] | None = None) -> dict[str, Any]:
    """An Anthropic message answering with a SummaryDraft tool_use block."""
    body: dict[str, Any] = fixture("anthropic_messages_tool_use.json")
    if draft is not None:
        tool_use = next(block for block in body["content"] if block["type"] == "tool_use")
        tool_use["input"] = draft
    return body


def multipart_field(request: httpx.Request, name: str) -> bytes:
    """One field of a multipart/form-data request body."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    parsed = email.message_from_bytes(head + request.content, policy=email.policy.HTTP)
    for part in parsed.iter_parts():  # type: ignore[attr-defined]
        if part.get_param("name", header="content-disposition") == name:
            payload: bytes = part.get_payload(decode=True)
            return payload
    raise AssertionError(f"no multipart field {name!r}")


class FakeOpenAIBatches:
    """`/v1/files`, `/v1/batches` and file contents of one OpenAI-style server."""

    def __init__(self, router: respx.MockRouter, base: str = OPENAI) -> None:
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        root = re.escape(base)
        self.upload = router.post(f"{base}/files").mock(side_effect=self._upload)
        self.create = router.post(f"{base}/batches").mock(side_effect=self._create)
        self.retrieve = router.get(url__regex=rf"^{root}/batches/[^/]+$").mock(
            side_effect=self._retrieve
        )
        self.content = router.get(url__regex=rf"^{root}/files/[^/]+/content$").mock(
            side_effect=self._content
        )
        self.listing = router.get(url__regex=rf"^{root}/batches(\?.*)?$").mock(
            side_effect=self._list
        )

    def requests(self, batch_id: str) -> list[dict[str, Any]]:
        """The input file lines of a batch."""
        data = self.files[self.batches[batch_id]["input_file_id"]]
        return [json.loads(line) for line in data.splitlines()]

    def finish(self, batch_id: str, answer: Answer, status: str = "completed") -> None:
        """End a batch: each request's result line goes to the output or the error file."""
        batch = self.batches[batch_id]
        ok: list[bytes] = []
        failed: list[bytes] = []
        for request in self.requests(batch_id):
            result = answer(request["custom_id"], request["body"])
            line = {"id": f"batch_req_{next(self._ids)}", "custom_id": request["custom_id"]}
            line.update(result)
            answered = (line.get("response") or {}).get("status_code") == 200
            (ok if answered else failed).append(json.dumps(line).encode())
        batch.update(status=status, completed_at=CREATED + 3600, finalizing_at=CREATED + 3500)
        batch["request_counts"] = {
            "total": len(ok) + len(failed),
            "completed": len(ok),
            "failed": len(failed),
        }
        if ok:
            batch["output_file_id"] = self._store(b"\n".join(ok) + b"\n")
        if failed:
            batch["error_file_id"] = self._store(b"\n".join(failed) + b"\n")

    def fail(self, batch_id: str, code: str, message: str) -> None:
        """The batch as a whole is rejected (e.g. its input file is invalid)."""
        batch = self.batches[batch_id]
        batch.update(status="failed", failed_at=CREATED + 60)
        error = {"code": code, "message": message, "param": None, "line": 1}
        batch["errors"] = {"object": "list", "data": [error]}

    def _store(self, content: bytes) -> str:
        file_id = f"file-{next(self._ids):04d}"
        self.files[file_id] = content
        return file_id

    def _upload(self, request: httpx.Request) -> httpx.Response:
        assert multipart_field(request, "purpose") == b"batch"
        content = multipart_field(request, "file")
        file_id = self._store(content)
        return httpx.Response(200, json={
            "id": file_id, "object": "file", "bytes": len(content), "created_at": CREATED,
            "filename": "requests.jsonl", "purpose": "batch", "status": "processed",
            "expires_at": CREATED + 30 * 86400, "status_details": None,
        })  # fmt: skip

    def _create(self, request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content)
        batch_id = f"batch_{next(self._ids):04d}"
        self.batches[batch_id] = {
            "id": batch_id, "object": "batch", "endpoint": sent["endpoint"], "errors": None,
            "input_file_id": sent["input_file_id"],
            "completion_window": sent["completion_window"], "status": "validating",
            "output_file_id": None, "error_file_id": None, "created_at": int(time.time()),
            "in_progress_at": None, "expires_at": CREATED + 86400, "finalizing_at": None,
            "completed_at": None, "failed_at": None, "expired_at": None, "cancelling_at": None,
            "cancelled_at": None, "request_counts": {"total": 0, "completed": 0, "failed": 0},
            "metadata": sent.get("metadata"),
        }  # fmt: skip
        return httpx.Response(200, json=self.batches[batch_id])

    def _retrieve(self, request: httpx.Request) -> httpx.Response:
        batch_id = request.url.path.rsplit("/", 1)[-1]
        batch = self.batches.get(batch_id)
        if batch is None:
            return httpx.Response(404, json=openai_error("No batch found", "invalid_request_error"))
        if batch["status"] == "validating":
            total = len(self.requests(batch_id))
            batch.update(status="in_progress", in_progress_at=CREATED + 5)
            batch["request_counts"] = {"total": total, "completed": 0, "failed": 0}
        return httpx.Response(200, json=batch)

    def _list(self, request: httpx.Request) -> httpx.Response:
        """`GET /v1/batches?limit=&after=`: newest first, a cursor page."""
        newest = list(reversed(self.batches.values()))
        page = _page(newest, request.url.params.get("after"), request.url.params)
        return httpx.Response(200, json={
            "object": "list", "data": page,
            "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None,
            "has_more": bool(page) and page[-1] is not newest[-1],
        })  # fmt: skip

    def _content(self, request: httpx.Request) -> httpx.Response:
        file_id = request.url.path.split("/")[-2]
        headers = {"content-type": "application/octet-stream"}
        return httpx.Response(200, content=self.files[file_id], headers=headers)


def _page(
    newest: list[dict[str, Any]], after: str | None, params: httpx.QueryParams
) -> list[dict[str, Any]]:
    """The page of a newest-first list after the object `after` (the list endpoints' cursor)."""
    ids = [item["id"] for item in newest]
    start = ids.index(after) + 1 if after in ids else 0
    return newest[start : start + int(params.get("limit", "20"))]


def openai_error(message: str, kind: str, code: str | None = None) -> dict[str, Any]:
    """An OpenAI error body."""
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def answered(body: dict[str, Any], status: int = 200) -> dict[str, Any]:
    """An OpenAI result line's payload for an answered request."""
    return {"response": {"status_code": status, "request_id": "req_8b1c", "body": body},
            "error": None}  # fmt: skip


def request_failed(code: str, message: str) -> dict[str, Any]:
    """An OpenAI result line's payload for a request that failed or expired."""
    return {"response": None, "error": {"code": code, "message": message}}


class FakeAnthropicBatches:
    """`/v1/messages/batches` of Anthropic's API."""

    def __init__(self, router: respx.MockRouter, base: str = ANTHROPIC) -> None:
        self.base = base
        self.batches: dict[str, dict[str, Any]] = {}
        self.sent: dict[str, list[dict[str, Any]]] = {}
        self.results_lines: dict[str, bytes] = {}
        self._ids = itertools.count(1)
        root = re.escape(base)
        self.create = router.post(f"{base}/messages/batches").mock(side_effect=self._create)
        self.retrieve = router.get(url__regex=rf"^{root}/messages/batches/[^/]+$").mock(
            side_effect=self._retrieve
        )
        self.results = router.get(url__regex=rf"^{root}/messages/batches/[^/]+/results$").mock(
            side_effect=self._results
        )
        self.listing = router.get(url__regex=rf"^{root}/messages/batches(\?.*)?$").mock(
            side_effect=self._list
        )

    def requests(self, batch_id: str) -> list[dict[str, Any]]:
        """The requests of a batch as sent."""
        return self.sent[batch_id]

    def finish(self, batch_id: str, answer: Answer) -> None:
        """End a batch with a result for each request (`{"type": ...}` objects)."""
        counts = dict.fromkeys(("processing", "succeeded", "errored", "canceled", "expired"), 0)
        lines: list[bytes] = []
        for request in self.sent[batch_id]:
            result = answer(request["custom_id"], request["params"])
            counts[result["type"]] += 1
            lines.append(json.dumps({"custom_id": request["custom_id"], "result": result}).encode())
        self.results_lines[batch_id] = b"\n".join(lines) + b"\n"
        batch = self.batches[batch_id]
        batch.update(processing_status="ended", ended_at=EXPIRES_ISO, request_counts=counts)
        batch["results_url"] = f"{self.base}/messages/batches/{batch_id}/results"

    def _create(self, request: httpx.Request) -> httpx.Response:
        requests = json.loads(request.content)["requests"]
        batch_id = f"msgbatch_01{next(self._ids):022d}"
        self.sent[batch_id] = copy.deepcopy(requests)
        counts = {"processing": len(requests), "succeeded": 0, "errored": 0, "canceled": 0,
                  "expired": 0}  # fmt: skip
        self.batches[batch_id] = {
            "id": batch_id, "type": "message_batch", "processing_status": "in_progress",
            "request_counts": counts, "ended_at": None,
            "created_at": datetime.now(UTC).isoformat(timespec="microseconds"),
            "expires_at": EXPIRES_ISO, "archived_at": None, "cancel_initiated_at": None,
            "results_url": None,
        }  # fmt: skip
        return httpx.Response(200, json=self.batches[batch_id])

    def _list(self, request: httpx.Request) -> httpx.Response:
        """`GET /v1/messages/batches?limit=&after_id=`: newest first, a page with ids."""
        newest = list(reversed(self.batches.values()))
        page = _page(newest, request.url.params.get("after_id"), request.url.params)
        return httpx.Response(200, json={
            "data": page,
            "has_more": bool(page) and page[-1] is not newest[-1],
            "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None,
        })  # fmt: skip

    def _retrieve(self, request: httpx.Request) -> httpx.Response:
        batch_id = request.url.path.rsplit("/", 1)[-1]
        if batch_id not in self.batches:
            error = {"type": "not_found_error", "message": "batch not found"}
            return httpx.Response(404, json={"type": "error", "error": error})
        return httpx.Response(200, json=self.batches[batch_id])

    def _results(self, request: httpx.Request) -> httpx.Response:
        batch_id = request.url.path.split("/")[-2]
        headers = {"content-type": "application/binary"}
        return httpx.Response(200, content=self.results_lines[batch_id], headers=headers)


def succeeded(body: dict[str, Any]) -> dict[str, Any]:
    """An Anthropic batch result carrying a message."""
    return {"type": "succeeded", "message": body}


def errored(kind: str, text: str) -> dict[str, Any]:
    """An Anthropic batch result for a request that failed."""
    return {"type": "errored",
            "error": {"type": "error", "error": {"type": kind, "message": text}}}  # fmt: skip


# -- the fakes' shapes are the SDKs' types ---------------------------------------------------


async def test_openai_fake_objects_parse_as_the_sdk_types() -> None:
    with respx.mock(assert_all_called=False) as router:
        fake = FakeOpenAIBatches(router)
        async with httpx.AsyncClient() as http:
            upload = await http.post(
                f"{OPENAI}/files",
                files={"file": ("r.jsonl", b'{"custom_id": "r-1", "body": {}}\n')},
                data={"purpose": "batch"},
            )
            openai.types.FileObject.model_validate(upload.json(), strict=True)
            body = {"input_file_id": upload.json()["id"], "endpoint": "/v1/chat/completions",
                    "completion_window": "24h"}  # fmt: skip
            created = (await http.post(f"{OPENAI}/batches", json=body)).json()
            fake.finish(created["id"], lambda _cid, _body: answered(chat_completion()))
            batch = (await http.get(f"{OPENAI}/batches/{created['id']}")).json()
            listed = (await http.get(f"{OPENAI}/batches", params={"limit": 1})).json()
    parsed = openai.types.Batch.model_validate(batch, strict=True)
    assert parsed.status == "completed" and parsed.output_file_id
    assert set(listed) == {"object", "data", "first_id", "last_id", "has_more"}
    assert openai.types.Batch.model_validate(listed["data"][0], strict=True).id == parsed.id
    line = json.loads(fake.files[parsed.output_file_id])
    assert set(line) == {"id", "custom_id", "response", "error"}
    openai.types.chat.ChatCompletion.model_validate(line["response"]["body"])


async def test_anthropic_fake_objects_parse_as_the_sdk_types() -> None:
    with respx.mock(assert_all_called=False) as router:
        fake = FakeAnthropicBatches(router)
        async with httpx.AsyncClient() as http:
            params = {"model": "m", "max_tokens": 8, "messages": []}
            body = {"requests": [{"custom_id": "r-1", "params": params},
                                 {"custom_id": "r-2", "params": params}]}  # fmt: skip
            created = (await http.post(f"{ANTHROPIC}/messages/batches", json=body)).json()
            anthropic_batches.MessageBatch.model_validate(created)
            results = iter([succeeded(message()), errored("overloaded_error", "Overloaded")])
            fake.finish(created["id"], lambda _cid, _params: next(results))
            ended = (await http.get(f"{ANTHROPIC}/messages/batches/{created['id']}")).json()
            lines = (await http.get(ended["results_url"])).content.splitlines()
            listed = (await http.get(f"{ANTHROPIC}/messages/batches")).json()
    assert anthropic_batches.MessageBatch.model_validate(ended).processing_status == "ended"
    assert set(listed) == {"data", "has_more", "first_id", "last_id"}
    assert anthropic_batches.MessageBatch.model_validate(listed["data"][0]).id == ended["id"]
    for raw in lines:
        anthropic_batches.MessageBatchIndividualResponse.model_validate(json.loads(raw))
