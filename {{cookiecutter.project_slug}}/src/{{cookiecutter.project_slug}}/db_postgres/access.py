"""How each kind of process gets its `JobStore`: the API once, a worker per task."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from ..loops import finish_on
from .engines import api_engine, loop_engine, task_engine, thread_engine
from .store import SqlJobStore

if TYPE_CHECKING:
    from ..settings import DbAccess, Settings


@asynccontextmanager
async def open_api_store(settings: Settings) -> AsyncIterator[SqlJobStore]:
    """The API's store for its lifespan, on a pooled engine disposed when the app stops."""
    engine = api_engine(settings)
    try:
        yield SqlJobStore(engine)
    finally:
        await engine.dispose()


class WorkerDatabase:
    """The database as one worker process sees it; created by the worker's start-up.

    per-task mode: one NullPool engine shared by every thread, each task opening and closing
    its own connection inside its own loop.
    per-thread mode: a small pooled engine per event loop (one loop per thread), created the
    first time a task on that loop asks for it.
    shared-loop (the asyncio pool): one pooled engine for the process's one loop, which every
    running job shares, a connection per statement.
    """

    def __init__(self, settings: Settings, access: DbAccess) -> None:
        self._settings = settings
        self._access = access
        self._lock = threading.Lock()
        self._per_loop: dict[asyncio.AbstractEventLoop, AsyncEngine] = {}
        self._shared = task_engine(settings) if access == "per-task" else None
        # Only the shared engine needs it; a per-loop engine's first connect is its loop's alone.
        self._first_connect_done = self._shared is None
        self._first_connect_lock = threading.Lock()

    @asynccontextmanager
    async def store(self) -> AsyncIterator[SqlJobStore]:
        """A store for one task on the current loop.

        On a thread's loop or the task's own, one connection for the whole task: one checkout
        (one NullPool connect, or one pre-ping) serves every statement. On the shared loop, a
        checkout per statement: a job waiting on something else holds no connection, so a
        few connections serve many running jobs.
        """
        engine = self.engine()
        if not self._first_connect_done:
            await self._first_connect(engine)
        if self._access == "shared-loop":
            yield SqlJobStore(engine)
            return
        async with engine.connect() as connection:
            yield SqlJobStore(connection)

    def engine(self) -> AsyncEngine:
        """The engine for tasks on the current loop: the shared one, or this loop's own."""
        if self._shared is not None:
            return self._shared
        loop = asyncio.get_running_loop()
        engine = self._per_loop.get(loop)
        if engine is None:
            make = loop_engine if self._access == "shared-loop" else thread_engine
            engine = make(self._settings)
            with self._lock:
                self._per_loop[loop] = engine
        return engine

    def close(self) -> None:
        """Dispose every engine, each on the loop its connections belong to."""
        with self._lock:
            per_loop, self._per_loop = self._per_loop, {}
        if self._shared is not None:
            asyncio.run(self._shared.dispose())
        for loop, engine in per_loop.items():
            if not loop.is_closed():
                finish_on(loop, engine.dispose())

    async def _first_connect(self, engine: AsyncEngine) -> None:
        """Make the shared engine's first connection on one thread while the others wait.

        SQLAlchemy initialises the dialect on an engine's first connection, behind an asyncio
        lock created on whichever loop gets there first. When a worker starts with a full
        queue, all its threads (each with its own loop) get there at once, and the others fail
        with "Lock is bound to a different event loop". Blocking those threads here, once, for
        the length of one connect, is what a shared engine across loops needs.
        """
        with self._first_connect_lock:
            if not self._first_connect_done:
                async with engine.connect():
                    pass
                self._first_connect_done = True
