"""Handing a job to the broker, on the API's event loop."""

import logging
from typing import Protocol

from celery import Celery
from fastapi import HTTPException, status
from redis.asyncio import Redis

from ..jobs.model import Job
from ..jobs.store import JobStore
from ..worker.celery_app import message_limits
from ..worker.messages import job_message, queue_key

log = logging.getLogger(__name__)


class Enqueuer(Protocol):
    async def __call__(self, job: Job) -> None: ...


class RedisEnqueuer:
    """Publishes a job's Celery message with the API's own `redis.asyncio` client.

    Kombu's producer blocks, so it had to run in a worker thread for every request; the
    message is the one Celery would send (`worker/messages.py`), with the job's kind's time
    limits, pushed where a worker consuming the queue pops it. A Redis error, or a Redis that
    hangs past the client's socket timeout, propagates: the route answers 503.
    """

    def __init__(self, celery: Celery, redis: Redis) -> None:
        self.celery = celery
        self.redis = redis

    async def __call__(self, job: Job) -> None:
        message = job_message(self.celery, job.queue, job.id, **message_limits(self.celery, job))
        await self.redis.lpush(queue_key(self.celery, job.queue), message)


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
