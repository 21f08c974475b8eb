"""Handing a job to the broker, off the event loop."""

from functools import partial
from typing import Protocol
from uuid import UUID

import anyio

from ..worker.celery_app import app as celery_app
from ..worker.celery_app import job_task_name

#: Fail fast when the broker is down: the request answers 503 rather than hanging.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.1, "interval_step": 0.2}


class Enqueuer(Protocol):
    async def __call__(self, queue: str, job_id: UUID) -> None: ...


async def send_job(queue: str, job_id: UUID) -> None:
    """Publish the job's task on its queue. Kombu blocks, so it runs in a worker thread."""
    send = partial(
        celery_app.send_task,
        job_task_name(queue),
        args=[str(job_id)],
        queue=queue,
        retry=True,
        retry_policy=PUBLISH_RETRY_POLICY,
    )
    await anyio.to_thread.run_sync(send)
