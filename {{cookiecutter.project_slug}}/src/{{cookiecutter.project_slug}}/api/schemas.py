"""Request and response bodies of the jobs API."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from ..jobs.model import Job, JobStatus
from ..layout import DEFAULT_TIER, Queue


class JobRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payload: JsonValue = Field(description="Any JSON; the job's work reads it.")
    tier: Queue = Field(default=DEFAULT_TIER, description="The queue that runs the job.")


class JobAccepted(BaseModel):
    id: UUID
    status: JobStatus


class JobView(BaseModel):
    id: UUID
    tier: str
    status: JobStatus
    result: JsonValue
    error: str | None
    attempts: int
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, job: Job) -> "JobView":
        return cls(
            id=job.id,
            tier=job.queue,
            status=job.status,
            result=job.result,
            error=job.error,
            attempts=job.attempts,
            created_at=job.created_at,
            updated_at=job.updated_at,
        )
