"""A job's life: claimed once, finished once, bad input failed without retry."""

import asyncio
from uuid import uuid4

import pytest
from pydantic import JsonValue

from {{ cookiecutter.project_slug }}.jobs.lifecycle import Outcome, run_job
from {{ cookiecutter.project_slug }}.jobs.model import Job, JobStatus
from {{ cookiecutter.project_slug }}.jobs.work import InvalidPayloadError, echo
from tests.fakes import MemoryJobStore

MAX = 3


def queued(payload: JsonValue = None) -> Job:
    return Job(id=uuid4(), queue="default", status=JobStatus.QUEUED, payload=payload)


def test_a_job_runs_and_records_its_result() -> None:
    store, job = MemoryJobStore(), queued({"n": 1})
    asyncio.run(store.add(job))
    assert asyncio.run(run_job(store, job.id, echo, MAX)) is Outcome.SUCCEEDED
    done = store.jobs[job.id]
    assert (done.status, done.result, done.attempts) == (JobStatus.SUCCEEDED, {"echo": {"n": 1}}, 1)


def test_a_redelivered_finished_job_is_not_run_again() -> None:
    store, job = MemoryJobStore(), queued()
    asyncio.run(store.add(job))
    asyncio.run(run_job(store, job.id, echo, MAX))
    calls: list[JsonValue] = []

    async def counting(payload: JsonValue) -> JsonValue:
        calls.append(payload)
        return None

    assert asyncio.run(run_job(store, job.id, counting, MAX)) is Outcome.SKIPPED
    assert calls == []
    assert store.jobs[job.id].attempts == 1


def test_a_job_left_running_by_a_dead_worker_is_claimed_again() -> None:
    store, job = MemoryJobStore(), queued()
    asyncio.run(store.add(job))
    asyncio.run(store.claim(job.id))  # the worker died after claiming
    assert asyncio.run(run_job(store, job.id, echo, MAX)) is Outcome.SUCCEEDED
    assert store.jobs[job.id].attempts == 2


def test_invalid_payload_fails_the_job_with_a_reason() -> None:
    store, job = MemoryJobStore(), queued({"sleep": "soon"})
    asyncio.run(store.add(job))
    assert asyncio.run(run_job(store, job.id, echo, MAX)) is Outcome.FAILED
    failed = store.jobs[job.id]
    assert failed.status is JobStatus.FAILED
    assert failed.error == "invalid payload: payload.sleep must be a number, got 'soon'"


def test_unknown_job_is_skipped() -> None:
    assert asyncio.run(run_job(MemoryJobStore(), uuid4(), echo, MAX)) is Outcome.SKIPPED


def test_transient_errors_propagate_for_the_task_to_retry() -> None:
    store, job = MemoryJobStore(), queued()
    asyncio.run(store.add(job))

    async def flaky(payload: JsonValue) -> JsonValue:
        raise ConnectionError("database went away")

    with pytest.raises(ConnectionError, match="database went away"):
        asyncio.run(run_job(store, job.id, flaky, MAX))
    assert store.jobs[job.id].status is JobStatus.RUNNING


def test_invalid_payload_is_not_a_transient_error() -> None:
    assert not issubclass(InvalidPayloadError, ConnectionError | TimeoutError | OSError)


def test_a_job_that_keeps_killing_its_worker_is_failed_after_max_attempts() -> None:
    store, job = MemoryJobStore(), queued()
    asyncio.run(store.add(job))
    for _ in range(MAX):
        asyncio.run(store.claim(job.id))  # each delivery died mid-run
    assert asyncio.run(run_job(store, job.id, echo, MAX)) is Outcome.FAILED
    failed = store.jobs[job.id]
    assert (failed.status, failed.error) == (JobStatus.FAILED, f"gave up after {MAX} attempts")
