"""ProcessingTask.run_async under load: many threads at once, each with its own loop."""

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from uuid import uuid4

import pytest

from {{ cookiecutter.project_slug }}.db import WorkerDatabase
from {{ cookiecutter.project_slug }}.jobs.model import Job, JobStatus
from {{ cookiecutter.project_slug }}.loops import FreshLoopRunner, LoopRunner, ThreadLoopRunner
from {{ cookiecutter.project_slug }}.settings import Settings
from {{ cookiecutter.project_slug }}.worker import runtime
from {{ cookiecutter.project_slug }}.worker.base import ProcessingTask
from {{ cookiecutter.project_slug }}.worker.celery_app import app

THREADS = 16


class BridgeProbe(ProcessingTask):
    """A bare task instance, to call run_async the way a task body does."""

    name = "tests.bridge_probe"


async def round_trip(database: WorkerDatabase) -> JobStatus:
    async with database.store() as store:
        job = Job(
            id=uuid4(), kind="echo", queue="test", status=JobStatus.QUEUED, payload={"probe": True}
        )
        await store.add(job)
        await store.claim(job.id)
        await store.succeed(job.id, {"ok": True})
        found = await store.get(job.id)
        assert found is not None
        await asyncio.sleep(0.01)
        return found.status


def all_at_once(call: Callable[[], JobStatus]) -> list[JobStatus]:
    barrier = threading.Barrier(THREADS)

    def one(_: int) -> JobStatus:
        barrier.wait()  # every thread starts at the same moment
        return call()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(one, range(THREADS)))


def test_concurrent_run_async_calls_all_succeed(worker_runtime: runtime.WorkerRuntime) -> None:
    task = app.register_task(BridgeProbe())
    results = all_at_once(lambda: task.run_async(round_trip(worker_runtime.database)))
    assert results == [JobStatus.SUCCEEDED] * THREADS


@pytest.mark.parametrize("mode", ["per-task", "per-thread"])
def test_a_fresh_worker_survives_every_thread_connecting_first_at_once(
    services: Settings, mode: str
) -> None:
    """The first connection of a new worker process is the dangerous one: drivers set up
    shared state then (SQLAlchemy initialises its dialect behind an asyncio lock), and a
    worker's threads all make it at the same moment when a queue is already full."""
    settings = services.model_copy(update={"worker_db_mode": mode})
    database = WorkerDatabase(settings, settings.worker_db_mode)
    loops: LoopRunner = ThreadLoopRunner() if mode == "per-thread" else FreshLoopRunner()
    try:
        results = all_at_once(lambda: loops.run(round_trip(database)))
    finally:
        database.close()
        loops.close()
    assert results == [JobStatus.SUCCEEDED] * THREADS
