"""The benchmark's hands inside a rendering: runs in the benchmark venv with the rendering's
`src` on PYTHONPATH and speaks JSON lines on stdin/stdout (one request, one answer).

Requests: {"op": "check"|"prepare"|"load"|"verify"|"drop", ...}. Answers: {"ok": true, ...}
or {"ok": false, "error": "..."}. Nothing here is timed; it sets up and checks the runs.
"""

import asyncio
import importlib
import json
import os
import sys
import time
import traceback
import uuid
from typing import Any

import asyncpg
import redis
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

PACKAGE = os.environ["BENCH_PACKAGE"]
settings_module = importlib.import_module(f"{PACKAGE}.settings")
db = importlib.import_module(f"{PACKAGE}.db")
tables = importlib.import_module(f"{PACKAGE}.db.tables")
SETTINGS = settings_module.get_settings()


def _redis() -> "redis.Redis[bytes]":
    return redis.Redis.from_url(SETTINGS.redis_url, socket_connect_timeout=3, socket_timeout=10)


async def _maintenance() -> asyncpg.Connection:
    url = make_url(SETTINGS.database_url).set(drivername="postgresql", database="postgres")
    return await asyncpg.connect(url.render_as_string(hide_password=False), timeout=3)


def check(_: dict[str, Any]) -> dict[str, Any]:
    problems = []
    try:
        _redis().ping()
    except Exception as exc:
        problems.append(f"Redis at {SETTINGS.redis_url} is not answering ({exc})")

    async def pg() -> None:
        conn = await _maintenance()
        await conn.close()

    try:
        asyncio.run(pg())
    except Exception as exc:
        problems.append(f"PostgreSQL for {SETTINGS.database_url} is not answering ({exc!r})")
    if problems:
        raise RuntimeError("; ".join(problems))
    import celery
    import sqlalchemy

    return {
        "versions": {
            "python": sys.version.split()[0],
            "celery": celery.__version__,
            "sqlalchemy": sqlalchemy.__version__,
            "asyncpg": asyncpg.__version__,
            "redis-py": redis.__version__,
        }
    }


def prepare(_: dict[str, Any]) -> dict[str, Any]:
    db.prepare_database(SETTINGS)
    return {}


async def _reset_and_insert(ids: list[str], queue: str, payload: dict[str, Any]) -> None:
    engine = create_async_engine(SETTINGS.database_url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("TRUNCATE jobs"))
            if ids:
                await conn.execute(
                    insert(tables.JobRow),
                    [
                        {
                            "id": uuid.UUID(i),
                            "queue": queue,
                            "status": "queued",
                            "kind": "echo",
                            "payload": {"message": str(n), **payload},
                            "attempts": 0,
                        }
                        for n, i in enumerate(ids)
                    ],
                )
        async with engine.connect() as conn:
            # Fresh statistics, so the planner picks the primary key for the single-row updates.
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE jobs"))
    finally:
        await engine.dispose()


def load(req: dict[str, Any]) -> dict[str, Any]:
    """Empty the broker and the jobs table, insert N queued jobs (if asked), publish N messages.

    With "task": null nothing is published and the ids are returned, for a peer queue to send
    (benchmarks/anchors.py). "payload" is merged into every job's payload ({"sleep": 0.1}).
    """
    n, queue, jobs = int(req["n"]), str(req["queue"]), bool(req["jobs"])
    payload = dict(req.get("payload") or {})
    r = _redis()
    r.flushdb()
    ids = [str(uuid.uuid4()) for _ in range(n)]
    asyncio.run(_reset_and_insert(ids if jobs else [], queue, payload))
    if req.get("task") is None:
        return {"ids": ids, "publish_seconds": 0.0}
    task = str(req["task"])
    app = importlib.import_module(f"{PACKAGE}.worker.celery_app").app
    started = time.perf_counter()
    with app.producer_or_acquire() as producer:
        for job_id in ids:
            app.send_task(task, args=[job_id], queue=queue, producer=producer)
    published = time.perf_counter() - started
    queued = int(r.llen(queue))
    if queued != n:
        raise RuntimeError(f"published {n} messages but the queue {queue!r} holds {queued}")
    return {"queued": queued, "publish_seconds": published}


def verify(req: dict[str, Any]) -> dict[str, Any]:
    async def counts() -> dict[str, Any]:
        engine = create_async_engine(SETTINGS.database_url, poolclass=NullPool)
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(
                    text("SELECT status, count(*), max(attempts) FROM jobs GROUP BY status")
                )
                return {str(s): {"count": int(c), "max_attempts": int(a)} for s, c, a in rows}
        finally:
            await engine.dispose()

    r = _redis()
    leftover = {"queue": int(r.llen(str(req["queue"]))), "unacked": int(r.hlen("unacked"))}
    return {"statuses": asyncio.run(counts()), "broker": leftover}


def drop(_: dict[str, Any]) -> dict[str, Any]:
    async def run() -> None:
        name = str(make_url(SETTINGS.database_url).database).replace('"', '""')
        conn = await _maintenance()
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(run())
    _redis().flushdb()
    return {}


OPS = {"check": check, "prepare": prepare, "load": load, "verify": verify, "drop": drop}


def main() -> None:
    # Answers go to the real stdout; anything the code under test prints goes to stderr.
    answers, sys.stdout = sys.stdout, sys.stderr
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            answer = {"ok": True, **OPS[req["op"]](req)}
        except Exception as exc:
            answer = {
                "ok": False,
                "error": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc(),
            }
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
