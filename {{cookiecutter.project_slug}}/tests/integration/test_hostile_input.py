"""Against the real database and worker: what the API accepts is stored, run and read back
exactly, and what a database could not keep is refused before anything is stored."""

from collections.abc import Callable
from typing import Any

import pytest
from celery.worker import WorkController
from fastapi.testclient import TestClient

from {{ cookiecutter.project_slug }}.api.strict_json import MAX_DEPTH
from tests.services import HEADERS, post_job

WaitForJob = Callable[..., dict[str, Any]]
JSON = {"Content-Type": "application/json"}


def nested(levels: int) -> Any:
    value: Any = "bottom"
    for level in range(levels):
        value = [value] if level % 2 else {"level": value}
    return value


@pytest.mark.parametrize(
    "payload",
    [
        # The deepest body allowed: {"payload": {"data": ...}} is two levels, the data the rest.
        nested(MAX_DEPTH - 2),
        {"edges": [2**63 - 1, -(2**63), 0.1, -2.5, 1e-300, True, None]},
        {"a.b": 1, "": "empty key", "x$": "dollar inside", "text": 'é 😀 \\ " \n\t'},
    ],
    ids=["deepest", "numbers", "keys-and-text"],
)
def test_what_is_accepted_runs_and_reads_back_exactly(
    api: TestClient, worker: WorkController, wait_for_job: WaitForJob, payload: Any
) -> None:
    job = wait_for_job(post_job(api, {"data": payload}))
    assert job["status"] == "succeeded", job
    assert job["result"] == {"message": "", "data": payload}


@pytest.mark.parametrize(
    "body",
    [
        rb'{"kind": "echo", "payload": {"text": "a\u0000b"}}',
        rb'{"kind": "echo", "payload": {"a\u0000": 1}}',
        rb'{"kind": "echo", "payload": "\udc00"}',
        b'{"kind": "echo", "payload": [NaN, Infinity]}',
        b'{"kind": "echo", "payload": 1e400}',
        b'{"kind": "echo", "payload": 9223372036854775808}',
        b'{"kind": "echo", "payload": {"$ref": "jobs", "$id": 1}}',
        b'{"kind": "echo", "payload": ' + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH + b"}",
    ],
)
def test_what_a_database_cannot_keep_is_422_before_it_is_stored(
    api: TestClient, body: bytes
) -> None:
    response = api.post("/jobs", content=body, headers=HEADERS | JSON)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][:2] == ["body", "payload"]
