"""The four clients a process can get, one per way of running.

An `AsyncMongoClient` is bound to the event loop it first runs on: its connections and its
monitoring tasks live there, and using it from another loop raises. So each client below
belongs to exactly one loop, and the caller that knows which process this is (the API's
lifespan, the worker's start-up) picks the kind; nothing guesses from `sys.argv`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pymongo import AsyncMongoClient

if TYPE_CHECKING:  # settings.py imports this package for its database fields
    from ..settings import Settings

#: The documents this package reads and writes: plain dicts, as BSON decodes them.
Document = dict[str, Any]

_PACKAGE = __name__.split(".")[0]


def _client(settings: Settings, role: str, **options: Any) -> AsyncMongoClient[Document]:
    return AsyncMongoClient(
        settings.mongo_url,
        # Dates come back timezone-aware (UTC), like every other datetime in the service.
        tz_aware=True,
        # Any UUID value is written in the portable binary form, never a driver-specific one.
        uuidRepresentation="standard",
        connectTimeoutMS=settings.mongo_connect_timeout_ms,
        serverSelectionTimeoutMS=settings.mongo_connect_timeout_ms,
        # Shown in the server's logs and currentOp: which process opened a connection.
        appname=f"{_PACKAGE}-{role}",
        **options,
    )


def api_client(settings: Settings) -> AsyncMongoClient[Document]:
    """The API's client: one loop for the process's life, so its pool persists.

    The pool may grow to API_POOL_SIZE + API_POOL_OVERFLOW connections, the same ceiling the
    PostgreSQL variant's pool has.
    """
    return _client(settings, "api", maxPoolSize=settings.api_pool_size + settings.api_pool_overflow)


def task_client(settings: Settings) -> AsyncMongoClient[Document]:
    """A client for one task run (per-task mode), created inside that run's loop and closed
    when the run ends."""
    # Polling: a client that lives for one run has no use for the streaming monitor, which
    # holds a connection of its own and starts a second monitoring task.
    return _client(settings, "worker", serverMonitoringMode="poll")


def thread_client(settings: Settings) -> AsyncMongoClient[Document]:
    """A small client for one worker thread's persistent loop (per-thread mode), and only it."""
    return _client(settings, "worker", maxPoolSize=settings.worker_thread_pool_size)


def loop_client(settings: Settings) -> AsyncMongoClient[Document]:
    """The client of an asyncio-pool worker: its one loop's, shared by all its jobs."""
    return _client(settings, "worker", maxPoolSize=settings.worker_loop_pool_size)
