"""Handing a job to the broker, off the event loop."""

from functools import partial
from typing import Protocol
from uuid import UUID

import anyio
from celery import Celery

from ..worker.celery_app import send_job

#: Fail fast when the broker is down: the request answers 503 rather than hanging. Each
#: attempt waits at most BROKER_SOCKET_TIMEOUT (celery_app.py), so two attempts bound a
#: POST to about twice that while Redis hangs.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.2}


class Enqueuer(Protocol):
    async def __call__(self, queue: str, job_id: UUID) -> None: ...


class CeleryEnqueuer:
    """Publishes a job's task by name on its queue; the API needs no task code for that."""

    def __init__(self, celery: Celery) -> None:
        self.celery = celery

    async def __call__(self, queue: str, job_id: UUID) -> None:
        send = partial(
            send_job, self.celery, queue, job_id, retry=True, retry_policy=PUBLISH_RETRY_POLICY
        )
        # Kombu blocks while it publishes, so it runs in a worker thread.
        await anyio.to_thread.run_sync(send)
