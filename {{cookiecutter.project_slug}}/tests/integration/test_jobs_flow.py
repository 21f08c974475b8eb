"""The jobs contract end to end: the API stores and queues, a real worker runs, the API reports."""

from collections.abc import Callable
from typing import Any

import pytest
from celery.worker import WorkController
from fastapi.testclient import TestClient

from {{ cookiecutter.project_slug }}.layout import CPU_QUEUE, QUEUES
from tests.services import HEADERS

WaitForJob = Callable[..., dict[str, Any]]


@pytest.mark.parametrize("tier", QUEUES)
def test_a_job_posted_to_each_tier_is_processed_and_read_back(
    api: TestClient, worker: WorkController, wait_for_job: WaitForJob, tier: str
) -> None:
    payload = {"rounds": 1000, "tier": tier} if tier == CPU_QUEUE else {"tier": tier}
    response = api.post("/jobs", json={"payload": payload, "tier": tier}, headers=HEADERS)
    assert response.status_code == 202, response.text
    job = wait_for_job(response.json()["id"])
    assert job["status"] == "succeeded", job
    assert job["tier"] == tier
    assert job["attempts"] == 1
    expected_key = "digest" if tier == CPU_QUEUE else "echo"
    assert expected_key in job["result"], job


def test_bad_payload_fails_the_job_without_retry(
    api: TestClient, worker: WorkController, wait_for_job: WaitForJob
) -> None:
    response = api.post("/jobs", json={"payload": {"sleep": -5}}, headers=HEADERS)
    job = wait_for_job(response.json()["id"])
    assert job["status"] == "failed"
    assert job["attempts"] == 1, "bad input must not be retried"
    assert job["error"].startswith("invalid payload: payload.sleep")


def test_a_burst_of_jobs_all_succeed(
    api: TestClient, worker: WorkController, wait_for_job: WaitForJob
) -> None:
    burst = 40
    ids = [
        api.post("/jobs", json={"payload": {"sleep": 0.01, "i": i}}, headers=HEADERS).json()["id"]
        for i in range(burst)
    ]
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
