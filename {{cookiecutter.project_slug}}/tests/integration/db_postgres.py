"""The integration suite's PostgreSQL: where it is, and what to say when it is not there.

The post-generation hook installs this file as tests/integration/db.py.
"""

import asyncio

import asyncpg
from sqlalchemy.engine import make_url

from {{ cookiecutter.project_slug }}.db.engines import application_name
from {{ cookiecutter.project_slug }}.layout import IO_POOL
from {{ cookiecutter.project_slug }}.settings import Settings

#: A database of its own, so tests never touch development data. Created on first use.
TEST_ENVIRONMENT = {
    "DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:5432/{{ cookiecutter.project_slug }}_test",
}


def database_address(settings: Settings) -> tuple[str, int]:
    """Where the database listens, for a fault test to put a proxy in front of it."""
    url = make_url(settings.database_url)
    return url.host or "127.0.0.1", url.port or 5432


def environment_via(settings: Settings, port: int) -> dict[str, str]:
    """Environment variables that send the database's traffic through 127.0.0.1:`port`."""
    url = make_url(settings.database_url).set(host="127.0.0.1", port=port)
    return {"DATABASE_URL": url.render_as_string(hide_password=False)}


def worker_connection_bound(settings: Settings, concurrency: int) -> int:
    """At most one connection per running task (per-task), a pool per thread (per-thread), or
    one pool for the whole process (the asyncio pool, whatever the mode)."""
    if IO_POOL == "custom":
        return settings.worker_loop_pool_size
    if settings.worker_db_mode == "per-thread":
        return concurrency * settings.worker_thread_pool_size
    return concurrency


def count_worker_connections(settings: Settings) -> int:
    """Connections worker processes other than this test process hold to the database now."""
    url = make_url(settings.database_url)

    async def count() -> int:
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        conn = await asyncpg.connect(dsn, timeout=3)
        try:
            query = (
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1"
                " AND application_name LIKE $2 AND application_name <> $3"
            )
            workers = application_name("worker", pid=0).removesuffix("0") + "%"
            here = application_name("worker")
            return int(await conn.fetchval(query, url.database, workers, here))
        finally:
            await conn.close()

    return asyncio.run(count())


def database_problem(settings: Settings) -> str | None:
    """None if PostgreSQL answers; otherwise one line saying how to start it."""
    url = make_url(settings.database_url)
    server = url.set(drivername="postgresql", database="postgres")

    async def ping() -> None:
        conn = await asyncpg.connect(server.render_as_string(hide_password=False), timeout=3)
        await conn.close()

    try:
        asyncio.run(ping())
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return (
            f"PostgreSQL is not reachable at {url.host}:{url.port or 5432} "
            f"({type(exc).__name__}): start it (pg_ctlcluster, or docker compose up -d postgres) "
            "or set DATABASE_URL"
        )
    return None
