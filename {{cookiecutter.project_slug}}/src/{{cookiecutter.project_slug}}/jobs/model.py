"""A job as the rest of the service sees it, whichever database keeps it."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import JsonValue


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


#: A job in one of these states is done: a redelivered message for it is acknowledged unrun.
FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED})
#: States from which a worker may (re)claim a job. RUNNING is here because a worker that died
#: mid-job leaves it RUNNING, and the broker redelivers it to another worker.
CLAIMABLE = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})


@dataclass(frozen=True, slots=True)
class Job:
    id: UUID
    queue: str
    status: JobStatus
    payload: JsonValue
    result: JsonValue = None
    error: str | None = None
    attempts: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
