"""The integration suite's MongoDB: where it is, and what to say when it is not there.

The post-generation hook installs this file as tests/integration/db.py.
"""

import asyncio
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from {{ cookiecutter.project_slug }}.layout import IO_POOL
from {{ cookiecutter.project_slug }}.settings import Settings

#: A database of its own, so tests never touch development data. Created on first write.
TEST_ENVIRONMENT = {"MONGO_DB": "{{ cookiecutter.project_slug }}_test"}

DEFAULT_PORT = 27017


def _server(url: str) -> str:
    """The URL's scheme and hosts, without credentials: fit for a log line."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def database_address(settings: Settings) -> tuple[str, int]:
    """Where the database listens (its first host), for a fault test to put a proxy in front."""
    first = urlsplit(settings.mongo_url).netloc.rpartition("@")[2].split(",")[0]
    address = urlsplit(f"//{first}")
    return address.hostname or "127.0.0.1", address.port or DEFAULT_PORT


def environment_via(settings: Settings, port: int) -> dict[str, str]:
    """Environment variables that send the database's traffic through 127.0.0.1:`port`."""
    parts = urlsplit(settings.mongo_url)
    credentials, at, _ = parts.netloc.rpartition("@")
    # A direct connection: the driver stays on the proxy instead of discovering the
    # addresses a replica set member reports for itself.
    query = dict(parse_qsl(parts.query)) | {"directConnection": "true"}
    netloc = f"{credentials}{at}127.0.0.1:{port}"
    return {"MONGO_URL": urlunsplit(("mongodb", netloc, parts.path or "/", urlencode(query), ""))}


def worker_connection_bound(settings: Settings, concurrency: int) -> int:
    """The most connections a worker of this concurrency may hold.

    Each client keeps a monitoring connection beside its pool: a per-task client polls (one
    monitor connection, one pooled), a per-thread client streams (a monitor and a round-trip
    timer) and pools WORKER_THREAD_POOL_SIZE; the asyncio pool's one client streams and pools
    WORKER_LOOP_POOL_SIZE, whatever the concurrency.
    """
    if IO_POOL == "custom":
        return 2 + settings.worker_loop_pool_size
    if settings.worker_db_mode == "per-thread":
        return concurrency * (2 + settings.worker_thread_pool_size)
    return concurrency * 2


def count_worker_connections(settings: Settings) -> int:
    """Connections open to the server right now, not counting this probe's own.

    Server-wide (MongoDB counts connections per server, not per client), so a test compares
    it with the count before its worker started.
    """

    async def count() -> int:
        # Polling and direct: exactly two connections of its own, its monitor's and this one.
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
            settings.mongo_url, serverMonitoringMode="poll", directConnection=True
        )
        try:
            status = await client.admin.command("serverStatus")
            return int(status["connections"]["current"]) - 2
        finally:
            await client.close()

    return asyncio.run(count())


def database_problem(settings: Settings) -> str | None:
    """None if MongoDB answers; otherwise one line saying how to start it."""

    async def ping() -> None:
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
            settings.mongo_url, serverSelectionTimeoutMS=2500, connectTimeoutMS=2500
        )
        try:
            await client.admin.command("ping")
        finally:
            await client.close()

    try:
        asyncio.run(ping())
    except (OSError, PyMongoError) as exc:
        return (
            f"MongoDB is not reachable at {_server(settings.mongo_url)} ({type(exc).__name__}): "
            "start it (nx-27017 --db memory -p 27017, or docker compose up -d mongo) "
            "or set MONGO_URL"
        )
    return None
