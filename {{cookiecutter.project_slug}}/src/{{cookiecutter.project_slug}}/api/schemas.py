"""Request and response bodies of the jobs API."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator

from ..jobs.model import Job, JobStatus
from ..layout import DEFAULT_TIER, Queue

#: JSON allows any integer; the databases store 64-bit ones. Larger ones are refused here
#: (422) rather than failing at insert (500).
INT64 = range(-(2**63), 2**63)


def _largest_integer_outside_int64(value: JsonValue) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if value in INT64 else value
    children = (
        value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    )
    for child in children:
        if (found := _largest_integer_outside_int64(child)) is not None:
            return found
    return None


class JobRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payload: JsonValue = Field(description="Any JSON; the job's work reads it.")
    tier: Queue = Field(default=DEFAULT_TIER, description="The queue that runs the job.")

    @field_validator("payload")
    @classmethod
    def _integers_fit_64_bits(cls, payload: JsonValue) -> JsonValue:
        if (number := _largest_integer_outside_int64(payload)) is not None:
            raise ValueError(f"integers must fit in 64 bits; {number} does not")
        return payload


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
