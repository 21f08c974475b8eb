"""The integration suite's PostgreSQL: where it is, and what to say when it is not there.

The post-generation hook installs this file as tests/integration/db.py.
"""

import asyncio

import asyncpg
from sqlalchemy.engine import make_url

from {{ cookiecutter.project_slug }}.settings import Settings

#: A database of its own, so tests never touch development data. Created on first use.
TEST_ENVIRONMENT = {
    "DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:5432/{{ cookiecutter.project_slug }}_test",
}


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
