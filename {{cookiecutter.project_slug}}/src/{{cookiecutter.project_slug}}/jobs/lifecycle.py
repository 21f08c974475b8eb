"""Running one job: claim it, dispatch on its kind, record the outcome. The same for every
database; the worker's task calls `run_job` and nothing else."""

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from .fanout import Send, child_outcomes, complete_parent_if_done, start_children
from .kind import FanOut, InvalidPayloadError, JobFailedError, JobKind, Result, to_json
from .kinds import KINDS
from .model import FINISHED, Job, JobStatus
from .progress import JobCancelledError, Progress, watch
from .store import JobStore

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    #: Its work fanned out; the children are queued and the job waits for them.
    WAITING = "waiting"
    #: A cancel was asked for; the work was stopped (or never started).
    CANCELLED = "cancelled"
    #: Unknown, waiting or already finished (a redelivery): acknowledged without running.
    SKIPPED = "skipped"


class UnknownKindError(Exception):
    """The job's kind is not one this worker knows: most likely the API was deployed with a
    new kind before the workers were. The job is put back QUEUED and the task retried."""

    def __init__(self, kind: str, known: Mapping[str, object]) -> None:
        super().__init__(f"unknown job kind {kind!r}; this worker knows {', '.join(known)}")


@dataclass
class Attempt:
    """One delivery of a job's message; it learns the job's kind once the job is claimed."""

    job_id: UUID
    kind: JobKind[Any] | None = None


async def run_job(
    store: JobStore,
    attempt: Attempt,
    *,
    max_attempts: int,
    send: Send,
    kinds: Mapping[str, JobKind[Any]] = KINDS,
) -> Outcome:
    """Run the job's work (or its completion step) once and record what came of it.

    Transient errors (the database or the network went away) propagate, so the task can
    retry; the job stays claimed and the retry claims it again. A job that cannot succeed
    (bad payload, `JobFailedError`) fails for good, and so does one claimed more than
    `max_attempts` times (one that keeps killing its worker).
    """
    job = await store.claim(attempt.job_id)
    if job is None:
        await _redelivered(store, attempt.job_id, send)
        return Outcome.SKIPPED
    kind = kinds.get(job.kind)
    if kind is None:
        await store.release(job.id)
        raise UnknownKindError(job.kind, kinds)
    attempt.kind = kind
    if job.attempts > max_attempts:
        await fail_job(store, job.id, f"gave up after {max_attempts} attempts", send)
        return Outcome.FAILED
    try:
        if job.cancel_requested:  # asked while it ran on a worker that then died
            raise JobCancelledError("cancelled before this run started")
        return await _run(store, job, kind, send)
    except JobCancelledError:
        if await store.cancelled(job.id):
            await _finished(store, job, send)
        return Outcome.CANCELLED
    except JobFailedError as exc:
        reason = f"invalid payload: {exc}" if isinstance(exc, InvalidPayloadError) else str(exc)
        await fail_job(store, job.id, reason, send)
        return Outcome.FAILED


async def _run(store: JobStore, job: Job, kind: JobKind[Any], send: Send) -> Outcome:
    payload = kind.parse(job.payload)
    if kind.complete is None and job.status is JobStatus.COMPLETING:
        raise JobFailedError(f"kind {kind.name!r} has no `complete` step to run")
    result: Result | FanOut
    if kind.complete is not None and job.status is JobStatus.COMPLETING:
        log.info("job %s: its children finished; running its completion step", job.id)
        outcomes = await child_outcomes(store, job)
        result = await watch(kind.complete(payload, outcomes), _heartbeat(store, job.id))
    else:
        result = await watch(kind.work(payload), _heartbeat(store, job.id))
    if isinstance(result, FanOut):
        if kind.complete is None or job.status is not JobStatus.RUNNING:
            raise JobFailedError(f"kind {kind.name!r} fanned out with no `complete` step after it")
        await start_children(store, job, result, send)
        return Outcome.WAITING
    if not await store.succeed(job.id, to_json(result)):
        log.warning("job %s finished elsewhere while this run worked on it", job.id)
        return Outcome.SKIPPED
    await _finished(store, job, send)
    return Outcome.SUCCEEDED


def _heartbeat(store: JobStore, job_id: UUID) -> Callable[[Progress], Awaitable[bool]]:
    """Write the job's progress when it changed, and say whether a cancel was asked for."""

    async def beat(progress: Progress) -> bool:
        changed, progress.changed = progress.changed, False
        fraction = progress.fraction if changed else None
        return await store.heartbeat(job_id, fraction, progress.message)

    return beat


async def fail_job(store: JobStore, job_id: UUID, reason: str, send: Send) -> bool:
    """Fail the job for good, and if it was a fan-out's last child, complete its parent."""
    if not await store.fail(job_id, reason[:2000]):
        return False
    job = await store.get(job_id)
    if job is not None:
        await _finished(store, job, send)
    return True


async def _finished(store: JobStore, job: Job, send: Send) -> None:
    if job.parent_id is not None:
        await complete_parent_if_done(store, job.parent_id, send)


async def _redelivered(store: JobStore, job_id: UUID, send: Send) -> None:
    """A message for a job this worker may not run. If it is a finished child, its first
    run may have died between finishing and completing the parent: try that again."""
    job = await store.get(job_id)
    if job is None:
        log.info("job %s is unknown; acknowledging its message", job_id)
    elif job.status in FINISHED:
        log.info("job %s already finished; not running it again", job_id)
        await _finished(store, job, send)
