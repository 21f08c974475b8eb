"""The periodic sweep: a job whose message was lost is sent again, and completes."""

import time
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

import pytest
from celery.worker import WorkController

from {{ cookiecutter.project_slug }}.jobs.model import JobStatus
from {{ cookiecutter.project_slug }}.worker import runtime, tasks
from {{ cookiecutter.project_slug }}.worker.celery_app import REQUEUE_TASK, app
from {{ cookiecutter.project_slug }}.worker.tasks import requeue_stale_jobs
from tests.integration.jobs_in_states import add_job, job_updated_at

_real_time = time.time

#: Ages are whole seconds: the nx-27017 test server keeps server-side timestamps to the second.
AGE_SECONDS = 2.5


def test_beat_sweeps_every_five_minutes() -> None:
    entry = app.conf.beat_schedule["requeue-stale-jobs"]
    assert entry["task"] == REQUEUE_TASK
    assert entry["schedule"].total_seconds() == 300


def test_only_unfinished_jobs_are_taken_and_each_only_once(
    worker_runtime: runtime.WorkerRuntime,
) -> None:
    jobs = {status: add_job(worker_runtime, status) for status in JobStatus}
    time.sleep(AGE_SECONDS)

    async def take() -> set[str]:
        async with worker_runtime.database.store() as store:
            return {str(job.id) for job in await store.take_stale(1, limit=100_000)}

    taken = worker_runtime.loops.run(take())
    ours = {status.value for status, job in jobs.items() if str(job.id) in taken}
    assert ours == {"queued", "running", "waiting", "completing"}, f"took {ours}"
    again = worker_runtime.loops.run(take())
    assert not again & {str(job.id) for job in jobs.values()}, "a taken job was taken again"


def test_a_job_whose_message_was_lost_is_sent_again_and_completes(
    worker: WorkController,
    worker_runtime: runtime.WorkerRuntime,
    wait_for_job: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lost = add_job(worker_runtime, JobStatus.QUEUED)
    monkeypatch.setattr(worker_runtime.settings, "job_requeue_after", 1)
    time.sleep(AGE_SECONDS)
    sent = requeue_stale_jobs.apply().get()
    job = wait_for_job(str(lost.id))
    assert job["status"] == "succeeded", f"after the sweep sent {sent} jobs: {job}"
    assert job["attempts"] == 1, job


def test_a_stale_job_of_a_queue_no_worker_serves_fails_with_the_reason(
    worker_runtime: runtime.WorkerRuntime,
    wait_for_job: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    orphan = add_job(worker_runtime, JobStatus.QUEUED, queue="retired")
    monkeypatch.setattr(worker_runtime.settings, "job_requeue_after", 1)
    time.sleep(AGE_SECONDS)
    requeue_stale_jobs.apply().get()
    job = wait_for_job(str(orphan.id), timeout=5)
    assert job["status"] == "failed", job
    assert job["error"] == "its queue 'retired' is not served", job


class _ClockAhead(datetime):
    """A process clock 40 s ahead of the database's, as the issue's skewed worker had."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> "_ClockAhead":
        return cls.fromtimestamp(time.time() + 40, tz)


def test_the_sweep_ignores_a_worker_clock_that_runs_ahead(
    worker_runtime: runtime.WorkerRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    running = add_job(worker_runtime, JobStatus.RUNNING)
    stamped = job_updated_at(worker_runtime, running)
    monkeypatch.setattr(worker_runtime.settings, "job_requeue_after", 30)
    # Everything the sweep's module could read the time from runs ahead.
    monkeypatch.setattr(tasks, "datetime", _ClockAhead)
    monkeypatch.setattr(time, "time", lambda: _real_time() + 40)
    requeue_stale_jobs.apply().get()
    monkeypatch.undo()
    assert job_updated_at(worker_runtime, running) == stamped, "a job 0 s old was sent again"
