"""The benchmark's job, as a user of another queue would write it: the template's job, on asyncpg.

Claim the job with the template's conditional `UPDATE ... RETURNING`, do the template's `echo`
work (wait `payload["sleep"]` seconds, return the payload), record the result with the
template's conditional `UPDATE`. The statements are the ones the template's store sends
(`db_postgres/store.py`), on one asyncpg pool per process that every concurrent job shares,
each statement taking a connection only for itself. Every peer (benchmarks/worker_side/peers/)
and the bare floor call `run_job`; it notes each completion as the Celery plugin does
(`bench_worker_plugin.py`), so every scenario is timed alike.

Environment: BENCH_DSN (asyncpg DSN), BENCH_EXPECT, BENCH_OUT, BENCH_POOL_SIZE (default 10).
"""

import asyncio
import json
import os
import threading
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

CLAIM = (
    "UPDATE jobs SET status = $2, attempts = jobs.attempts + 1, updated_at = now() "
    "WHERE jobs.id = $1 AND (jobs.status = $3 OR jobs.status = $2) "
    "RETURNING jobs.id, jobs.queue, jobs.status, jobs.payload, jobs.result, jobs.error, "
    "jobs.attempts, jobs.created_at, jobs.updated_at"
)
SUCCEED = (
    "UPDATE jobs SET status = $2, result = $3::jsonb, updated_at = now() "
    "WHERE jobs.id = $1 AND jobs.status = $4 RETURNING jobs.id"
)

#: One pool per event loop (a peer may run more than one), created by the first job on it.
_pools: dict[asyncio.AbstractEventLoop, "asyncio.Future[asyncpg.Pool]"] = {}


async def pool() -> asyncpg.Pool:
    loop = asyncio.get_running_loop()
    if loop not in _pools:
        size = int(os.environ.get("BENCH_POOL_SIZE", "10"))
        _pools[loop] = asyncio.ensure_future(
            asyncpg.create_pool(os.environ["BENCH_DSN"], min_size=1, max_size=size)
        )
    return await _pools[loop]


async def run_job(job_id: str) -> str:
    db = await pool()
    row = await db.fetchrow(CLAIM, UUID(job_id), "running", "queued")
    if row is None:
        record("SKIPPED")
        return "skipped"
    payload: Any = json.loads(row["payload"])
    seconds = float(payload.get("sleep", 0)) if isinstance(payload, dict) else 0.0
    if seconds:
        await asyncio.sleep(seconds)
    result = {"echo": payload}
    done = await db.fetchval(SUCCEED, UUID(job_id), "succeeded", json.dumps(result), "running")
    record("SUCCESS" if done is not None else "SKIPPED")
    return "succeeded"


_expect = int(os.environ.get("BENCH_EXPECT", "0"))
_out = os.environ.get("BENCH_OUT", "")
_lock = threading.Lock()
_finished: list[float] = []
_cpu: list[float] = []
_states: dict[str, int] = {}


def record(state: str) -> None:
    """Note one finished job (wall clock, this process's CPU); write them all at the last.

    Only jobs that succeeded are timed and counted towards BENCH_EXPECT: a peer that delivers a
    message twice (saq did, once, on a loaded machine) runs a claim that finds the job
    finished, which is noted as SKIPPED and reported, not timed.
    """
    now, cpu = time.perf_counter(), time.process_time()
    with _lock:
        _states[state] = _states.get(state, 0) + 1
        if state != "SUCCESS":
            return
        _finished.append(now)
        _cpu.append(cpu)
        if len(_finished) != _expect:
            return
        snapshot = {"finished": list(_finished), "cpu": list(_cpu), "states": dict(_states)}
    if _out:
        path = Path(_out)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(snapshot))
        tmp.replace(path)
