"""`JobStore` on PostgreSQL: one short transaction per state change, each one conditional."""

from datetime import datetime
from uuid import UUID

from pydantic import JsonValue
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from ..jobs.model import CLAIMABLE, FINISHED, Job, JobStatus
from .tables import JobRow


def _job(row: JobRow) -> Job:
    return Job(
        id=row.id,
        queue=row.queue,
        status=JobStatus(row.status),
        payload=row.payload,  # type: ignore[arg-type]  # JSONB holds what the API validated
        result=row.result,  # type: ignore[arg-type]
        error=row.error,
        attempts=row.attempts,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlJobStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def add(self, job: Job) -> None:
        async with self._sessions.begin() as session:
            session.add(
                JobRow(
                    id=job.id,
                    queue=job.queue,
                    status=job.status.value,
                    payload=job.payload,
                    attempts=job.attempts,
                )
            )

    async def get(self, job_id: UUID) -> Job | None:
        async with self._sessions() as session:
            row = await session.get(JobRow, job_id)
            return None if row is None else _job(row)

    async def claim(self, job_id: UUID) -> Job | None:
        statement = (
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.status.in_(CLAIMABLE))
            .values(status=JobStatus.RUNNING.value, attempts=JobRow.attempts + 1)
            .returning(JobRow)
        )
        async with self._sessions.begin() as session:
            row = (await session.execute(statement)).scalar_one_or_none()
            return None if row is None else _job(row)

    async def succeed(self, job_id: UUID, result: JsonValue) -> bool:
        return await self._transition(
            job_id, {JobStatus.RUNNING}, status=JobStatus.SUCCEEDED.value, result=result
        )

    async def fail(self, job_id: UUID, reason: str) -> bool:
        return await self._transition(
            job_id, CLAIMABLE, status=JobStatus.FAILED.value, error=reason
        )

    async def delete_finished_before(self, cutoff: datetime) -> int:
        statement = delete(JobRow).where(JobRow.status.in_(FINISHED), JobRow.updated_at < cutoff)
        async with self._sessions.begin() as session:
            result = await session.execute(statement)
            return int(result.rowcount)  # type: ignore[attr-defined]

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def count(self) -> int:
        """How many jobs there are (for tests and diagnostics)."""
        async with self._sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(JobRow)) or 0)

    async def _transition(
        self, job_id: UUID, allowed: frozenset[JobStatus] | set[JobStatus], **values: object
    ) -> bool:
        statement = (
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.status.in_(allowed))
            .values(**values)
            .returning(JobRow.id)
        )
        async with self._sessions.begin() as session:
            return (await session.execute(statement)).scalar_one_or_none() is not None
