"""The storage contract each database package (`db/`) implements.

Every state change is conditional on the current status, in one statement, so a job that is
delivered twice, or retried while another worker holds it, cannot be finished twice.
"""

from datetime import datetime
from typing import Protocol
from uuid import UUID

from pydantic import JsonValue

from .model import Job


class JobStore(Protocol):
    async def add(self, job: Job) -> None:
        """Insert a new job (status QUEUED)."""
        ...

    async def get(self, job_id: UUID) -> Job | None:
        """The job, or None if there is no such job."""
        ...

    async def claim(self, job_id: UUID) -> Job | None:
        """Move a QUEUED or RUNNING job to RUNNING and count the attempt.

        Returns None when the job is unknown or already finished: nothing is left to do.
        """
        ...

    async def succeed(self, job_id: UUID, result: JsonValue) -> bool:
        """RUNNING -> SUCCEEDED with its result. False if the job was not RUNNING."""
        ...

    async def fail(self, job_id: UUID, reason: str) -> bool:
        """QUEUED or RUNNING -> FAILED with a readable reason. False if already finished."""
        ...

    async def take_stale(self, older_than: float, limit: int) -> list[Job]:
        """QUEUED or RUNNING jobs unchanged for `older_than` seconds, at most `limit` of them.

        The age is measured by the database's clock, the one that stamps `updated_at`: a
        worker whose clock runs ahead must not find a job that just started already stale.

        Each is stamped as updated now, in the same statement, and returned for the sweeper to
        send again: a job whose message the broker lost would otherwise wait forever. The
        stamp is what stops the next sweep (or a second beat) from sending it again at once.
        """
        ...

    async def delete_finished_before(self, cutoff: datetime) -> int:
        """Delete finished jobs last updated before `cutoff`; return how many."""
        ...

    async def ping(self) -> None:
        """Raise if the database cannot be reached."""
        ...
