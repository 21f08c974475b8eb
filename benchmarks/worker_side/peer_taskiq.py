"""taskiq peer: an async task on taskiq-redis's list broker.

Worker: `taskiq worker peer_taskiq:broker --workers 1 --max-async-tasks N --ack-type
when_executed` (late acks, as the template's acks_late).
"""

import os

from peer_job import run_job
from taskiq_redis import ListQueueBroker

broker = ListQueueBroker(os.environ["BENCH_REDIS_URL"], queue_name="bench")


@broker.task(task_name="bench.job")
async def job(job_id: str) -> None:
    await run_job(job_id)


async def enqueue(ids: list[str]) -> None:
    await broker.startup()
    try:
        for job_id in ids:
            await job.kiq(job_id)
    finally:
        await broker.shutdown()
