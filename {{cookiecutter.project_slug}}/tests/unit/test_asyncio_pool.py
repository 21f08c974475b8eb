"""The asyncio pool as Celery drives it: tasks in, results out through Celery's callbacks."""

import asyncio
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from celery.exceptions import WorkerShutdown

from {{ cookiecutter.project_slug }}.db import WorkerDatabase
from {{ cookiecutter.project_slug }}.settings import Settings
from {{ cookiecutter.project_slug }}.shared_loop import SharedLoopRunner
from {{ cookiecutter.project_slug }}.worker import runtime
from {{ cookiecutter.project_slug }}.worker.asyncio_pool import AsyncioPool

TASKS = 10


@pytest.fixture
def pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[AsyncioPool]:
    """A started pool on a runtime of its own, as the worker's start-up makes them; the
    process's own runtime (an integration session's, say) is left alone."""
    settings = Settings(_env_file=None)
    own = runtime.WorkerRuntime(
        settings, WorkerDatabase(settings, "shared-loop"), SharedLoopRunner(), "shared-loop", 0
    )
    monkeypatch.setattr(runtime, "current", lambda: own)
    started = AsyncioPool(limit=TASKS)
    started.start()
    try:
        yield started
    finally:
        started.stop()
        own.loops.close()


def test_tasks_run_at_once_and_report_through_celerys_callback(pool: AsyncioPool) -> None:
    arrived: list[int] = []
    everyone = asyncio.Event()
    results: list[Any] = []
    done = threading.Event()

    async def gather(n: int) -> int:
        arrived.append(n)
        if len(arrived) == TASKS:
            everyone.set()
        async with asyncio.timeout(10):
            await everyone.wait()
        return n * 2

    def task(n: int) -> int:  # synchronous, as Celery's trace is
        return runtime.current().loops.run(gather(n))

    def callback(result: Any) -> None:
        results.append(result)
        if len(results) == TASKS:
            done.set()

    for n in range(TASKS):
        pool.apply_async(task, args=(n,), callback=callback)
    assert done.wait(15), f"only {len(results)} of {TASKS} tasks reported back"
    assert sorted(results) == [n * 2 for n in range(TASKS)]


def test_stop_waits_for_the_running_tasks(pool: AsyncioPool) -> None:
    finished = threading.Event()

    def task() -> None:
        runtime.current().loops.run(asyncio.sleep(0.3))
        finished.set()

    pool.apply_async(task, callback=lambda _: None)
    pool.stop()  # the fixture's second stop finds nothing left to do
    assert finished.is_set(), "the pool stopped its loop under a running task"


def test_what_celery_lets_through_is_logged(
    pool: AsyncioPool, caplog: pytest.LogCaptureFixture
) -> None:
    def task() -> None:
        raise WorkerShutdown

    with caplog.at_level(logging.ERROR, logger=AsyncioPool.__module__):
        pool.apply_async(task, callback=lambda _: None)
        pool.stop()
    assert "a task left the asyncio pool with WorkerShutdown" in caplog.text
