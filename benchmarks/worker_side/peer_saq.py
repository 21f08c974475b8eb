"""saq peer: a saq job function on its Redis queue.

Worker: `saq peer_saq.settings --workers 1 --quiet` (concurrency from BENCH_CONCURRENCY).
"""

import os
from typing import Any

from peer_job import run_job
from saq import Queue

queue = Queue.from_url(os.environ["BENCH_REDIS_URL"], name="bench")


async def job(ctx: dict[str, Any], *, job_id: str) -> None:
    await run_job(job_id)


settings = {
    "queue": queue,
    "functions": [job],
    "concurrency": int(os.environ.get("BENCH_CONCURRENCY", "8")),
}


async def enqueue(ids: list[str]) -> None:
    await queue.connect()
    try:
        for job_id in ids:
            await queue.enqueue("job", job_id=job_id, retries=1)
    finally:
        await queue.disconnect()
