"""Which engine each process gets: pooled for the API, NullPool (or per-loop pools) for workers."""

import asyncio
from uuid import uuid4

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import AsyncAdaptedQueuePool, NullPool

from {{ cookiecutter.project_slug }}.db.engines import loop_engine, task_engine
from {{ cookiecutter.project_slug }}.db.store import SqlJobStore
from {{ cookiecutter.project_slug }}.jobs.model import Job, JobStatus
from {{ cookiecutter.project_slug }}.layout import DEFAULT_TIER
from {{ cookiecutter.project_slug }}.settings import Settings
from {{ cookiecutter.project_slug }}.worker import runtime
from tests.services import OWNER


def test_the_api_gets_a_pooled_engine_sized_by_settings(
    api: TestClient, services: Settings
) -> None:
    engine: AsyncEngine = api.app.state.store.engine  # type: ignore[attr-defined]
    assert isinstance(engine.pool, AsyncAdaptedQueuePool)
    assert engine.pool.size() == services.api_pool_size


def test_the_worker_gets_the_engine_of_its_mode(worker_runtime: runtime.WorkerRuntime) -> None:
    async def pool_of_this_loop() -> object:
        return worker_runtime.database.engine().pool

    first = worker_runtime.loops.run(pool_of_this_loop())
    second = worker_runtime.loops.run(pool_of_this_loop())
    if worker_runtime.access == "per-task":
        assert isinstance(first, NullPool)
        assert first is second, "per-task workers share one NullPool engine"
    else:
        assert isinstance(first, AsyncAdaptedQueuePool)
        assert first is second, "a persistent loop keeps its pool between tasks"
        if worker_runtime.access == "shared-loop":
            assert first.size() == worker_runtime.settings.worker_loop_pool_size


def test_every_statement_commits_on_its_own(
    api: TestClient, worker_runtime: runtime.WorkerRuntime
) -> None:
    """Autocommit engines: after a statement the server is idle, not inside a transaction, so a
    task pays no BEGIN/COMMIT round trips and a pre-ping is one round trip."""
    api_engine: AsyncEngine = api.app.state.store.engine  # type: ignore[attr-defined]

    async def in_transaction_after_a_statement(engine: AsyncEngine) -> bool:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            raw = await connection.get_raw_connection()
            return bool(raw.driver_connection.is_in_transaction())  # type: ignore[union-attr]

    async def worker_side() -> bool:
        return await in_transaction_after_a_statement(worker_runtime.database.engine())

    assert worker_runtime.loops.run(worker_side()) is False
    assert api.portal is not None, "the API client runs the app's lifespan"
    assert api.portal.call(in_transaction_after_a_statement, api_engine) is False


async def end_backend(settings: Settings, pid: int) -> None:
    """End the server process behind one connection, as a restart or an idle timeout would."""
    admin = task_engine(settings)
    try:
        async with admin.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            alive = text("SELECT count(*) > 0 FROM pg_stat_activity WHERE pid = :pid")
            for _ in range(500):  # it ends within milliseconds; the bound keeps a hang out
                if not await connection.scalar(alive, {"pid": pid}):
                    return
                await asyncio.sleep(0.01)
            raise AssertionError(f"backend {pid} still runs 5 s after it was told to end")
    finally:
        await admin.dispose()


def test_a_connection_the_server_ended_is_replaced_before_a_statement_needs_it(
    services: Settings,
) -> None:
    """The job path's statements run on asyncpg itself (db/driver.py). On the asyncio pool's
    engine, which does not pre-ping, a pooled connection whose server process ended (a
    restart, an idle timeout) must be replaced, not handed to the next job to fail on."""

    async def scenario() -> tuple[int, int, Job | None]:
        engine = loop_engine(services)
        store = SqlJobStore(engine)
        try:
            job = Job(uuid4(), "echo", DEFAULT_TIER, JobStatus.QUEUED, {"n": 1}, owner=OWNER)
            await store.add(job)  # leaves one idle connection in the pool
            async with engine.connect() as pooled:
                victim = await pooled.scalar(text("SELECT pg_backend_pid()"))
            await end_backend(services, victim)
            await asyncio.sleep(0.1)  # for asyncpg to read the server's goodbye
            claimed = await store.claim(job.id)
            async with engine.connect() as pooled:
                now = await pooled.scalar(text("SELECT pg_backend_pid()"))
            return victim, now, claimed
        finally:
            await engine.dispose()

    victim, now, claimed = asyncio.run(scenario())
    assert now != victim, "the pool kept the connection whose server process had ended"
    assert claimed is not None
    assert claimed.status is JobStatus.RUNNING
    assert claimed.payload == {"n": 1}
