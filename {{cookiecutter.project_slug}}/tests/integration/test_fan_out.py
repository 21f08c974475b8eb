"""Fan-out and fan-in through a real worker, and a kind this worker does not know yet."""

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from celery.worker import WorkController
from fastapi.testclient import TestClient

from {{ cookiecutter.project_slug }}.jobs import kinds
from {{ cookiecutter.project_slug }}.jobs.kinds import echo
from {{ cookiecutter.project_slug }}.worker import runtime
from tests.integration.jobs_in_states import send_new_job
from tests.services import HEADERS, post_job, wait_for

WaitForJob = Callable[..., dict[str, Any]]


def test_a_report_fans_out_three_children_and_completes_once(
    api: TestClient, worker: WorkController, wait_for_job: WaitForJob
) -> None:
    sections = ["alpha beta", "gamma delta", "epsilon zeta"]
    parent_id = post_job(api, {"sections": sections, "max_words": 1}, kind="report")
    parent = wait_for_job(parent_id)
    assert parent["status"] == "succeeded", parent
    assert parent["result"] == {"summaries": ["alpha", "gamma", "epsilon"], "failed": 0}
    assert parent["children"] == {"total": 3, "finished": 3, "succeeded": 3, "failed": 0}
    # Run once: its work (the fan-out) and its completion step are one attempt each.
    assert parent["attempts"] == 2, parent


def test_a_waiting_parent_shows_its_children_progress(
    api: TestClient, worker: WorkController, wait_for_job: WaitForJob
) -> None:
    parent_id = post_job(api, {"sections": ["a"] * 3}, kind="report")
    seen = wait_for(api, parent_id, {"waiting", "completing", "succeeded"}, timeout=30)
    assert seen["children"] is not None, seen
    assert seen["children"]["total"] == 3, seen
    assert wait_for_job(parent_id)["status"] == "succeeded"


def put_back(job: dict[str, Any]) -> bool:
    """Claimed (which stamps it) and released again: queued, but changed since created."""
    return bool(job["status"] == "queued" and job["updated_at"] != job["created_at"])


@pytest.fixture
def future_kind() -> Iterator[str]:
    """A kind name that workers learn mid-test, as a worker deployed after the API would."""
    name = "from_the_future"
    yield name
    kinds._registry.pop(name, None)


def test_a_job_of_a_kind_the_worker_does_not_know_waits_queued_until_it_does(
    api: TestClient,
    worker: WorkController,
    worker_runtime: runtime.WorkerRuntime,
    wait_for_job: WaitForJob,
    future_kind: str,
) -> None:
    job_id = send_new_job(worker_runtime, future_kind, {"message": "later"})
    # Delivered, claimed, refused and put back: the claim and the release each stamp it.
    deadline = time.monotonic() + 10
    job = api.get(f"/jobs/{job_id}", headers=HEADERS).json()
    while not put_back(job) and time.monotonic() < deadline:
        time.sleep(0.05)
        job = api.get(f"/jobs/{job_id}", headers=HEADERS).json()
    assert put_back(job), f"never delivered and put back: {job}"
    assert (job["status"], job["attempts"], job["error"]) == ("queued", 0, None), job
    kinds._registry[future_kind] = echo.KIND
    done = wait_for_job(job_id)
    assert done["status"] == "succeeded", done
    assert done["result"] == {"message": "later", "data": None}
