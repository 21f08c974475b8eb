"""Bring the database to the shape this code expects: its indexes.

MongoDB creates databases and collections on first write, so there is nothing else to do, and
nothing to migrate: documents carry their own shape.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from .access import get_task_db
from .documents import ensure_indexes

if TYPE_CHECKING:
    from ..settings import Settings


async def _prepare(settings: Settings) -> None:
    async with get_task_db(settings) as database:
        await ensure_indexes(database)


def prepare_database(settings: Settings) -> None:
    """Create the indexes (idempotent; the API and the workers also do it when they start)."""
    asyncio.run(_prepare(settings))
