"""Which client each process gets: one for the API's lifespan; one per task run, or one per
thread's loop, for workers. An `AsyncMongoClient` is bound to the loop it first runs on, so
none may ever be used from a second loop."""

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from pymongo import AsyncMongoClient

from {{ cookiecutter.project_slug }}.api.app import create_app
from {{ cookiecutter.project_slug }}.db import WorkerDatabase, access, get_task_db
from {{ cookiecutter.project_slug }}.db.clients import Document
from {{ cookiecutter.project_slug }}.db.documents import COLLECTION, ensure_indexes
from {{ cookiecutter.project_slug }}.db.store import MongoJobStore
from {{ cookiecutter.project_slug }}.loops import FreshLoopRunner, LoopRunner, ThreadLoopRunner
from {{ cookiecutter.project_slug }}.settings import Settings
from tests.services import HEADERS

Client = AsyncMongoClient[Document]
Loop = asyncio.AbstractEventLoop
CLEAN_UP_INDEX = [("status", 1), ("updated_at", 1)]


class ClientSpy:
    """Wraps a client factory: records each client it makes and each close, with their loops."""

    def __init__(self, factory: Callable[[Settings], Client]) -> None:
        self._factory = factory
        self.made: list[tuple[Client, Loop]] = []
        self.closed: list[tuple[Client, Loop]] = []

    def __call__(self, settings: Settings) -> Client:
        client = self._factory(settings)
        self.made.append((client, asyncio.get_running_loop()))
        close = client.close

        async def recording_close() -> None:
            self.closed.append((client, asyncio.get_running_loop()))
            await close()

        client.close = recording_close  # type: ignore[method-assign]
        return client


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], ClientSpy]:
    def install(factory_name: str) -> ClientSpy:
        recorder = ClientSpy(getattr(access, factory_name))
        monkeypatch.setattr(access, factory_name, recorder)
        return recorder

    return install


@contextmanager
def worker(settings: Settings, mode: str) -> Iterator[tuple[WorkerDatabase, LoopRunner]]:
    """A worker's database and loops in `mode`, closed in the order the worker's shutdown uses."""
    settings = settings.model_copy(update={"worker_db_mode": mode})
    database = WorkerDatabase(settings, settings.worker_db_mode)
    loops: LoopRunner = ThreadLoopRunner() if mode == "per-thread" else FreshLoopRunner()
    try:
        yield database, loops
    finally:
        try:
            database.close()
        finally:
            loops.close()


async def use_the_database(database: WorkerDatabase) -> tuple[Client, Loop]:
    """What a task does: ask for the database, talk to it; report the client and the loop."""
    async with database.get_task_db() as db:
        await db.command("ping")
        return db.client, asyncio.get_running_loop()


async def other_live_tasks() -> int:
    this = asyncio.current_task()
    return sum(1 for task in asyncio.all_tasks() if task is not this and not task.done())


def identities(pairs: list[tuple[Client, Loop]]) -> set[tuple[int, int]]:
    """Which client went with which loop, by identity (clients compare equal by address)."""
    return {(id(client), id(loop)) for client, loop in pairs}


def index_keys(settings: Settings) -> list[list[tuple[str, Any]]]:
    async def read() -> list[list[tuple[str, Any]]]:
        async with get_task_db(settings) as db:
            indexes = await db[COLLECTION].index_information()
            return [list(index["key"]) for index in indexes.values()]

    return asyncio.run(read())


def drop_indexes(settings: Settings) -> None:
    async def drop() -> None:
        async with get_task_db(settings) as db:
            await db[COLLECTION].drop_indexes()

    asyncio.run(drop())
    assert CLEAN_UP_INDEX not in index_keys(settings)


def test_the_api_keeps_one_client_for_its_lifespan(
    services: Settings, spy: Callable[[str], ClientSpy]
) -> None:
    api_clients = spy("api_client")
    with TestClient(create_app(services)) as api:
        for _ in range(3):
            response = api.get(f"/jobs/{uuid4()}", headers=HEADERS)
            assert response.status_code == 404, response.text
        store: MongoJobStore = api.app.state.store  # type: ignore[attr-defined]
        assert len(api_clients.made) == 1
        assert api_clients.made[0][0] is store.client
        assert api_clients.closed == [], "the client lives as long as the app"
        pool = store.client.options.pool_options
        assert pool.max_pool_size == services.api_pool_size + services.api_pool_overflow
    assert identities(api_clients.closed) == identities(api_clients.made), (
        "closed, on its loop, at shutdown"
    )


def test_per_task_each_run_gets_its_own_client_closed_when_it_ends(
    services: Settings, spy: Callable[[str], ClientSpy]
) -> None:
    task_clients = spy("task_client")
    with worker(services, "per-task") as (database, loops):
        runs = [loops.run(use_the_database(database)) for _ in range(3)]
    assert len({id(client) for client, _ in runs}) == 3, "a client per run"
    assert identities(task_clients.made) == identities(runs)
    # Each closed inside its run, on the loop it was made on, before that loop was closed.
    assert len(task_clients.closed) == 3
    assert identities(task_clients.closed) == identities(task_clients.made)


def test_per_thread_a_loop_keeps_its_client_between_runs(
    services: Settings, spy: Callable[[str], ClientSpy]
) -> None:
    thread_clients = spy("thread_client")
    with worker(services, "per-thread") as (database, loops):
        here = [loops.run(use_the_database(database)) for _ in range(3)]
        with ThreadPoolExecutor(max_workers=1) as pool:
            there = [pool.submit(loops.run, use_the_database(database)).result() for _ in range(3)]
        assert len(identities(here)) == 1, "this thread's loop kept its client"
        assert len(identities(there)) == 1, "the other thread's loop kept its own"
        assert here[0][0] is not there[0][0]
        # The client's monitoring tasks are its own, not leftovers the runner cancels.
        assert loops.run(other_live_tasks()) > 0
        assert thread_clients.closed == []
        pool_options = here[0][0].options.pool_options
        assert pool_options.max_pool_size == services.worker_thread_pool_size
    # The worker's shutdown closes each client on its own loop.
    assert (
        identities(thread_clients.closed)
        == identities(thread_clients.made)
        == identities(here) | identities(there)
    )


@pytest.mark.parametrize("mode", ["per-task", "per-thread"])
def test_no_client_is_used_on_a_second_loop(services: Settings, mode: str) -> None:
    threads, runs_each = 8, 3
    # Without it, a thread that finished early could be reused for another batch, and fewer
    # than `threads` threads (so fewer per-thread clients) would take part.
    barrier = threading.Barrier(threads)
    with worker(services, mode) as (database, loops):

        def task_runs(_: int) -> list[tuple[Client, Loop]]:
            barrier.wait()
            return [loops.run(use_the_database(database)) for _ in range(runs_each)]

        with ThreadPoolExecutor(max_workers=threads) as pool:
            runs = [run for batch in pool.map(task_runs, range(threads)) for run in batch]
    # `runs` holds every client and loop, so no id below is reused by a later object.
    loops_of: dict[int, set[int]] = {}
    for client, loop in runs:
        loops_of.setdefault(id(client), set()).add(id(loop))
    assert all(len(client_loops) == 1 for client_loops in loops_of.values()), loops_of
    expected = threads * runs_each if mode == "per-task" else threads
    assert len(loops_of) == expected


def test_the_api_creates_the_indexes_at_start_up(services: Settings) -> None:
    drop_indexes(services)
    with TestClient(create_app(services)):
        assert CLEAN_UP_INDEX in index_keys(services)


@pytest.mark.parametrize("mode", ["per-task", "per-thread"])
def test_a_worker_creates_the_indexes_once_on_first_use(
    services: Settings, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []

    async def counting_ensure(db: Any) -> None:
        calls.append(db)
        await ensure_indexes(db)

    monkeypatch.setattr(access, "ensure_indexes", counting_ensure)
    drop_indexes(services)
    with worker(services, mode) as (database, loops):
        for _ in range(3):
            loops.run(use_the_database(database))
        assert CLEAN_UP_INDEX in index_keys(services)
    assert len(calls) == 1, "once per process, not per task"


def test_the_api_starts_without_mongodb_and_reports_it_not_ready(services: Settings) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = services.model_copy(
        update={"mongo_url": f"mongodb://127.0.0.1:{port}", "mongo_connect_timeout_ms": 300}
    )
    with TestClient(create_app(down)) as api:
        assert api.get("/health/live").status_code == 200
        response = api.get("/health/ready")
        assert response.status_code == 503, response.text
        assert response.json()["checks"]["database"].startswith("unavailable")
