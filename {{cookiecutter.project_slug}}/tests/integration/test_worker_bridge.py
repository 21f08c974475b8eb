"""ProcessingTask.run_async under load: many threads at once, each with its own loop."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from uuid import uuid4

from {{ cookiecutter.project_slug }}.jobs.model import Job, JobStatus
from {{ cookiecutter.project_slug }}.worker import runtime
from {{ cookiecutter.project_slug }}.worker.base import ProcessingTask
from {{ cookiecutter.project_slug }}.worker.celery_app import app


class BridgeProbe(ProcessingTask):
    """A bare task instance, to call run_async the way a task body does."""

    name = "tests.bridge_probe"


def test_concurrent_run_async_calls_all_succeed(worker_runtime: runtime.WorkerRuntime) -> None:
    task = app.register_task(BridgeProbe())
    threads = 16
    barrier = threading.Barrier(threads)

    async def round_trip() -> JobStatus:
        async with runtime.current().database.store() as store:
            job = Job(id=uuid4(), queue="test", status=JobStatus.QUEUED, payload={"probe": True})
            await store.add(job)
            await store.claim(job.id)
            await store.succeed(job.id, {"ok": True})
            found = await store.get(job.id)
            assert found is not None
            await asyncio.sleep(0.01)
            return found.status

    def call(_: int) -> JobStatus:
        barrier.wait()  # every thread enters run_async at the same moment
        return task.run_async(round_trip())

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(call, range(threads)))
    assert results == [JobStatus.SUCCEEDED] * threads
