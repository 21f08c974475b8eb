"""arq peer: an arq job function, polled fast.

Worker: `arq peer_arq.WorkerSettings` (max_jobs from BENCH_CONCURRENCY, poll_delay 10 ms).
"""

import os
from typing import Any

from arq import create_pool
from arq.connections import RedisSettings
from peer_job import run_job

REDIS = RedisSettings.from_dsn(os.environ["BENCH_REDIS_URL"])


async def job(ctx: dict[str, Any], job_id: str) -> None:
    await run_job(job_id)


class WorkerSettings:
    functions = (job,)
    redis_settings = REDIS
    max_jobs = int(os.environ.get("BENCH_CONCURRENCY", "8"))
    poll_delay = 0.01
    max_tries = 1
    handle_signals = True


async def enqueue(ids: list[str]) -> None:
    redis = await create_pool(REDIS)
    try:
        for job_id in ids:
            await redis.enqueue_job("job", job_id)
    finally:
        await redis.aclose()


#: arq logs every job at INFO by default; the benchmark runs it at WARNING (--custom-log-dict).
LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler", "level": "WARNING"}},
    "loggers": {"arq": {"handlers": ["stderr"], "level": "WARNING"}},
}
