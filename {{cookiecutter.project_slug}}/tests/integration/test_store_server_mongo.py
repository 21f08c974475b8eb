"""The store against the real server: conditional state changes, timestamps, the clean-up.

It runs in a database of its own, emptied first, so the clean-up it tests deletes nothing
another test is still reading.
"""

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from uuid import uuid4

import pytest

from {{ cookiecutter.project_slug }}.db import get_task_db
from {{ cookiecutter.project_slug }}.db.documents import ensure_indexes
from {{ cookiecutter.project_slug }}.db.store import MongoJobStore
from {{ cookiecutter.project_slug }}.jobs.model import Job, JobStatus
from {{ cookiecutter.project_slug }}.settings import Settings

T = TypeVar("T")


class StoreRunner:
    """Runs a coroutine function with a store on a database of its own, in a fresh loop."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings.model_copy(update={"mongo_db": f"{settings.mongo_db}_store"})

    def __call__(self, body: Callable[[MongoJobStore], Awaitable[T]]) -> T:
        async def with_store() -> T:
            async with get_task_db(self.settings) as database:
                return await body(MongoJobStore(database))

        return asyncio.run(with_store())


async def empty(store: MongoJobStore) -> None:
    await store.jobs.delete_many({})
    await ensure_indexes(store.database)


@pytest.fixture
def with_store(services: Settings) -> Iterator[StoreRunner]:
    run = StoreRunner(services)
    run(empty)
    yield run
    run(empty)


def new_job() -> Job:
    return Job(
        id=uuid4(), kind="echo", queue="default", status=JobStatus.QUEUED, payload={"n": [1, 2.5]}
    )


def test_a_job_goes_from_queued_to_succeeded_once(with_store: StoreRunner) -> None:
    job = new_job()

    async def body(store: MongoJobStore) -> None:
        await store.add(job)
        stored = await store.get(job.id)
        assert stored is not None
        assert (stored.status, stored.attempts, stored.payload) == (
            JobStatus.QUEUED,
            0,
            job.payload,
        )
        assert stored.created_at is not None
        assert stored.created_at.utcoffset() == timedelta(0), "timezone-aware UTC"

        claimed = await store.claim(job.id)
        assert claimed is not None
        assert (claimed.status, claimed.attempts) == (JobStatus.RUNNING, 1)
        assert isinstance(claimed.updated_at, datetime)
        assert claimed.updated_at >= stored.created_at - timedelta(seconds=5)
        reclaimed = await store.claim(job.id)  # a redelivery after a worker died
        assert reclaimed is not None
        assert reclaimed.attempts == 2

        assert await store.succeed(job.id, {"ok": True}) is True
        assert await store.succeed(job.id, {"ok": False}) is False, "finished only once"
        assert await store.fail(job.id, "too late") is False
        assert await store.claim(job.id) is None, "a finished job is not claimed again"
        done = await store.get(job.id)
        assert done is not None
        assert (done.status, done.result, done.error) == (JobStatus.SUCCEEDED, {"ok": True}, None)

    with_store(body)


def test_fail_needs_an_unfinished_job_and_succeed_a_running_one(
    with_store: StoreRunner,
) -> None:
    job = new_job()

    async def body(store: MongoJobStore) -> None:
        await store.add(job)
        assert await store.succeed(job.id, 1) is False, "not claimed yet"
        assert await store.fail(job.id, "could not be queued") is True
        failed = await store.get(job.id)
        assert failed is not None
        assert (failed.status, failed.error) == (JobStatus.FAILED, "could not be queued")
        unknown = uuid4()
        assert await store.get(unknown) is None
        assert await store.claim(unknown) is None
        assert await store.fail(unknown, "x") is False

    with_store(body)


def test_the_clean_up_deletes_only_finished_jobs_older_than_the_cutoff(
    with_store: StoreRunner,
) -> None:
    finished, running, queued = new_job(), new_job(), new_job()

    async def body(store: MongoJobStore) -> None:
        for job in (finished, running, queued):
            await store.add(job)
        await store.claim(finished.id)
        await store.succeed(finished.id, None)
        await store.claim(running.id)
        assert await store.delete_finished_before(datetime.now(UTC) - timedelta(hours=1)) == 0
        assert await store.delete_finished_before(datetime.now(UTC) + timedelta(minutes=1)) == 1
        assert await store.get(finished.id) is None
        assert await store.count() == 2

    with_store(body)


def test_ping_answers(with_store: StoreRunner) -> None:
    async def body(store: MongoJobStore) -> None:
        await store.ping()

    with_store(body)
