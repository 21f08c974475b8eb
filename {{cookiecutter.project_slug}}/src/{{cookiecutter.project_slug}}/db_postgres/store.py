"""`JobStore` on PostgreSQL: one short transaction per state change, each one conditional.

Core statements on the jobs table, not ORM sessions: a job's life is a handful of single-row
statements, and the unit of work would only add CPU to every task.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from uuid import UUID

from pydantic import JsonValue
from sqlalchemy import RowMapping, delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ..jobs.model import CLAIMABLE, FINISHED, Job, JobStatus
from .tables import Base

jobs = Base.metadata.tables["jobs"]


def _job(row: RowMapping) -> Job:
    return Job(
        id=row["id"],
        queue=row["queue"],
        status=JobStatus(row["status"]),
        payload=row["payload"],
        result=row["result"],
        error=row["error"],
        attempts=row["attempts"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class SqlJobStore:
    """A store on an engine (each statement checks a connection out of its pool) or on one
    connection (a worker's task: one checkout, one pre-ping, for all its statements)."""

    def __init__(self, bind: AsyncEngine | AsyncConnection) -> None:
        self._bind = bind
        self.engine = bind if isinstance(bind, AsyncEngine) else bind.engine

    async def add(self, job: Job) -> None:
        statement = insert(jobs).values(
            id=job.id,
            queue=job.queue,
            status=job.status.value,
            payload=job.payload,
            attempts=job.attempts,
        )
        async with self._transaction() as connection:
            await connection.execute(statement)

    async def get(self, job_id: UUID) -> Job | None:
        async with self._transaction() as connection:
            row = (await connection.execute(select(jobs).where(jobs.c.id == job_id))).mappings()
            found = row.one_or_none()
        return None if found is None else _job(found)

    async def claim(self, job_id: UUID) -> Job | None:
        statement = (
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.status.in_(CLAIMABLE))
            .values(
                status=JobStatus.RUNNING.value,
                attempts=jobs.c.attempts + 1,
                updated_at=func.now(),
            )
            .returning(*jobs.c)
        )
        async with self._transaction() as connection:
            found = (await connection.execute(statement)).mappings().one_or_none()
        return None if found is None else _job(found)

    async def succeed(self, job_id: UUID, result: JsonValue) -> bool:
        return await self._transition(
            job_id, {JobStatus.RUNNING}, status=JobStatus.SUCCEEDED.value, result=result
        )

    async def fail(self, job_id: UUID, reason: str) -> bool:
        return await self._transition(
            job_id, CLAIMABLE, status=JobStatus.FAILED.value, error=reason
        )

    async def delete_finished_before(self, cutoff: datetime) -> int:
        statement = delete(jobs).where(jobs.c.status.in_(FINISHED), jobs.c.updated_at < cutoff)
        async with self._transaction() as connection:
            return (await connection.execute(statement)).rowcount

    async def ping(self) -> None:
        async with self._transaction() as connection:
            await connection.execute(text("SELECT 1"))

    async def count(self) -> int:
        """How many jobs there are (for tests and diagnostics)."""
        async with self._transaction() as connection:
            return int(await connection.scalar(select(func.count()).select_from(jobs)) or 0)

    async def _transition(
        self, job_id: UUID, allowed: frozenset[JobStatus] | set[JobStatus], **values: object
    ) -> bool:
        statement = (
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.status.in_(allowed))
            .values(updated_at=func.now(), **values)
            .returning(jobs.c.id)
        )
        async with self._transaction() as connection:
            return (await connection.execute(statement)).scalar_one_or_none() is not None

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncConnection]:
        """One committed transaction: on the store's connection, or a pooled one."""
        if isinstance(self._bind, AsyncConnection):
            async with self._bind.begin():
                yield self._bind
        else:
            async with self._bind.begin() as connection:
                yield connection
