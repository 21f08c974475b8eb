"""The four engines a process can get, one per way of running.

The choice is made by the caller that knows which process this is (the API's lifespan, the
worker's start-up), never guessed from `sys.argv`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:  # settings.py imports this package for its database fields
    from ..settings import Settings


_PACKAGE = __name__.split(".")[0]


def application_name(role: str, pid: int | None = None) -> str:
    """How a process's connections name themselves in pg_stat_activity: package, role, pid."""
    return f"{_PACKAGE}-{role}-{os.getpid() if pid is None else pid}"


def _common(settings: Settings, role: str) -> dict[str, Any]:
    """What every engine shares: its connect arguments, and autocommit.

    Autocommit, because every statement the store runs is a transaction on its own (one
    conditional single-row change): BEGIN and COMMIT would be two more round trips per
    statement, and the pre-ping would be three (BEGIN, ping, ROLLBACK) instead of one. Code
    that needs several statements to be atomic must leave autocommit on its connection first
    (see `SqlJobStore._transaction`).
    """
    return {
        "isolation_level": "AUTOCOMMIT",
        "connect_args": {
            "timeout": settings.database_connect_timeout,
            "server_settings": {"application_name": application_name(role)},
        },
    }


def _skip_closed_connections(engine: AsyncEngine) -> AsyncEngine:
    """Check out only connections asyncpg has not seen close: SQLAlchemy's pessimistic
    disconnect handling, without a pre-ping's round trip.

    On a loop that always runs (the API's, the asyncio pool's), asyncpg reads a server's
    goodbye (a restart, an idle timeout, `pg_terminate_backend`) as it arrives and marks its
    connection closed; raising DisconnectionError here makes the pool drop that one and
    check out another. A connection that dies unseen fails its statement instead, and
    SQLAlchemy invalidates the pool.
    """

    @event.listens_for(engine.sync_engine, "checkout")
    def _skip_if_closed(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if dbapi_connection.driver_connection.is_closed():
            raise DisconnectionError("the server closed this pooled connection")

    return engine


def api_engine(settings: Settings) -> AsyncEngine:
    """A pooled engine for the API: one loop for the process's life, so connections persist.

    No pre-ping: it held every request's connection for a second round trip, and with 50
    clients on a pool of 15 that wait was the API's slowest percentile (ADR 0003).
    """
    return _skip_closed_connections(
        create_async_engine(
            settings.database_url,
            pool_size=settings.api_pool_size,
            max_overflow=settings.api_pool_overflow,
            **_common(settings, "api"),
        )
    )


def task_engine(settings: Settings) -> AsyncEngine:
    """A NullPool engine for per-task workers: each connection lives and dies in one task's loop.

    Safe to share between threads: it holds no connection between checkouts, so none can
    be bound to a loop that has since closed.
    """
    return create_async_engine(
        settings.database_url, poolclass=NullPool, **_common(settings, "worker")
    )


def thread_engine(settings: Settings) -> AsyncEngine:
    """A small pooled engine for one worker thread's persistent loop, and only for that loop."""
    return create_async_engine(
        settings.database_url,
        pool_size=settings.worker_thread_pool_size,
        max_overflow=0,
        pool_pre_ping=True,
        **_common(settings, "worker"),
    )


def loop_engine(settings: Settings) -> AsyncEngine:
    """The pooled engine of an asyncio-pool worker: its one loop's, shared by all its jobs.

    Without a pre-ping: its jobs check a connection out per statement, so a ping would double
    their round trips (ADR 0003 has the numbers). Its loop always runs, so a connection the
    server ended is seen closed and skipped at checkout; one that dies unseen fails one
    statement, SQLAlchemy invalidates the pool, and the job's transient error is retried.
    """
    return _skip_closed_connections(
        create_async_engine(
            settings.database_url,
            pool_size=settings.worker_loop_pool_size,
            max_overflow=0,
            **_common(settings, "worker"),
        )
    )
