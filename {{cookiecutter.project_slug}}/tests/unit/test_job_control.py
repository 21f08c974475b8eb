"""Job control through the API, on the in-memory store: list, cancel, retry, idempotency."""

import asyncio
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from {{ cookiecutter.project_slug }}.jobs.model import JobStatus
from tests.fakes import MemoryJobStore
from tests.unit.conftest import ECHO, KEY, OTHER_KEY, OWNER, post


def store_of(app: FastAPI) -> MemoryJobStore:
    store: MemoryJobStore = app.state.store
    return store


def set_status(app: FastAPI, job_id: str, status: JobStatus, **changes: Any) -> None:
    store = store_of(app)
    job = store.jobs[UUID(job_id)]
    store.jobs[job.id] = job.__class__(**{**_fields(job), "status": status, **changes})


def _fields(job: Any) -> dict[str, Any]:
    return {name: getattr(job, name) for name in job.__slots__}


def test_list_is_newest_first_and_pages_with_a_cursor(client: TestClient) -> None:
    ids = [post(client, ECHO).json()["id"] for _ in range(5)]
    first = client.get("/jobs", params={"limit": 2}, headers=KEY).json()
    second = client.get(
        "/jobs", params={"limit": 2, "cursor": first["next_cursor"]}, headers=KEY
    ).json()
    # Jobs added between pages do not shift the next page.
    post(client, ECHO)
    third = client.get(
        "/jobs", params={"limit": 2, "cursor": second["next_cursor"]}, headers=KEY
    ).json()
    listed = [job["id"] for page in (first, second, third) for job in page["jobs"]]
    assert listed == ids[::-1]
    assert third["next_cursor"] is None


def test_list_filters_by_status_kind_and_tier(client: TestClient, app: FastAPI) -> None:
    done = post(client, ECHO).json()["id"]
    post(client, {"kind": "summarize", "payload": {"text": "a"}})
    set_status(app, done, JobStatus.SUCCEEDED)
    by_status = client.get("/jobs", params={"status": "succeeded"}, headers=KEY).json()
    assert [job["id"] for job in by_status["jobs"]] == [done]
    by_kind = client.get("/jobs", params={"kind": "summarize"}, headers=KEY).json()
    assert [job["kind"] for job in by_kind["jobs"]] == ["summarize"]


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "not-a-uuid"},
        {"limit": 0},
        {"limit": 201},
        {"status": "lost"},
        {"created_before": "0.5"},
        {"created_after": "1700000000"},
    ],
)
def test_bad_list_parameters_are_422(client: TestClient, params: dict[str, Any]) -> None:
    response = client.get("/jobs", params=params, headers=KEY)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][0] == "query"


def test_a_queued_job_is_cancelled_at_once(client: TestClient) -> None:
    job_id = post(client, ECHO).json()["id"]
    response = client.post(f"/jobs/{job_id}/cancel", headers=KEY)
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_a_running_job_is_asked_to_stop(client: TestClient, app: FastAPI) -> None:
    job_id = post(client, ECHO).json()["id"]
    set_status(app, job_id, JobStatus.RUNNING)
    response = client.post(f"/jobs/{job_id}/cancel", headers=KEY)
    assert response.status_code == 202
    assert (response.json()["status"], response.json()["cancel_requested"]) == ("running", True)


@pytest.mark.parametrize("status", [JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED])
def test_a_finished_job_cannot_be_cancelled(
    client: TestClient, app: FastAPI, status: JobStatus
) -> None:
    job_id = post(client, ECHO).json()["id"]
    set_status(app, job_id, status)
    assert client.post(f"/jobs/{job_id}/cancel", headers=KEY).status_code == 409


def test_cancel_and_retry_of_an_unknown_job_are_404(client: TestClient) -> None:
    assert client.post(f"/jobs/{uuid4()}/cancel", headers=KEY).status_code == 404
    assert client.post(f"/jobs/{uuid4()}/retry", headers=KEY).status_code == 404


@pytest.mark.parametrize("status", [JobStatus.FAILED, JobStatus.CANCELLED])
def test_a_failed_or_cancelled_job_is_retried_as_the_same_job(
    client: TestClient, app: FastAPI, status: JobStatus
) -> None:
    job_id = post(client, ECHO).json()["id"]
    set_status(app, job_id, status, attempts=3, error="boom")
    response = client.post(f"/jobs/{job_id}/retry", headers=KEY)
    assert response.status_code == 202
    assert response.json() == {"id": job_id, "status": "queued"}
    job = store_of(app).jobs[UUID(job_id)]
    assert (job.status, job.attempts, job.error) == (JobStatus.QUEUED, 0, None)
    assert [sent[1] for sent in app.state.queue.sent] == [UUID(job_id)] * 2


@pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED])
def test_only_failed_or_cancelled_jobs_are_retried(
    client: TestClient, app: FastAPI, status: JobStatus
) -> None:
    job_id = post(client, ECHO).json()["id"]
    set_status(app, job_id, status)
    assert client.post(f"/jobs/{job_id}/retry", headers=KEY).status_code == 409


def test_the_same_idempotency_key_and_body_return_the_first_job(
    client: TestClient, app: FastAPI
) -> None:
    headers = KEY | {"Idempotency-Key": "order-42"}
    first = post(client, ECHO, headers)
    again = post(client, ECHO, headers)
    assert (first.status_code, again.status_code) == (202, 202)
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(app.state.queue.sent) == 1, "the replay must not queue a second message"


def test_the_same_idempotency_key_with_another_body_is_409(client: TestClient) -> None:
    headers = KEY | {"Idempotency-Key": "order-43"}
    assert post(client, ECHO, headers).status_code == 202
    other = {"kind": "echo", "payload": {"message": "something else"}}
    assert post(client, other, headers).status_code == 409


@pytest.mark.parametrize("key", ["", "x" * 201, "has space"])
def test_a_malformed_idempotency_key_is_422(client: TestClient, key: str) -> None:
    response = client.post("/jobs", json=ECHO, headers=KEY | {"Idempotency-Key": key})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


def test_progress_is_shown_by_get(client: TestClient, app: FastAPI) -> None:
    job_id = post(client, ECHO).json()["id"]
    asyncio.run(store_of(app).heartbeat(UUID(job_id), 0.5, "halfway"))
    body = client.get(f"/jobs/{job_id}", headers=KEY).json()
    assert (body["progress"], body["progress_message"]) == (0.5, "halfway")


def test_another_keys_job_is_404_everywhere(client: TestClient) -> None:
    job_id = post(client, ECHO).json()["id"]
    assert client.get(f"/jobs/{job_id}", headers=OTHER_KEY).status_code == 404
    assert client.post(f"/jobs/{job_id}/cancel", headers=OTHER_KEY).status_code == 404
    assert client.post(f"/jobs/{job_id}/retry", headers=OTHER_KEY).status_code == 404
    assert client.get("/jobs", headers=OTHER_KEY).json()["jobs"] == []
    assert client.get(f"/jobs/{job_id}", headers=KEY).json()["owner"] == OWNER


def test_the_same_idempotency_key_from_two_callers_makes_two_jobs(client: TestClient) -> None:
    key = {"Idempotency-Key": "shared-key"}
    mine = post(client, ECHO, KEY | key).json()["id"]
    theirs = post(client, ECHO, OTHER_KEY | key).json()["id"]
    assert mine != theirs


def test_a_cursor_naming_no_job_of_yours_is_404(client: TestClient) -> None:
    job_id = post(client, ECHO).json()["id"]
    assert client.get("/jobs", params={"cursor": str(uuid4())}, headers=KEY).status_code == 404
    other = client.get("/jobs", params={"cursor": job_id}, headers=OTHER_KEY)
    assert other.status_code == 404


def test_an_unsupported_method_lists_every_supported_one(client: TestClient) -> None:
    response = client.options("/jobs", headers=KEY)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
