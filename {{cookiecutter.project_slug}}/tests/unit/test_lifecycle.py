"""A job's life: claimed once, dispatched on its kind, finished once; fan-out completes once."""

import asyncio
from collections.abc import Mapping
from typing import Any
from uuid import UUID, uuid4

import pytest

from {{ cookiecutter.project_slug }}.jobs import progress
from {{ cookiecutter.project_slug }}.jobs.fanout import child_id, children_of
from {{ cookiecutter.project_slug }}.jobs.kind import JobKind, Payload
from {{ cookiecutter.project_slug }}.jobs.kinds import KINDS, report
from {{ cookiecutter.project_slug }}.jobs.lifecycle import (
    Attempt,
    Outcome,
    UnknownKindError,
    fail_job,
    run_job,
)
from {{ cookiecutter.project_slug }}.jobs.model import Job, JobStatus
from tests.fakes import MemoryJobStore

MAX = 3


class Sent(list[Job]):
    def __call__(self, job: Job) -> None:
        self.append(job)


def add(store: MemoryJobStore, kind: str = "echo", payload: Any = None) -> Job:
    job = Job(
        id=uuid4(), kind=kind, queue="default", status=JobStatus.QUEUED, payload=payload or {}
    )
    asyncio.run(store.add(job))
    return job


def run(
    store: MemoryJobStore, job_id: UUID, sent: Sent, kinds: Mapping[str, JobKind[Any]] = KINDS
) -> Outcome:
    return asyncio.run(run_job(store, Attempt(job_id), max_attempts=MAX, send=sent, kinds=kinds))


def test_a_job_runs_its_kind_and_records_the_result() -> None:
    store, sent = MemoryJobStore(), Sent()
    job = add(store, "echo", {"message": "hi"})
    assert run(store, job.id, sent) is Outcome.SUCCEEDED
    done = store.jobs[job.id]
    assert (done.status, done.result, done.attempts) == (
        JobStatus.SUCCEEDED,
        {"message": "hi", "data": None},
        1,
    )


def test_a_redelivered_finished_job_is_not_run_again() -> None:
    store, sent = MemoryJobStore(), Sent()
    job = add(store)
    run(store, job.id, sent)
    assert run(store, job.id, sent) is Outcome.SKIPPED
    assert store.jobs[job.id].attempts == 1


def test_a_job_left_running_by_a_dead_worker_is_claimed_again() -> None:
    store, sent = MemoryJobStore(), Sent()
    job = add(store)
    asyncio.run(store.claim(job.id))  # the worker died after claiming
    assert run(store, job.id, sent) is Outcome.SUCCEEDED
    assert store.jobs[job.id].attempts == 2


def test_an_invalid_stored_payload_fails_the_job_naming_the_field() -> None:
    store, sent = MemoryJobStore(), Sent()
    job = add(store, "echo", {"sleep": "soon"})
    assert run(store, job.id, sent) is Outcome.FAILED
    failed = store.jobs[job.id]
    assert failed.status is JobStatus.FAILED
    assert failed.error is not None
    assert failed.error.startswith("invalid payload: payload.sleep")


def test_unknown_job_is_skipped() -> None:
    assert run(MemoryJobStore(), uuid4(), Sent()) is Outcome.SKIPPED


def test_an_unknown_kind_is_put_back_queued_for_a_worker_that_knows_it() -> None:
    store, sent = MemoryJobStore(), Sent()
    job = add(store, "from_the_future")
    with pytest.raises(UnknownKindError, match="unknown job kind 'from_the_future'"):
        run(store, job.id, sent)
    back = store.jobs[job.id]
    assert (back.status, back.attempts) == (JobStatus.QUEUED, 0)


def test_transient_errors_propagate_for_the_task_to_retry() -> None:
    async def flaky(payload: Payload) -> None:
        raise ConnectionError("database went away")

    store, sent = MemoryJobStore(), Sent()
    job = add(store, "flaky")
    kinds = {"flaky": JobKind(name="flaky", payload=Payload, work=flaky)}
    with pytest.raises(ConnectionError, match="database went away"):
        run(store, job.id, sent, kinds)
    assert store.jobs[job.id].status is JobStatus.RUNNING


def test_a_job_that_keeps_killing_its_worker_is_failed_after_max_attempts() -> None:
    store, sent = MemoryJobStore(), Sent()
    job = add(store)
    for _ in range(MAX):
        asyncio.run(store.claim(job.id))  # each delivery died mid-run
    assert run(store, job.id, sent) is Outcome.FAILED
    failed = store.jobs[job.id]
    assert (failed.status, failed.error) == (JobStatus.FAILED, f"gave up after {MAX} attempts")


def test_a_fan_out_stores_and_queues_its_children_and_waits() -> None:
    store, sent = MemoryJobStore(), Sent()
    parent = add(store, "report", {"sections": ["a b", "c", "d e f"]})
    assert run(store, parent.id, sent) is Outcome.WAITING
    children = sorted(asyncio.run(store.children(parent.id)), key=lambda c: str(c.payload))
    assert len(children) == 3
    assert {c.id for c in sent} == {c.id for c in children}
    assert all(c.kind == "summarize" and c.parent_id == parent.id for c in children)
    waiting = store.jobs[parent.id]
    assert (waiting.status, waiting.children_total) == (JobStatus.WAITING, 3)


def test_the_last_child_to_finish_queues_the_completion_which_runs_once() -> None:
    store, sent = MemoryJobStore(), Sent()
    parent = add(store, "report", {"sections": ["a b", "c", "d e f"], "max_words": 1})
    run(store, parent.id, sent)
    children, sent[:] = list(sent), []
    run(store, children[0].id, sent)
    asyncio.run(fail_job(store, children[1].id, "boom", sent))
    assert sent == [], "the parent must wait for every child"
    run(store, children[2].id, sent)
    assert [job.id for job in sent] == [parent.id]
    assert store.jobs[parent.id].status is JobStatus.COMPLETING
    assert run(store, parent.id, sent) is Outcome.SUCCEEDED
    done = store.jobs[parent.id]
    assert done.result == {"summaries": ["a", None, "d"], "failed": 1}
    # A child delivered twice, and the parent's message again: nothing runs twice.
    sent[:] = []
    assert run(store, children[2].id, sent) is Outcome.SKIPPED
    assert run(store, parent.id, sent) is Outcome.SKIPPED
    assert sent == []


def test_a_parent_rerun_after_a_crash_reuses_its_children() -> None:
    store, sent = MemoryJobStore(), Sent()
    parent = add(store, "report", {"sections": ["a", "b", "c"]})
    # The first run stored the children, then its worker died before the parent waited.
    claimed = asyncio.run(store.claim(parent.id))
    assert claimed is not None
    fan_out = asyncio.run(report.split(report.ReportPayload(sections=["a", "b", "c"])))
    asyncio.run(store.add_children(children_of(claimed, fan_out)))
    assert run(store, parent.id, sent) is Outcome.WAITING
    assert len(asyncio.run(store.children(parent.id))) == 3
    assert [job.id for job in sent] == [child_id(parent.id, i) for i in range(3)]
    assert store.jobs[parent.id].attempts == 2


def test_a_cancel_stops_the_work_at_its_await_and_records_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(progress, "WATCH_INTERVAL_SECONDS", 0.01)
    store, sent = MemoryJobStore(), Sent()
    job = add(store, "echo", {"sleep": 30})

    async def cancel_soon() -> Outcome:
        running = asyncio.ensure_future(
            run_job(store, Attempt(job.id), max_attempts=MAX, send=sent)
        )
        await asyncio.sleep(0.05)
        await store.cancel(job.id)
        return await asyncio.wait_for(running, timeout=5)

    assert asyncio.run(cancel_soon()) is Outcome.CANCELLED
    assert store.jobs[job.id].status is JobStatus.CANCELLED


def test_progress_is_written_by_the_watcher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "WATCH_INTERVAL_SECONDS", 0.01)
    store, sent = MemoryJobStore(), Sent()
    job = add(store, "echo", {"sleep": 0.2})
    seen: list[float | None] = []
    heartbeat = store.heartbeat

    async def recording(job_id: UUID, fraction: float | None, message: str | None) -> bool:
        seen.append(fraction)
        return await heartbeat(job_id, fraction, message)

    monkeypatch.setattr(store, "heartbeat", recording)
    assert run(store, job.id, sent) is Outcome.SUCCEEDED
    written = [fraction for fraction in seen if fraction is not None]
    assert written, "the watcher wrote no progress"
    assert written == sorted(written)
    assert len(seen) <= 0.2 / 0.01 + 5, "one statement per interval at most"


def test_a_job_whose_cancel_was_asked_before_its_redelivery_is_not_run() -> None:
    store, sent = MemoryJobStore(), Sent()
    job = add(store)
    asyncio.run(store.claim(job.id))
    asyncio.run(store.cancel(job.id))  # running: flagged; then its worker died
    assert run(store, job.id, sent) is Outcome.CANCELLED
    assert store.jobs[job.id].status is JobStatus.CANCELLED


def test_report_progress_refuses_a_fraction_outside_0_to_1() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        progress.report_progress(1.5)
