"""Job control through the API against a real worker and database: cancel, retry, list, and
an Idempotency-Key raced by twenty clients."""

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from celery.worker import WorkController
from fastapi import FastAPI
from fastapi.testclient import TestClient

from {{ cookiecutter.project_slug }}.api.deps import get_enqueuer
from {{ cookiecutter.project_slug }}.api.enqueue import Enqueuer
from {{ cookiecutter.project_slug }}.jobs.model import Job, JobStatus
from {{ cookiecutter.project_slug }}.worker import runtime
from {{ cookiecutter.project_slug }}.worker.tasks import send
from tests.integration.jobs_in_states import add_job
from tests.services import HEADERS, post_job, wait_for

WaitForJob = Callable[..., dict[str, Any]]


def test_a_running_job_is_cancelled_at_its_await_within_about_a_second(
    api: TestClient, worker: WorkController, wait_for_job: WaitForJob
) -> None:
    job_id = post_job(api, {"sleep": 20})
    wait_for(api, job_id, {"running"}, timeout=20)
    started = wait_for_progress(api, job_id)
    asked = time.monotonic()
    response = api.post(f"/jobs/{job_id}/cancel", headers=HEADERS)
    assert response.status_code == 202, response.text
    job = wait_for_job(job_id)
    took = time.monotonic() - asked
    print(f"cancel of a running job landed in {took:.2f}s (progress was {started})")
    assert (job["status"], job["cancel_requested"]) == ("cancelled", True), job
    assert took < 5, f"the cancel took {took:.1f}s"


def wait_for_progress(api: TestClient, job_id: str) -> float:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        job = api.get(f"/jobs/{job_id}", headers=HEADERS).json()
        if job["progress"]:
            assert job["progress_message"].startswith("waited"), job
            return float(job["progress"])
        time.sleep(0.1)
    raise AssertionError(f"no progress reported: {job}")


def test_a_queued_job_is_cancelled_and_its_message_skipped(
    api: TestClient, worker_runtime: runtime.WorkerRuntime, wait_for_job: WaitForJob
) -> None:
    job = add_job(worker_runtime, JobStatus.QUEUED)  # stored; its message not sent yet
    response = api.post(f"/jobs/{job.id}/cancel", headers=HEADERS)
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    send(job)
    time.sleep(1)
    after = api.get(f"/jobs/{job.id}", headers=HEADERS).json()
    assert (after["status"], after["attempts"]) == ("cancelled", 0), after


def test_a_failed_job_is_retried_as_the_same_job_and_succeeds(
    api: TestClient,
    worker: WorkController,
    worker_runtime: runtime.WorkerRuntime,
    wait_for_job: WaitForJob,
) -> None:
    failed: Job = add_job(worker_runtime, JobStatus.FAILED)
    response = api.post(f"/jobs/{failed.id}/retry", headers=HEADERS)
    assert response.status_code == 202, response.text
    job = wait_for_job(str(failed.id))
    assert (job["status"], job["attempts"], job["error"]) == ("succeeded", 1, None), job
    assert api.post(f"/jobs/{failed.id}/retry", headers=HEADERS).status_code == 409


@pytest.fixture
def sent(api: TestClient) -> Iterator[list[Job]]:
    """The jobs the API queues while the test runs (it still queues them)."""
    app: FastAPI = api.app  # type: ignore[assignment]
    enqueue: Enqueuer = app.state.enqueuer
    recorded: list[Job] = []

    async def counting(job: Job) -> None:
        recorded.append(job)
        await enqueue(job)

    app.dependency_overrides[get_enqueuer] = lambda: counting
    yield recorded
    del app.dependency_overrides[get_enqueuer]


def test_an_idempotent_post_raced_by_twenty_clients_makes_one_job(
    api: TestClient, worker: WorkController, wait_for_job: WaitForJob, sent: list[Job]
) -> None:
    key = f"race-{time.monotonic_ns()}"
    body = {"kind": "echo", "payload": {"message": key}}

    def post(_: int) -> Any:
        return api.post("/jobs", json=body, headers=HEADERS | {"Idempotency-Key": key})

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(post, range(20)))
    assert {r.status_code for r in responses} == {202}
    ids = {r.json()["id"] for r in responses}
    assert len(ids) == 1, ids
    job = wait_for_job(ids.pop())
    assert (job["status"], job["attempts"]) == ("succeeded", 1), job
    assert len(sent) == 1, f"{len(sent)} messages for one job"


def test_list_pages_stay_correct_while_jobs_are_added(api: TestClient, services: object) -> None:
    # MongoDB keeps milliseconds: start just before this millisecond, or the first job's
    # stored creation time could fall before `since`.
    now = datetime.now(UTC)
    since = now.replace(microsecond=now.microsecond // 1000 * 1000) - timedelta(microseconds=1)
    since_text = since.isoformat()
    ids = [post_job(api, {"message": str(n)}) for n in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"created_after": since_text, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = api.get("/jobs", params=params, headers=HEADERS).json()
        seen += [job["id"] for job in page["jobs"]]
        post_job(api, {"message": "added while paging"})
        cursor = page["next_cursor"]
        if cursor is None:
            break
    newest_first = ids[::-1]
    assert [job_id for job_id in seen if job_id in ids] == newest_first, seen
    assert seen[: len(ids)] == newest_first, (
        "jobs added while paging must not appear in later pages"
    )
