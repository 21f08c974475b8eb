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
    CANCELLED = "cancelled"


#: A job in one of these states is done: a redelivered message for it is acknowledged unrun.
FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})
#: A job in one of these states may be sent again by POST /jobs/{id}/retry.
RETRYABLE = frozenset({JobStatus.FAILED, JobStatus.CANCELLED})
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
    #: The name of the API key that created it (None: created before keys had names).
    owner: str | None = None
    #: A digest of the request that created it, when it came with an Idempotency-Key.
    request_digest: str | None = None
    #: What its work last reported: a fraction from 0 to 1, and a short message.
    progress: float | None = None
    progress_message: str | None = None
    #: A cancel was asked for while it ran; its worker stops it at the next await.
    cancel_requested: bool = False
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
