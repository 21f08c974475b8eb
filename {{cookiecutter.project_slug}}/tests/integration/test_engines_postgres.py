"""Which engine each process gets: pooled for the API, NullPool (or per-loop pools) for workers."""

from fastapi.testclient import TestClient
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
    if worker_runtime.settings.worker_db_mode == "per-task":
        assert isinstance(first, NullPool)
        assert first is second, "per-task workers share one NullPool engine"
    else:
        assert isinstance(first, AsyncAdaptedQueuePool)
        assert first is second, "a thread's persistent loop keeps its pool between tasks"
