"""The storage contract each database package (`db/`) implements.

Every state change is conditional on the current status, in one statement, so a job that is
delivered twice, or retried while another worker holds it, cannot be finished twice.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from pydantic import JsonValue

from .model import ChildCounts, Job, JobStatus

#: `visible_to` of a caller that sees every job (a worker, an operator's key).
EVERYONE = None


@dataclass(frozen=True)
class JobQuery:
    """Which jobs GET /jobs lists: newest first, after a cursor, at most `limit` of them."""

    visible_to: str | None = EVERYONE
    status: JobStatus | None = None
    kind: str | None = None
    queue: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    #: The (created_at, id) of the last job of the previous page.
    after: tuple[datetime, UUID] | None = None
    limit: int = 50


class JobStore(Protocol):
    async def add(self, job: Job) -> Job | None:
        """Insert a new job (status QUEUED); None if stored.

        If a job with its id exists already (an idempotent request sent again), nothing is
        stored and that job is returned.
        """
        ...

    async def add_children(self, children: Sequence[Job]) -> None:
        """Insert a fan-out's children; those already there (a re-run's) are left as they are."""
        ...

    async def get(self, job_id: UUID, visible_to: str | None = EVERYONE) -> Job | None:
        """The job, or None if there is no such job (or it is another owner's)."""
        ...

    async def list_jobs(self, query: JobQuery) -> list[Job]:
        """The jobs `query` selects, newest first (by created_at, then id)."""
        ...

    async def cancel(self, job_id: UUID, visible_to: str | None = EVERYONE) -> Job | None:
        """Cancel an unfinished job: QUEUED or WAITING (and its queued children) -> CANCELLED
        at once; RUNNING or COMPLETING get `cancel_requested`, for their worker to act on.

        Returns the job as changed, or None when it is unknown, another owner's or finished.
        """
        ...

    async def cancelled(self, job_id: UUID) -> bool:
        """RUNNING or COMPLETING -> CANCELLED, as its worker stops it. False otherwise."""
        ...

    async def retry(self, job_id: UUID, visible_to: str | None = EVERYONE) -> Job | None:
        """FAILED or CANCELLED -> QUEUED, with attempts, error, result and progress cleared.

        The same job, not a new one: its id, owner and idempotency key stay valid. None when
        it is unknown, another owner's, or not failed or cancelled.
        """
        ...

    async def heartbeat(self, job_id: UUID, progress: float | None, message: str | None) -> bool:
        """Record a running job's progress (None: unchanged); True if a cancel was asked for."""
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

    async def take_stale(self, older_than: float, limit: int) -> list[Job]:
        """QUEUED, RUNNING, COMPLETING or WAITING jobs unchanged for `older_than` seconds, at
        most `limit` of them.

        The age is measured by the database's clock, the one that stamps `updated_at`: a
        worker whose clock runs ahead must not find a job that just started already stale.

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
