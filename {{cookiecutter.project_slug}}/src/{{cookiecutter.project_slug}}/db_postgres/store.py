"""`JobStore` on PostgreSQL: one single-statement transaction per state change, each conditional.

Core statements on the jobs table, not ORM sessions: a job's life is a handful of single-row
statements, and the unit of work would only add CPU to every task. The statements are built
once, here, with named parameters: SQLAlchemy memoizes a statement's cache key, so running a
prebuilt statement skips building and keying it on every call, which had been about 40% of a
worker's CPU per job (benchmarks/README.md in the template).
"""

from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from uuid import UUID

from pydantic import JsonValue
from sqlalchemy import (
    ColumnElement,
    Interval,
    RowMapping,
    Update,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ..jobs.model import CLAIMABLE, FINISHED, Job, JobStatus
from .tables import Base

jobs = Base.metadata.tables["jobs"]


def _status_in(statuses: Collection[JobStatus]) -> ColumnElement[bool]:
    # OR of equalities rather than IN: a fixed IN list is re-rendered on every execution.
    return or_(*(jobs.c.status == status.value for status in sorted(statuses)))


_JOB_ID = jobs.c.id == bindparam("job_id")

_ADD = insert(jobs)
_GET = select(jobs).where(_JOB_ID)
_CLAIM = (
    update(jobs)
    .where(_JOB_ID, _status_in(CLAIMABLE))
    .values(status=JobStatus.RUNNING.value, attempts=jobs.c.attempts + 1, updated_at=func.now())
    .returning(*jobs.c)
)
_SUCCEED = (
    update(jobs)
    .where(_JOB_ID, jobs.c.status == JobStatus.RUNNING.value)
    .values(status=JobStatus.SUCCEEDED.value, result=bindparam("result"), updated_at=func.now())
    .returning(jobs.c.id)
)
_FAIL = (
    update(jobs)
    .where(_JOB_ID, _status_in(CLAIMABLE))
    .values(status=JobStatus.FAILED.value, error=bindparam("error"), updated_at=func.now())
    .returning(jobs.c.id)
)
_STALE = (
    select(jobs.c.id)
    # The cutoff comes from the database's clock, which stamped updated_at, not the caller's.
    .where(_status_in(CLAIMABLE), jobs.c.updated_at < func.now() - bindparam("age", type_=Interval))
    .order_by(jobs.c.updated_at)
    .limit(bindparam("limit"))
    # Two sweeps at once (two beats by mistake) each take different jobs, neither waits.
    .with_for_update(skip_locked=True)
)
_TAKE_STALE = (
    update(jobs)
    .where(jobs.c.id.in_(_STALE.scalar_subquery()))
    .values(updated_at=func.now())
    .returning(*jobs.c)
)
_DELETE_FINISHED = delete(jobs).where(_status_in(FINISHED), jobs.c.updated_at < bindparam("cutoff"))
_COUNT = select(func.count()).select_from(jobs)
_PING = text("SELECT 1")


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
        values = {
            "id": job.id,
            "queue": job.queue,
            "status": job.status.value,
            "payload": job.payload,
            "attempts": job.attempts,
        }
        async with self._transaction() as connection:
            await connection.execute(_ADD, values)

    async def get(self, job_id: UUID) -> Job | None:
        async with self._transaction() as connection:
            found = (await connection.execute(_GET, {"job_id": job_id})).mappings().one_or_none()
        return None if found is None else _job(found)

    async def claim(self, job_id: UUID) -> Job | None:
        async with self._transaction() as connection:
            found = (await connection.execute(_CLAIM, {"job_id": job_id})).mappings().one_or_none()
        return None if found is None else _job(found)

    async def succeed(self, job_id: UUID, result: JsonValue) -> bool:
        return await self._changed(_SUCCEED, job_id=job_id, result=result)

    async def fail(self, job_id: UUID, reason: str) -> bool:
        return await self._changed(_FAIL, job_id=job_id, error=reason)

    async def take_stale(self, older_than: float, limit: int) -> list[Job]:
        params = {"age": timedelta(seconds=older_than), "limit": limit}
        async with self._transaction() as connection:
            rows = (await connection.execute(_TAKE_STALE, params)).mappings().all()
        return [_job(row) for row in rows]

    async def delete_finished_before(self, cutoff: datetime) -> int:
        async with self._transaction() as connection:
            return (await connection.execute(_DELETE_FINISHED, {"cutoff": cutoff})).rowcount

    async def ping(self) -> None:
        async with self._transaction() as connection:
            await connection.execute(_PING)

    async def count(self) -> int:
        """How many jobs there are (for tests and diagnostics)."""
        async with self._transaction() as connection:
            return int(await connection.scalar(_COUNT) or 0)

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
        if isinstance(self._bind, AsyncConnection):
            async with self._bind.begin():
                yield self._bind
        else:
            async with self._bind.begin() as connection:
                yield connection
