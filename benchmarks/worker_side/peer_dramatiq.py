"""dramatiq peer: an async actor on dramatiq's Redis broker, run by its AsyncIO middleware.

Worker: `dramatiq peer_dramatiq --processes 1 --threads N` (N worker threads, each waiting on
a job that runs on the middleware's one event loop). Late acks are dramatiq's default.
"""

import os

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware.asyncio import AsyncIO
from peer_job import run_job

broker = RedisBroker(url=os.environ["BENCH_REDIS_URL"])
broker.add_middleware(AsyncIO())
dramatiq.set_broker(broker)


@dramatiq.actor(queue_name="bench", max_retries=0)
async def job(job_id: str) -> None:
    await run_job(job_id)


def enqueue(ids: list[str]) -> None:
    for job_id in ids:
        job.send(job_id)
