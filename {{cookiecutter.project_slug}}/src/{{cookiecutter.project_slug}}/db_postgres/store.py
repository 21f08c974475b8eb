"""`JobStore` on PostgreSQL: one single-statement transaction per state change, each conditional.

Core statements on the jobs table (`statements.py`, built once), not ORM sessions: a job's
life is a handful of single-row statements, and the unit of work would only add CPU to every
task.
"""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from uuid import UUID

from pydantic import JsonValue
from sqlalchemy import Executable, Update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ..jobs.model import ChildCounts, Job, JobStatus
from ..jobs.store import EVERYONE, JobQuery
from . import statements as sql
from .listing import list_jobs
from .rows import job_from, row_of


class SqlJobStore:
    """A store on an engine (each statement checks a connection out of its pool) or on one
    connection (a worker's task: one checkout, one pre-ping, for all its statements)."""

    def __init__(self, bind: AsyncEngine | AsyncConnection) -> None:
        self._bind = bind
        self.engine = bind if isinstance(bind, AsyncEngine) else bind.engine

    async def add(self, job: Job) -> Job | None:
        async with self._connection() as connection:
            stored = await sql.FAST_ADD.fetchrow(connection, **row_of(job))
        return None if stored is not None else await self.get(job.id)

    async def add_children(self, children: Sequence[Job]) -> None:
        if children:
            async with self._transaction() as connection:
                await connection.execute(sql.ADD_CHILDREN, [row_of(child) for child in children])

    async def get(self, job_id: UUID, visible_to: str | None = EVERYONE) -> Job | None:
        scoped = visible_to is not None
        return await self._one(sql.GET_OWNED if scoped else sql.GET, job_id, visible_to)

    async def list_jobs(self, query: JobQuery) -> list[Job]:
        async with self._transaction() as connection:
            rows = (await connection.execute(list_jobs(query))).mappings().all()
        return [job_from(row) for row in rows]

    async def cancel(self, job_id: UUID, visible_to: str | None = EVERYONE) -> Job | None:
        scoped = visible_to is not None
        job = await self._one(sql.CANCEL_OWNED if scoped else sql.CANCEL, job_id, visible_to)
        if job is not None and job.children_total is not None:
            async with self._transaction() as connection:
                await connection.execute(sql.CANCEL_CHILDREN, {"job_id": job_id})
        return job

    async def cancelled(self, job_id: UUID) -> bool:
        return await self._changed(sql.CANCELLED, job_id=job_id)

    async def retry(self, job_id: UUID, visible_to: str | None = EVERYONE) -> Job | None:
        scoped = visible_to is not None
        return await self._one(sql.RETRY_OWNED if scoped else sql.RETRY, job_id, visible_to)

    async def heartbeat(self, job_id: UUID, progress: float | None, message: str | None) -> bool:
        async with self._transaction() as connection:
            if progress is None:
                flag = await connection.scalar(sql.CANCEL_REQUESTED, {"job_id": job_id})
            else:
                params = {"job_id": job_id, "progress": progress, "message": message}
                flag = await connection.scalar(sql.HEARTBEAT, params)
        return bool(flag)

    async def claim(self, job_id: UUID) -> Job | None:
        async with self._connection() as connection:
            found = await sql.FAST_CLAIM.fetchrow(connection, job_id=job_id)
        return None if found is None else job_from(found)

    async def release(self, job_id: UUID) -> bool:
        return await self._changed(sql.RELEASE, job_id=job_id)

    async def succeed(self, job_id: UUID, result: JsonValue) -> bool:
        async with self._connection() as connection:
            found = await sql.FAST_SUCCEED.fetchrow(connection, job_id=job_id, result=result)
        return found is not None

    async def fail(self, job_id: UUID, reason: str) -> bool:
        return await self._changed(sql.FAIL, job_id=job_id, error=reason)

    async def wait_for_children(self, job_id: UUID, total: int) -> bool:
        return await self._changed(sql.WAIT, job_id=job_id, total=total)

    async def complete_if_children_done(self, job_id: UUID) -> Job | None:
        return await self._one(sql.COMPLETE_IF_DONE, job_id)

    async def children(self, job_id: UUID) -> list[Job]:
        async with self._transaction() as connection:
            rows = (await connection.execute(sql.CHILDREN, {"job_id": job_id})).mappings().all()
        return [job_from(row) for row in rows]

    async def child_counts(self, job_id: UUID, total: int) -> ChildCounts:
        async with self._transaction() as connection:
            rows = (await connection.execute(sql.CHILD_COUNTS, {"job_id": job_id})).all()
        counts: dict[str, int] = dict(rows)
        return ChildCounts(
            total=total,
            succeeded=counts.get(JobStatus.SUCCEEDED.value, 0),
            failed=counts.get(JobStatus.FAILED.value, 0),
        )

    async def take_stale(self, older_than: float, limit: int) -> list[Job]:
        params = {"age": timedelta(seconds=older_than), "limit": limit}
        async with self._transaction() as connection:
            rows = (await connection.execute(sql.TAKE_STALE, params)).mappings().all()
        return [job_from(row) for row in rows]

    async def delete_finished_before(self, cutoff: datetime) -> int:
        async with self._transaction() as connection:
            return (await connection.execute(sql.DELETE_FINISHED, {"cutoff": cutoff})).rowcount

    async def ping(self) -> None:
        async with self._transaction() as connection:
            await connection.execute(sql.PING)

    async def count_by_status(self) -> dict[JobStatus, int]:
        async with self._transaction() as connection:
            rows = (await connection.execute(sql.COUNT_BY_STATUS)).all()
        return {JobStatus(status): count for status, count in rows}

    async def count(self) -> int:
        """How many jobs there are (for tests and diagnostics)."""
        async with self._transaction() as connection:
            return int(await connection.scalar(sql.COUNT) or 0)

    async def _one(
        self, statement: Executable, job_id: UUID, owner: str | None = None
    ) -> Job | None:
        """Run a statement that returns one job's row, or none."""
        params = {"job_id": job_id} | ({} if owner is None else {"visible_to": owner})
        async with self._transaction() as connection:
            found = (await connection.execute(statement, params)).mappings().one_or_none()
        return None if found is None else job_from(found)

    async def _changed(self, statement: Update, **params: object) -> bool:
        """Run a conditional single-row update; True if it matched the row."""
        async with self._transaction() as connection:
            return (await connection.execute(statement, params)).scalar_one_or_none() is not None

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncConnection]:
        """One statement's transaction, on the store's connection or a pooled one.

        The engines run in autocommit (see engines.py), so each statement commits on its own
        and `begin()` costs no round trip; it is here so that a store on an engine without
        autocommit still commits. It does not make several statements atomic: a method that
        needs that must first take its connection out of autocommit, with
        `await connection.execution_options(isolation_level="READ COMMITTED")`.
        """
        async with self._connection() as connection, connection.begin():
            yield connection

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[AsyncConnection]:
        """The store's connection, or one checked out of its engine for one statement."""
        if isinstance(self._bind, AsyncConnection):
            yield self._bind
        else:
            async with self._bind.connect() as connection:
                yield connection
