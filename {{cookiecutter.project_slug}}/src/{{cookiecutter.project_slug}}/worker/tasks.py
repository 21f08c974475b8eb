"""The tasks: one job task per queue, and the periodic sweep and clean-up.

A job task does not know what its jobs do: it claims the job and `run_job` dispatches on the
job's stored kind (jobs/kinds/). One task per queue, not per kind, so adding a kind changes
no routing, and a message names nothing but the job.
"""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from celery import Task

from ..jobs.fanout import complete_parent_if_done
from ..jobs.lifecycle import Attempt, Outcome, UnknownKindError, fail_job, run_job
from ..jobs.model import Job, JobStatus
from ..layout import QUEUES
from ..settings import get_settings
from . import runtime
from .base import ProcessingTask, TransientError
from .celery_app import (
    CLEANUP_TASK,
    JOB_TASK_PREFIX,
    REQUEUE_TASK,
    app,
    job_task_name,
    send_job,
)
from .failures import job_id_of, send_again_later

log = logging.getLogger(__name__)

#: Jobs one sweep sends again at most; the next sweep takes the rest.
REQUEUE_BATCH = 1000


def send(job: Job) -> None:
    """Queue `job` from inside a task (a fan-out's children, a parent's completion step)."""
    send_job(app, job)


class JobTask(ProcessingTask):
    """Runs one job; when it fails for good, the job records why."""

    abstract = True

    def on_failure(
        self,
        exc: Exception,
        task_id: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        einfo: Any,
    ) -> None:
        job_id = job_id_of(args, kwargs)
        reason = f"{type(exc).__name__}: {exc}"
        if job_id is None:  # a malformed message: acknowledged and dropped, never retried
            log.error(
                "task %s names no valid job (args %r, kwargs %r): %s", task_id, args, kwargs, reason
            )
            return
        try:
            self.run_async(_record_failure(job_id, reason))
        except Exception:  # the database may be what failed; the log keeps the reason
            log.exception("could not record the failure of job %s (%s)", job_id, reason)
            queue = self.name.removeprefix(JOB_TASK_PREFIX)
            wait = runtime.current().settings.task_retry_backoff_max
            hard, soft = self.request.timelimit or (None, None)
            limits = {"soft_time_limit": soft, "time_limit": hard} if soft and hard else {}
            send_again_later(self.app, queue, job_id, after=wait, **limits)


async def _record_failure(job_id: UUID, reason: str) -> None:
    async with runtime.current().database.store() as store:
        await fail_job(store, job_id, reason, send)


def process_job(self: JobTask, job_id: str) -> str:
    attempt = Attempt(UUID(job_id))

    async def run() -> Outcome:
        current = runtime.current()
        async with current.database.store() as store:
            max_attempts = current.settings.job_max_attempts
            return await run_job(store, attempt, max_attempts=max_attempts, send=send)

    try:
        return self.run_async(run()).value
    except (TransientError, UnknownKindError) as exc:
        # Retried with the kind's own budget. An unknown kind waits through it too: the
        # workers that know it may still be deploying (ADR 0006).
        max_retries = attempt.kind.max_retries if attempt.kind else None
        raise TransientError(str(exc), max_retries=max_retries) from exc


#: The job task of each queue, registered under its explicit name.
JOB_TASKS: dict[str, Task] = {  # type: ignore[type-arg]
    queue: app.task(
        name=job_task_name(queue),
        base=JobTask,
        bind=True,
        max_retries=get_settings().task_max_retries,
    )(process_job)
    for queue in QUEUES
}


@app.task(name=CLEANUP_TASK, base=ProcessingTask, bind=True)
def cleanup_finished_jobs(self: ProcessingTask) -> int:
    """Delete finished jobs older than JOB_RETENTION_DAYS (beat runs it hourly)."""
    settings = runtime.current().settings
    cutoff = datetime.now(UTC) - timedelta(days=settings.job_retention_days)

    async def run() -> int:
        async with runtime.current().database.store() as store:
            return await store.delete_finished_before(cutoff)

    deleted = self.run_async(run())
    log.info("deleted %d finished jobs last updated before %s", deleted, cutoff.isoformat())
    return deleted


@app.task(name=REQUEUE_TASK, base=ProcessingTask, bind=True)
def requeue_stale_jobs(self: ProcessingTask) -> int:
    """Send again the jobs whose message was lost (beat runs it every five minutes).

    acks_late keeps a delivered message safe until its task ends, but a message can still
    vanish: a connection cut just as Redis hands it over, or a Redis without persistence
    restarting. Such a job stays QUEUED (or RUNNING) with nothing changing; after
    JOB_REQUEUE_AFTER seconds this sends it again. Delivery stays at least once: the job's
    conditional claim decides what a late duplicate does. A WAITING parent is not sent: its
    children are checked, in case the one that finished last died before completing it.
    """
    settings = runtime.current().settings

    async def take() -> list[Job]:
        """The stale jobs a worker can run; those of a queue no worker serves fail."""
        runnable = []
        async with runtime.current().database.store() as store:
            for job in await store.take_stale(settings.job_requeue_after, REQUEUE_BATCH):
                if job.status is JobStatus.WAITING:
                    await complete_parent_if_done(store, job.id, send)
                elif job.queue not in QUEUES:
                    await fail_job(store, job.id, f"its queue {job.queue!r} is not served", send)
                else:
                    runnable.append(job)
        return runnable

    runnable = self.run_async(take())
    for job in runnable:
        send(job)
    if runnable:
        log.warning(
            "sent %d jobs again, unchanged for %ss: %s",
            len(runnable),
            settings.job_requeue_after,
            ", ".join(str(job.id) for job in runnable[:20]),
        )
    return len(runnable)
