"""How each kind of process gets its database: the API once, a worker per task run or per loop."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from ..loops import finish_on, keep_background_tasks
from .clients import Document, api_client, loop_client, task_client, thread_client
from .documents import ensure_indexes
from .errors import TRANSIENT_ERRORS
from .store import MongoJobStore

if TYPE_CHECKING:
    from ..settings import DbAccess, Settings

log = logging.getLogger(__name__)


@asynccontextmanager
async def open_api_store(settings: Settings) -> AsyncIterator[MongoJobStore]:
    """The API's store for its lifespan, on one client closed when the app stops."""
    client = api_client(settings)
    try:
        database = client[settings.mongo_db]
        try:
            await ensure_indexes(database)
        except TRANSIENT_ERRORS as exc:
            # Serve anyway: /health/ready reports the database as down until it answers, and
            # the workers create the indexes on their first task.
            log.warning("could not create the indexes at start-up: %s", exc)
        yield MongoJobStore(database)
    finally:
        await client.close()


@asynccontextmanager
async def get_task_db(settings: Settings) -> AsyncIterator[AsyncDatabase[Document]]:
    """The database for one task run, on a client of the run's own.

    The client is created inside the running loop and closed when the block ends, so it never
    outlives the loop it is bound to. Tasks reach it through `WorkerDatabase`, which picks it
    or the thread's client by mode: no task creates a client by hand.
    """
    client = task_client(settings)
    try:
        yield client[settings.mongo_db]
    finally:
        await client.close()


class WorkerDatabase:
    """The database as one worker process sees it; created by the worker's start-up.

    per-task mode: every task run gets a client of its own (`get_task_db`), created in the
    run's fresh loop and closed before the loop is.
    per-thread mode: one small client per event loop (one loop per thread), created the first
    time a task on that loop asks for it and kept, with its monitoring tasks, until `close()`.
    shared-loop (the asyncio pool): the same, for the process's one loop, with a pool that
    every running job shares.
    """

    def __init__(self, settings: Settings, access: DbAccess) -> None:
        self._settings = settings
        self._access = access
        self._lock = threading.Lock()
        self._per_loop: dict[asyncio.AbstractEventLoop, AsyncMongoClient[Document]] = {}
        self._indexes_ready = False

    @asynccontextmanager
    async def get_task_db(self) -> AsyncIterator[AsyncDatabase[Document]]:
        """The database for the task running on the current loop."""
        if self._access != "per-task":
            client = await self._client_for_this_loop()
            database = client[self._settings.mongo_db]
            await self._ensure_indexes(database)
            yield database
        else:
            async with get_task_db(self._settings) as database:
                await self._ensure_indexes(database)
                yield database

    @asynccontextmanager
    async def store(self) -> AsyncIterator[MongoJobStore]:
        """The store for the task running on the current loop."""
        async with self.get_task_db() as database:
            yield MongoJobStore(database)

    def close(self) -> None:
        """Close every per-loop client, each on the loop it is bound to."""
        with self._lock:
            per_loop, self._per_loop = self._per_loop, {}
        for loop, client in per_loop.items():
            if not loop.is_closed():
                finish_on(loop, client.close())

    async def _ensure_indexes(self, database: AsyncDatabase[Document]) -> None:
        # Once per process. Threads starting together may each create them: harmless, since
        # creating an index that exists is a no-op.
        if not self._indexes_ready:
            await ensure_indexes(database)
            self._indexes_ready = True

    async def _client_for_this_loop(self) -> AsyncMongoClient[Document]:
        loop = asyncio.get_running_loop()
        with self._lock:
            client = self._per_loop.get(loop)
        if client is not None:
            return client
        before = asyncio.all_tasks()
        make = loop_client if self._access == "shared-loop" else thread_client
        client = make(self._settings)
        with self._lock:  # before the first await, so other coroutines on this loop share it
            self._per_loop[loop] = client
        try:
            await client.aconnect()
        except BaseException:
            with self._lock:
                self._per_loop.pop(loop, None)
            await client.close()
            raise
        # The client's monitors run as tasks on this loop for as long as it lives: they are
        # the client's, not leftovers of the task that happened to create it.
        keep_background_tasks(before)
        return client
