"""An in-memory `JobStore` for unit tests: the same conditional transitions, no database."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

from pydantic import JsonValue

from {{ cookiecutter.project_slug }}.jobs.model import CLAIMABLE, FINISHED, Job, JobStatus


class MemoryJobStore:
    def __init__(self) -> None:
        self.jobs: dict[UUID, Job] = {}
        self.reachable = True

    async def add(self, job: Job) -> None:
        now = datetime.now(UTC)
        self.jobs[job.id] = replace(job, created_at=now, updated_at=now)

    async def get(self, job_id: UUID) -> Job | None:
        return self.jobs.get(job_id)

    async def claim(self, job_id: UUID) -> Job | None:
        job = self.jobs.get(job_id)
        if job is None or job.status not in CLAIMABLE:
            return None
        return self._set(job, status=JobStatus.RUNNING, attempts=job.attempts + 1)

    async def succeed(self, job_id: UUID, result: JsonValue) -> bool:
        job = self.jobs.get(job_id)
        if job is None or job.status is not JobStatus.RUNNING:
            return False
        self._set(job, status=JobStatus.SUCCEEDED, result=result)
        return True

    async def fail(self, job_id: UUID, reason: str) -> bool:
        job = self.jobs.get(job_id)
        if job is None or job.status not in CLAIMABLE:
            return False
        self._set(job, status=JobStatus.FAILED, error=reason)
        return True

    async def take_stale(self, older_than: float, limit: int) -> list[Job]:
        before = datetime.now(UTC) - timedelta(seconds=older_than)
        stale = [
            job
            for job in self.jobs.values()
            if job.status in CLAIMABLE and job.updated_at is not None and job.updated_at < before
        ]
        stale.sort(key=lambda job: job.updated_at or before)
        return [self._set(job) for job in stale[:limit]]

    async def delete_finished_before(self, cutoff: datetime) -> int:
        old = [
            job.id
            for job in self.jobs.values()
            if job.status in FINISHED and job.updated_at is not None and job.updated_at < cutoff
        ]
        for job_id in old:
            del self.jobs[job_id]
        return len(old)

    async def ping(self) -> None:
        if not self.reachable:
            raise ConnectionError("the fake database is down")

    def _set(self, job: Job, **changes: object) -> Job:
        updated = replace(job, updated_at=datetime.now(UTC), **changes)  # type: ignore[arg-type]
        self.jobs[job.id] = updated
        return updated
