"""The jobs contract end to end: the API stores and queues, a real worker runs, the API reports."""

from collections.abc import Callable
from typing import Any

import pytest
from celery.worker import WorkController
from fastapi.testclient import TestClient

from {{ cookiecutter.project_slug }}.jobs.kinds import KINDS
from {{ cookiecutter.project_slug }}.layout import TIERS
from {{ cookiecutter.project_slug }}.worker import runtime
from tests.integration.jobs_in_states import send_new_job
from tests.services import HEADERS, post_job

WaitForJob = Callable[..., dict[str, Any]]

#: A payload for each example kind, and a key its result must have.
EXAMPLES: dict[str, tuple[dict[str, Any], str]] = {
    "echo": ({"message": "hi", "sleep": 0.01}, "message"),
    "summarize": ({"text": "one two three", "max_words": 2}, "summary"),
    "digest": ({"data": "x", "rounds": 1000}, "digest"),
    "report": ({"sections": ["a b", "c d", "e f"]}, "summaries"),
}


def test_the_examples_are_registered_kinds() -> None:
    assert set(EXAMPLES) <= set(KINDS)


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_a_job_of_each_kind_is_processed_and_read_back(
    api: TestClient, worker: WorkController, wait_for_job: WaitForJob, kind: str
) -> None:
    payload, result_key = EXAMPLES[kind]
    job = wait_for_job(post_job(api, payload, kind=kind))
    assert job["status"] == "succeeded", job
    assert (job["kind"], job["tier"]) == (kind, KINDS[kind].default_tier)
    assert result_key in job["result"], job


@pytest.mark.parametrize("tier", TIERS)
def test_two_kinds_run_on_each_tier(
    api: TestClient, worker: WorkController, wait_for_job: WaitForJob, tier: str
) -> None:
    ids = [
        post_job(api, {"message": tier}, tier=tier, kind="echo"),
        post_job(api, {"text": f"on {tier}"}, tier=tier, kind="summarize"),
    ]
    jobs = [wait_for_job(job_id) for job_id in ids]
    assert [(job["status"], job["tier"]) for job in jobs] == [("succeeded", tier)] * 2, jobs


def test_a_payload_the_worker_cannot_use_fails_the_job_without_retry(
    worker: WorkController, worker_runtime: runtime.WorkerRuntime, wait_for_job: WaitForJob
) -> None:
    # Stored past the API's validation, as a payload stored before its kind's model changed.
    job = wait_for_job(send_new_job(worker_runtime, "echo", {"sleep": "soon"}))
    assert job["status"] == "failed"
    assert job["attempts"] == 1, "bad input must not be retried"
    assert job["error"].startswith("invalid payload: payload.sleep"), job


def test_a_burst_of_jobs_all_succeed(
    api: TestClient, worker: WorkController, wait_for_job: WaitForJob
) -> None:
    burst = 40
    ids = [post_job(api, {"sleep": 0.01, "message": str(i)}) for i in range(burst)]
    statuses = [wait_for_job(job_id)["status"] for job_id in ids]
    failed = [s for s in statuses if s != "succeeded"]
    assert not failed, f"{len(failed)} of {burst} jobs did not succeed: {failed[:5]}"


def test_unknown_job_is_404(api: TestClient, services: object) -> None:
    response = api.get("/jobs/00000000-0000-0000-0000-000000000000", headers=HEADERS)
    assert response.status_code == 404


def test_ready_checks_real_services(api: TestClient) -> None:
    response = api.get("/health/ready")
    assert response.status_code == 200, response.text
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}
