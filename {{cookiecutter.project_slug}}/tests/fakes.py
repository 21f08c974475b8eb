"""An in-memory `JobStore` for unit tests: the same conditional transitions, no database."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

from pydantic import JsonValue

from {{ cookiecutter.project_slug }}.jobs.model import (
    CLAIMABLE,
    FINISHED,
    RETRYABLE,
    ChildCounts,
    Job,
    JobStatus,
)
from {{ cookiecutter.project_slug }}.jobs.store import EVERYONE, JobQuery

RUNNING = frozenset({JobStatus.RUNNING})
FINISHING = frozenset({JobStatus.RUNNING, JobStatus.COMPLETING})


class MemoryJobStore:
    def __init__(self) -> None:
        self.jobs: dict[UUID, Job] = {}
        self.reachable = True

    async def add(self, job: Job) -> Job | None:
        if job.id in self.jobs:
            return self.jobs[job.id]
        now = datetime.now(UTC)
        self.jobs[job.id] = replace(job, created_at=now, updated_at=now)
        return None

    async def add_children(self, children: Sequence[Job]) -> None:
        for child in children:
            if child.id not in self.jobs:
                await self.add(child)

    async def get(self, job_id: UUID, visible_to: str | None = EVERYONE) -> Job | None:
        job = self.jobs.get(job_id)
        return job if job is not None and visible_to in (EVERYONE, job.owner) else None

    async def list_jobs(self, query: JobQuery) -> list[Job]:
        def selected(job: Job) -> bool:
            key = (job.created_at, job.id)
            return (
                query.visible_to in (EVERYONE, job.owner)
                and query.status in (None, job.status)
                and query.kind in (None, job.kind)
                and query.queue in (None, job.queue)
                and (query.after is None or key < query.after)
            )

        newest = sorted(self.jobs.values(), key=lambda j: (j.created_at, j.id), reverse=True)
        return [job for job in newest if selected(job)][: query.limit]

    async def cancel(self, job_id: UUID, visible_to: str | None = EVERYONE) -> Job | None:
        job = await self.get(job_id, visible_to)
        if job is None or job.status in FINISHED:
            return None
        idle = job.status in {JobStatus.QUEUED, JobStatus.WAITING}
        status = JobStatus.CANCELLED if idle else job.status
        for child in await self.children(job_id):
            if child.status not in FINISHED:
                queued = child.status is JobStatus.QUEUED
                self._set(child, status=JobStatus.CANCELLED if queued else child.status,
                          cancel_requested=True)  # fmt: skip
        return self._set(job, status=status, cancel_requested=True)

    async def cancelled(self, job_id: UUID) -> bool:
        job = self._in(job_id, FINISHING)
        return job is not None and bool(self._set(job, status=JobStatus.CANCELLED))

    async def retry(self, job_id: UUID, visible_to: str | None = EVERYONE) -> Job | None:
        job = await self.get(job_id, visible_to)
        if job is None or job.status not in RETRYABLE:
            return None
        return self._set(job, status=JobStatus.QUEUED, attempts=0, error=None, result=None,
                         progress=None, progress_message=None, cancel_requested=False)  # fmt: skip

    async def heartbeat(self, job_id: UUID, progress: float | None, message: str | None) -> bool:
        job = self.jobs[job_id]
        if progress is not None:
            job = self._set(job, progress=progress, progress_message=message)
        return job.cancel_requested

    async def claim(self, job_id: UUID) -> Job | None:
        job = self.jobs.get(job_id)
        if job is None or job.status not in CLAIMABLE:
            return None
        status = JobStatus.COMPLETING if job.status is JobStatus.COMPLETING else JobStatus.RUNNING
        return self._set(job, status=status, attempts=job.attempts + 1)

    async def release(self, job_id: UUID) -> bool:
        job = self._in(job_id, RUNNING)
        return job is not None and bool(
            self._set(job, status=JobStatus.QUEUED, attempts=job.attempts - 1)
        )

    async def succeed(self, job_id: UUID, result: JsonValue) -> bool:
        job = self._in(job_id, FINISHING)
        return job is not None and bool(self._set(job, status=JobStatus.SUCCEEDED, result=result))

    async def fail(self, job_id: UUID, reason: str) -> bool:
        job = self._in(job_id, CLAIMABLE)
        return job is not None and bool(self._set(job, status=JobStatus.FAILED, error=reason))

    async def wait_for_children(self, job_id: UUID, total: int) -> bool:
        job = self._in(job_id, RUNNING)
        return job is not None and bool(
            self._set(job, status=JobStatus.WAITING, children_total=total)
        )

    async def complete_if_children_done(self, job_id: UUID) -> Job | None:
        job = self._in(job_id, frozenset({JobStatus.WAITING}))
        if job is None or any(c.status not in FINISHED for c in await self.children(job_id)):
            return None
        return self._set(job, status=JobStatus.COMPLETING)

    async def children(self, job_id: UUID) -> list[Job]:
        return [job for job in self.jobs.values() if job.parent_id == job_id]

    async def child_counts(self, job_id: UUID, total: int) -> ChildCounts:
        statuses = [child.status for child in await self.children(job_id)]
        return ChildCounts(
            total, statuses.count(JobStatus.SUCCEEDED), statuses.count(JobStatus.FAILED)
        )

    async def take_stale(self, older_than: float, limit: int) -> list[Job]:
        before = datetime.now(UTC) - timedelta(seconds=older_than)
        stale = [
            job
            for job in self.jobs.values()
            if job.status in CLAIMABLE | {JobStatus.WAITING}
            and job.updated_at is not None
            and job.updated_at < before
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

    async def count_by_status(self) -> dict[JobStatus, int]:
        statuses = [job.status for job in self.jobs.values()]
        return {status: statuses.count(status) for status in JobStatus}

    async def ping(self) -> None:
        if not self.reachable:
            raise ConnectionError("the fake database is down")

    def _in(self, job_id: UUID, statuses: frozenset[JobStatus]) -> Job | None:
        job = self.jobs.get(job_id)
        return job if job is not None and job.status in statuses else None

    def _set(self, job: Job, **changes: object) -> Job:
        updated = replace(job, updated_at=datetime.now(UTC), **changes)  # type: ignore[arg-type]
        self.jobs[job.id] = updated
        return updated
