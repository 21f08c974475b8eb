"""Jobs put straight into the store in a given state, with or without a message."""

from datetime import datetime
from uuid import uuid4

from pydantic import JsonValue

from {{ cookiecutter.project_slug }}.jobs.model import Job, JobStatus
from {{ cookiecutter.project_slug }}.layout import DEFAULT_TIER
from {{ cookiecutter.project_slug }}.worker import runtime
from {{ cookiecutter.project_slug }}.worker.tasks import send
from tests.services import OWNER


def add_job(
    worker_runtime: runtime.WorkerRuntime, status: JobStatus, queue: str = DEFAULT_TIER
) -> Job:
    """A job on `queue`, taken through the store's own transitions to `status`."""

    async def add() -> Job:
        async with worker_runtime.database.store() as store:
            job = Job(
                id=uuid4(),
                kind="echo",
                queue=queue,
                status=JobStatus.QUEUED,
                payload={},
                owner=OWNER,
            )
            await store.add(job)
            if status is JobStatus.CANCELLED:
                await store.cancel(job.id)  # a queued job is cancelled at once
            elif status is not JobStatus.QUEUED:
                await store.claim(job.id)
            if status in {JobStatus.WAITING, JobStatus.COMPLETING}:
                await store.wait_for_children(job.id, 0)  # a fan-out of no children
            if status is JobStatus.COMPLETING:
                await store.complete_if_children_done(job.id)
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


def send_new_job(
    worker_runtime: runtime.WorkerRuntime, kind: str, payload: JsonValue, queue: str = DEFAULT_TIER
) -> str:
    """Store a job as the API would, without its checks (any kind, any payload), and queue it."""
    job = Job(
        id=uuid4(), kind=kind, queue=queue, status=JobStatus.QUEUED, payload=payload, owner=OWNER
    )

    async def add() -> None:
        async with worker_runtime.database.store() as store:
            await store.add(job)

    worker_runtime.loops.run(add())
    send(job)
    return str(job.id)


def job_updated_at(worker_runtime: runtime.WorkerRuntime, job: Job) -> datetime | None:
    """When the store last changed the job (None if it is gone)."""

    async def read() -> datetime | None:
        async with worker_runtime.database.store() as store:
            found = await store.get(job.id)
            return None if found is None else found.updated_at

    return worker_runtime.loops.run(read())
