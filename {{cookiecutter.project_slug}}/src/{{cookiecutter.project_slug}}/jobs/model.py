"""A job as the rest of the service sees it, whichever database keeps it."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import JsonValue


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    #: Its work fanned out: it waits for its child jobs, then runs its completion step.
    WAITING = "waiting"
    #: Every child has finished; the completion step is queued or running.
    COMPLETING = "completing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


#: A job in one of these states is done: a redelivered message for it is acknowledged unrun.
FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED})
#: States from which a worker may (re)claim a job. RUNNING and COMPLETING are here because a
#: worker that died mid-job leaves the job in them, and the broker redelivers it to another.
CLAIMABLE = frozenset({JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.COMPLETING})


@dataclass(frozen=True, slots=True)
class Job:
    id: UUID
    kind: str
    queue: str
    status: JobStatus
    payload: JsonValue
    result: JsonValue = None
    error: str | None = None
    attempts: int = 0
    #: The job whose work started this one, for a child of a fan-out.
    parent_id: UUID | None = None
    #: How many children this job started (None: it started none).
    children_total: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ChildCounts:
    """How far a parent's children have got."""

    total: int
    succeeded: int = 0
    failed: int = 0

    @property
    def finished(self) -> int:
        return self.succeeded + self.failed
