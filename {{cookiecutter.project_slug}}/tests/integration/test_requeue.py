"""The periodic sweep: a job whose message was lost is sent again, and completes."""

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from celery.worker import WorkController

from {{ cookiecutter.project_slug }}.jobs.model import Job, JobStatus
from {{ cookiecutter.project_slug }}.layout import DEFAULT_TIER
from {{ cookiecutter.project_slug }}.worker import runtime
from {{ cookiecutter.project_slug }}.worker.celery_app import REQUEUE_TASK, app
from {{ cookiecutter.project_slug }}.worker.tasks import requeue_stale_jobs

#: Ages are whole seconds: the nx-27017 test server keeps server-side timestamps to the second.
AGE_SECONDS = 2.5


def add_job(worker_runtime: runtime.WorkerRuntime, status: JobStatus) -> Job:
    """A job in `status`, with no message on the broker: what a lost message leaves behind."""

    async def add() -> Job:
        async with worker_runtime.database.store() as store:
            job = Job(id=uuid4(), queue=DEFAULT_TIER, status=JobStatus.QUEUED, payload={})
            await store.add(job)
            if status is not JobStatus.QUEUED:
                await store.claim(job.id)
            if status is JobStatus.SUCCEEDED:
                await store.succeed(job.id, None)
            if status is JobStatus.FAILED:
                await store.fail(job.id, "test")
            return job

    return worker_runtime.loops.run(add())


def test_beat_sweeps_every_five_minutes() -> None:
    entry = app.conf.beat_schedule["requeue-stale-jobs"]
    assert entry["task"] == REQUEUE_TASK
    assert entry["schedule"].total_seconds() == 300


def test_only_unfinished_jobs_are_taken_and_each_only_once(
    worker_runtime: runtime.WorkerRuntime,
) -> None:
    jobs = {status: add_job(worker_runtime, status) for status in JobStatus}
    time.sleep(AGE_SECONDS)
    before = datetime.now(UTC) - timedelta(seconds=1)

    async def take() -> set[str]:
        async with worker_runtime.database.store() as store:
            return {str(job.id) for job in await store.take_stale(before, limit=100_000)}

    taken = worker_runtime.loops.run(take())
    ours = {status.value for status, job in jobs.items() if str(job.id) in taken}
    assert ours == {"queued", "running"}, f"took {ours}"
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
