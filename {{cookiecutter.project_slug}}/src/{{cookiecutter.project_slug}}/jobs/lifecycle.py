"""Running one job: claim it, do its work, record the outcome. The same for every database."""

import logging
from enum import StrEnum
from uuid import UUID

from .store import JobStore
from .work import InvalidPayloadError, Work

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    #: Unknown or already finished (a redelivery): acknowledged without running again.
    SKIPPED = "skipped"


async def run_job(store: JobStore, job_id: UUID, work: Work, max_attempts: int) -> Outcome:
    """Run the job's work once and record the result.

    Transient errors (the database or the network went away) propagate, so the task can retry;
    the job stays RUNNING and the retry claims it again. Bad input fails the job for good, and
    so does a job claimed more than `max_attempts` times (one that keeps killing its worker).
    """
    job = await store.claim(job_id)
    if job is None:
        log.info("job %s is unknown or already finished; not running it again", job_id)
        return Outcome.SKIPPED
    if job.attempts > max_attempts:
        await store.fail(job_id, f"gave up after {max_attempts} attempts")
        return Outcome.FAILED
    try:
        result = await work(job.payload)
    except InvalidPayloadError as exc:
        await store.fail(job_id, f"invalid payload: {exc}")
        return Outcome.FAILED
    if not await store.succeed(job_id, result):
        log.warning("job %s finished elsewhere while this run worked on it", job_id)
        return Outcome.SKIPPED
    return Outcome.SUCCEEDED
