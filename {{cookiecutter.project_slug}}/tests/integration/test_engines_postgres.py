"""Which engine each process gets: pooled for the API, NullPool (or per-loop pools) for workers."""

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import AsyncAdaptedQueuePool, NullPool

from {{ cookiecutter.project_slug }}.settings import Settings
from {{ cookiecutter.project_slug }}.worker import runtime


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
