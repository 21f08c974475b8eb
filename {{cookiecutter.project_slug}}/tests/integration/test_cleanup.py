"""The periodic clean-up that beat runs: finished jobs past their retention go, others stay."""

import time

import pytest

from {{ cookiecutter.project_slug }}.jobs.model import FINISHED, JobStatus
from {{ cookiecutter.project_slug }}.worker import runtime
from {{ cookiecutter.project_slug }}.worker.celery_app import CLEANUP_TASK, app
from {{ cookiecutter.project_slug }}.worker.tasks import cleanup_finished_jobs
from tests.integration.jobs_in_states import add_job, job_exists


def test_beat_runs_the_clean_up_hourly() -> None:
    entry = app.conf.beat_schedule["clean-up-finished-jobs"]
    assert entry["task"] == CLEANUP_TASK
    assert entry["schedule"].total_seconds() == 3600


def test_clean_up_deletes_only_finished_jobs_past_retention(
    worker_runtime: runtime.WorkerRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = {status: add_job(worker_runtime, status) for status in JobStatus}
    # A retention of one second, so these jobs are old by the time the task runs. (Whole
    # seconds: the nx-27017 test server keeps server-side timestamps to the second.)
    monkeypatch.setattr(worker_runtime.settings, "job_retention_days", 1 / 86_400)
    time.sleep(2.5)
    deleted = cleanup_finished_jobs.apply().get()
    kept = {status.value: job_exists(worker_runtime, job) for status, job in jobs.items()}
    expected = {status.value: status not in FINISHED for status in JobStatus}
    assert kept == expected, f"clean-up deleted {deleted} jobs; kept {kept}"
