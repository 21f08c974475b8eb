"""The storage contract each database package (`db/`) implements.

Every state change is conditional on the current status, in one statement, so a job that is
delivered twice, or retried while another worker holds it, cannot be finished twice.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from pydantic import JsonValue

from .model import ChildCounts, Job, JobStatus


class JobStore(Protocol):
    async def add(self, job: Job) -> None:
        """Insert a new job (status QUEUED)."""
        ...

    async def add_children(self, children: Sequence[Job]) -> None:
        """Insert a fan-out's children; those already there (a re-run's) are left as they are."""
        ...

    async def get(self, job_id: UUID) -> Job | None:
        """The job, or None if there is no such job."""
        ...

    async def claim(self, job_id: UUID) -> Job | None:
        """Count an attempt and hand the job to this worker: QUEUED or RUNNING -> RUNNING, or
        COMPLETING (its completion step is due) -> COMPLETING.

        Returns None when the job is unknown, finished or waiting: nothing is left to do.
        """
        ...

    async def release(self, job_id: UUID) -> bool:
        """RUNNING -> QUEUED, taking back the claim's attempt (a worker that cannot run it)."""
        ...

    async def succeed(self, job_id: UUID, result: JsonValue) -> bool:
        """RUNNING or COMPLETING -> SUCCEEDED with its result. False if it was in neither."""
        ...

    async def fail(self, job_id: UUID, reason: str) -> bool:
        """QUEUED, RUNNING or COMPLETING -> FAILED with a readable reason. False otherwise."""
        ...

    async def wait_for_children(self, job_id: UUID, total: int) -> bool:
        """RUNNING -> WAITING for `total` children. False if the job was not RUNNING."""
        ...

    async def complete_if_children_done(self, job_id: UUID) -> Job | None:
        """WAITING -> COMPLETING when every child has finished; the job if this call moved it.

        Called after each child finishes, by any number of workers at once: exactly one call
        gets the job back, and that caller queues the completion step.
        """
        ...

    async def children(self, job_id: UUID) -> list[Job]:
        """The job's children, in no particular order."""
        ...

    async def child_counts(self, job_id: UUID, total: int) -> ChildCounts:
        """How many of the job's `total` children succeeded and failed so far."""
        ...

    async def take_stale(self, before: datetime, limit: int) -> list[Job]:
        """QUEUED, RUNNING, COMPLETING or WAITING jobs last updated before `before`, at most
        `limit` of them.

        Each is stamped as updated now, in the same statement, and returned for the sweeper to
        send again (or, WAITING, to check its children): a job whose message the broker lost
        would otherwise wait forever. The stamp is what stops the next sweep (or a second
        beat) from taking it again at once.
        """
        ...

    async def delete_finished_before(self, cutoff: datetime) -> int:
        """Delete finished jobs last updated before `cutoff`; return how many."""
        ...

    async def count_by_status(self) -> dict[JobStatus, int]:
        """How many jobs there are in each status (statuses with none may be left out)."""
        ...

    async def ping(self) -> None:
        """Raise if the database cannot be reached."""
        ...
