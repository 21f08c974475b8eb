"""Handing a job to the broker, off the event loop."""

import logging
from functools import partial
from typing import Protocol

import anyio
from celery import Celery
from fastapi import HTTPException, status

from ..jobs.model import Job
from ..jobs.store import JobStore
from ..worker.celery_app import send_job

log = logging.getLogger(__name__)

#: Fail fast when the broker is down: the request answers 503 rather than hanging. Each
#: attempt waits at most BROKER_SOCKET_TIMEOUT (celery_app.py), so two attempts bound a
#: POST to about twice that while Redis hangs.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.2}


class Enqueuer(Protocol):
    async def __call__(self, job: Job) -> None: ...


class CeleryEnqueuer:
    """Publishes a job's task by name on its queue; the API needs no task code for that."""

    def __init__(self, celery: Celery) -> None:
        self.celery = celery

    async def __call__(self, job: Job) -> None:
        send = partial(send_job, self.celery, job, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
        # Kombu blocks while it publishes, so it runs in a worker thread.
        await anyio.to_thread.run_sync(send)


async def enqueue_or_503(enqueue: Enqueuer, store: JobStore, job: Job) -> None:
    """Queue a stored job; if the broker will not take it, fail the job and answer 503."""
    try:
        await enqueue(job)
    except Exception as exc:
        log.exception("could not queue job %s", job.id)
        await store.fail(job.id, f"could not be queued: {type(exc).__name__}")
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, detail="the job queue is unavailable; retry later"
        ) from exc
