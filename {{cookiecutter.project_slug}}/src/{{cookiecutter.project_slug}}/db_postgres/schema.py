"""Bring the database to the schema this code expects: create it if missing, then migrate."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from ..settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[3]


async def create_database_if_missing(url: str) -> bool:
    """Create the database named in `url` (connecting to the `postgres` database to do it).

    Returns True if it was created. Local development and tests need no manual `createdb`.
    """
    target = make_url(url)
    maintenance = target.set(drivername="postgresql", database="postgres")
    conn = await asyncpg.connect(maintenance.render_as_string(hide_password=False))
    try:
        exists = await conn.fetchval(
            "SELECT 1 FROM pg_database WHERE datname = $1", target.database
        )
        if exists:
            return False
        name = str(target.database).replace('"', '""')
        await conn.execute(f'CREATE DATABASE "{name}"')
        return True
    finally:
        await conn.close()


def prepare_database(settings: Settings) -> None:
    """Create the database if needed and apply every Alembic migration."""
    asyncio.run(create_database_if_missing(settings.database_url))
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = settings.database_url
    command.upgrade(config, "head")
