"""Handing a job to the broker, on the API's event loop."""

from typing import Protocol
from uuid import UUID

from celery import Celery
from redis.asyncio import Redis

from ..worker.messages import job_message, queue_key


class Enqueuer(Protocol):
    async def __call__(self, queue: str, job_id: UUID) -> None: ...


class RedisEnqueuer:
    """Publishes a job's Celery message with the API's own `redis.asyncio` client.

    Kombu's producer blocks, so it had to run in a worker thread for every request; the
    message is the one Celery would send (`worker/messages.py`), pushed where a worker
    consuming the queue pops it. A Redis error propagates: the route answers 503.
    """

    def __init__(self, celery: Celery, redis: Redis) -> None:
        self.celery = celery
        self.redis = redis

    async def __call__(self, queue: str, job_id: UUID) -> None:
        message = job_message(self.celery, queue, job_id)
        await self.redis.lpush(queue_key(self.celery, queue), message)
