"""The floor: no queue library at all. N coroutines on one event loop pop job ids off a Redis
list (BRPOP) and run the same job (`peer_job.run_job`). It has none of a queue's guarantees
(no late ack, no retry, no time limit): it is what the identical job costs with nothing else.

Worker: `python peer_floor.py` (BENCH_CONCURRENCY coroutines); stops on SIGTERM.
"""

import asyncio
import os
import signal

from peer_job import run_job
from redis.asyncio import Redis

LIST = "bench:floor"


def _redis() -> Redis:
    return Redis.from_url(os.environ["BENCH_REDIS_URL"])


async def enqueue(ids: list[str]) -> None:
    redis = _redis()
    try:
        await redis.lpush(LIST, *ids)
    finally:
        await redis.aclose()


async def consume(redis: Redis) -> None:
    while True:
        popped = await redis.brpop([LIST], timeout=1)
        if popped is not None:
            await run_job(popped[1].decode())


async def main() -> None:
    redis = _redis()
    concurrency = int(os.environ.get("BENCH_CONCURRENCY", "8"))
    consumers = [asyncio.create_task(consume(redis)) for _ in range(concurrency)]
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    for task in consumers:
        task.cancel()
    await asyncio.gather(*consumers, return_exceptions=True)
    await redis.aclose()


if __name__ == "__main__":
    asyncio.run(main())
