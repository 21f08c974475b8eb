"""Request and response bodies of the jobs API.

The request body is one model per job kind, built from the registry: each names its kind,
takes that kind's payload model and only the tiers it may run on, and together they are a
union discriminated by `kind`. So /openapi.json describes every kind's payload, and a bad
one is refused with a 422 whose `loc` names the field, before anything is stored.
"""

from datetime import datetime
from typing import Annotated, Any, Literal, Union
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, JsonValue, create_model

from ..jobs.kind import JobKind
from ..jobs.model import ChildCounts, Job, JobStatus


class JobRequestBase(BaseModel):
    """What every kind's request has; `job_request_type` narrows each field per kind."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    payload: BaseModel
    tier: str | None = None


def _request_model(kind: JobKind[Any]) -> type[JobRequestBase]:
    # Literals built at run time, from the kind.
    name: Any = Literal[kind.name]
    tiers: Any = Literal[tuple(kind.tiers)]
    return create_model(
        "".join(part.title() for part in kind.name.split("_")) + "JobRequest",
        __base__=JobRequestBase,
        __doc__=kind.description or None,
        kind=(name, ...),
        payload=(kind.payload, ...),
        tier=(
            tiers | None,
            Field(default=None, description=f"The queue to run on; {kind.default_tier} if unset."),
        ),
    )


def job_request_type(kinds: dict[str, JobKind[Any]]) -> Any:
    """The POST /jobs body: each kind's request model, discriminated by `kind`."""
    models = tuple(_request_model(kind) for kind in kinds.values())
    return Annotated[Union[models], Field(discriminator="kind")]  # noqa: UP007 - built at run time


class JobAccepted(BaseModel):
    id: UUID
    status: JobStatus


class ChildrenView(BaseModel):
    total: int
    finished: int
    succeeded: int
    failed: int

    @classmethod
    def of(cls, counts: ChildCounts) -> "ChildrenView":
        return cls(
            total=counts.total,
            finished=counts.finished,
            succeeded=counts.succeeded,
            failed=counts.failed,
        )


class JobSummary(BaseModel):
    """A job as GET /jobs lists it: everything but its result and its children's counts."""

    id: UUID
    kind: str
    tier: str
    status: JobStatus
    error: str | None
    attempts: int
    progress: float | None = Field(description="What its work last reported, from 0 to 1.")
    progress_message: str | None
    cancel_requested: bool = Field(description="A cancel was asked for while it ran.")
    parent_id: UUID | None = Field(description="The job that started this one, if any.")
    owner: str | None = Field(description="The name of the API key that created it.")
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def fields_of(cls, job: Job) -> dict[str, Any]:
        return {
            "id": job.id,
            "kind": job.kind,
            "tier": job.queue,
            "status": job.status,
            "error": job.error,
            "attempts": job.attempts,
            "progress": job.progress,
            "progress_message": job.progress_message,
            "cancel_requested": job.cancel_requested,
            "parent_id": job.parent_id,
            "owner": job.owner,
            "created_at": job.created_at,
            "updated_at": job.updated_at,
        }

    @classmethod
    def of(cls, job: Job) -> "JobSummary":
        return cls(**cls.fields_of(job))


class JobView(JobSummary):
    result: JsonValue
    children: ChildrenView | None = Field(description="How far its children are, if it has any.")

    @classmethod
    def of(cls, job: Job, children: ChildCounts | None = None) -> "JobView":
        counts = None if children is None else ChildrenView.of(children)
        return cls(**cls.fields_of(job), result=job.result, children=counts)


class JobPage(BaseModel):
    jobs: list[JobSummary]
    next_cursor: UUID | None = Field(
        description="Pass as `cursor` for the next page (its last job's id); null: the last page."
    )
