"""The tasks: one job task per queue, and the periodic sweep and clean-up."""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from celery import Task

from ..jobs.lifecycle import Outcome, run_job
from ..jobs.model import Job
from ..jobs.work import Work, digest, echo
from ..layout import CPU_QUEUE, QUEUES
from ..settings import get_settings
from . import runtime
from .base import ProcessingTask
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


def work_for(queue: str) -> Work:
    """What a job sent to `queue` does: the CPU queue digests, the I/O tiers echo."""
    return digest if queue == CPU_QUEUE else echo


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
            send_again_later(self.app, queue, job_id, after=wait)


async def _record_failure(job_id: UUID, reason: str) -> None:
    async with runtime.current().database.store() as store:
        await store.fail(job_id, reason[:2000])


def _register_job_task(queue: str) -> Task:  # type: ignore[type-arg]
    work = work_for(queue)

    def process_job(self: JobTask, job_id: str) -> str:
        async def run() -> Outcome:
            async with runtime.current().database.store() as store:
                max_attempts = runtime.current().settings.job_max_attempts
                return await run_job(store, UUID(job_id), work, max_attempts)

        return self.run_async(run()).value

    process_job.__doc__ = f"Run a job sent to the {queue!r} queue."
    task: Task = app.task(  # type: ignore[type-arg]
        name=job_task_name(queue),
        base=JobTask,
        bind=True,
        max_retries=get_settings().task_max_retries,
    )(process_job)
    return task


#: The job task of each queue, registered under its explicit name.
JOB_TASKS: dict[str, Task] = {queue: _register_job_task(queue) for queue in QUEUES}  # type: ignore[type-arg]


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
    conditional claim decides what a late duplicate does.
    """
    settings = runtime.current().settings

    async def take() -> list[Job]:
        """The stale jobs a worker can run; those of a queue no worker serves fail."""
        async with runtime.current().database.store() as store:
            stale = await store.take_stale(settings.job_requeue_after, REQUEUE_BATCH)
            for job in stale:
                if job.queue not in QUEUES:
                    await store.fail(job.id, f"its queue {job.queue!r} is not served")
        return [job for job in stale if job.queue in QUEUES]

    runnable = self.run_async(take())
    for job in runnable:
        send_job(app, job.queue, job.id)
    if runnable:
        log.warning(
            "sent %d jobs again, unchanged for %ss: %s",
            len(runnable),
            settings.job_requeue_after,
            ", ".join(str(job.id) for job in runnable[:20]),
        )
    return len(runnable)
