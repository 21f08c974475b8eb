"""Jobs put straight into the store in a given state, with no message on the broker."""

from datetime import datetime
from uuid import uuid4

from {{ cookiecutter.project_slug }}.jobs.model import Job, JobStatus
from {{ cookiecutter.project_slug }}.layout import DEFAULT_TIER
from {{ cookiecutter.project_slug }}.worker import runtime


def add_job(
    worker_runtime: runtime.WorkerRuntime, status: JobStatus, queue: str = DEFAULT_TIER
) -> Job:
    """A job on `queue`, taken through the store's own transitions to `status`."""

    async def add() -> Job:
        async with worker_runtime.database.store() as store:
            job = Job(id=uuid4(), queue=queue, status=JobStatus.QUEUED, payload={})
            await store.add(job)
            if status is not JobStatus.QUEUED:
                await store.claim(job.id)
            if status is JobStatus.SUCCEEDED:
                await store.succeed(job.id, None)
            if status is JobStatus.FAILED:
                await store.fail(job.id, "test")
            return job

    return worker_runtime.loops.run(add())


def job_exists(worker_runtime: runtime.WorkerRuntime, job: Job) -> bool:
    async def exists() -> bool:
        async with worker_runtime.database.store() as store:
            return await store.get(job.id) is not None

    return worker_runtime.loops.run(exists())


def job_updated_at(worker_runtime: runtime.WorkerRuntime, job: Job) -> datetime | None:
    """When the store last changed the job (None if it is gone)."""

    async def read() -> datetime | None:
        async with worker_runtime.database.store() as store:
            found = await store.get(job.id)
            return None if found is None else found.updated_at

    return worker_runtime.loops.run(read())
