"""How each kind of process gets its `JobStore`: the API once, a worker per task."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from .engines import api_engine, task_engine, thread_engine
from .store import SqlJobStore

if TYPE_CHECKING:
    from ..settings import Settings


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
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._per_loop: dict[asyncio.AbstractEventLoop, SqlJobStore] = {}
        self._shared = (
            SqlJobStore(task_engine(settings)) if settings.worker_db_mode == "per-task" else None
        )

    @asynccontextmanager
    async def store(self) -> AsyncIterator[SqlJobStore]:
        """The store for the task running on the current loop."""
        yield self._store_for_this_loop()

    def engine(self) -> AsyncEngine:
        """The engine a task on the current loop uses (for diagnostics and tests)."""
        return self._store_for_this_loop().engine

    def close(self) -> None:
        """Dispose every engine, each on the loop its connections belong to."""
        with self._lock:
            per_loop, self._per_loop = self._per_loop, {}
        if self._shared is not None:
            asyncio.run(self._shared.engine.dispose())
        for loop, store in per_loop.items():
            if not loop.is_closed():
                loop.run_until_complete(store.engine.dispose())

    def _store_for_this_loop(self) -> SqlJobStore:
        if self._shared is not None:
            return self._shared
        loop = asyncio.get_running_loop()
        store = self._per_loop.get(loop)
        if store is None:
            store = SqlJobStore(thread_engine(self._settings))
            with self._lock:
                self._per_loop[loop] = store
        return store
