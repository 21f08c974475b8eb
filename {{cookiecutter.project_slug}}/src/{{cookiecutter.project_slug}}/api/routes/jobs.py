"""POST /jobs stores a job and queues it; GET /jobs lists them; GET /jobs/{id} reports on one."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID, uuid4

from fastapi import Body, HTTPException, Query, Response, status
from pydantic import BeforeValidator

from ...jobs.kinds import KINDS
from ...jobs.model import Job, JobStatus
from ...jobs.store import JobQuery
from ..deps import CallerDep, EnqueueDep, StoreDep, VisibleToDep
from ..enqueue import enqueue_or_503
from ..idempotency import IdempotencyKey, job_id_for, request_digest
from ..responses import errors
from ..routing import keyed_router
from ..schemas import JobAccepted, JobPage, JobRequestBase, JobSummary, JobView, job_request_type

router = keyed_router(prefix="/jobs", tags=["jobs"])

#: The largest page GET /jobs returns.
MAX_PAGE = 200


def _iso_only(value: object) -> object:
    # Pydantic also reads a number as a Unix time; the schema says ISO 8601 (date-time).
    if isinstance(value, str) and value.strip().lstrip("+-").replace(".", "", 1).isdigit():
        raise ValueError("must be an ISO 8601 date-time, e.g. 2026-12-01T00:00:00Z")
    return value


#: A date-time query value, as the OpenAPI document describes it.
IsoDatetime = Annotated[datetime, BeforeValidator(_iso_only)]

if TYPE_CHECKING:
    JobRequest = JobRequestBase
else:  # one model per kind, discriminated by `kind`: what FastAPI validates and documents
    JobRequest = job_request_type(dict(KINDS))


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    responses=errors(409),
)
async def create_job(
    *,
    request: Annotated[JobRequest, Body()],
    store: StoreDep,
    enqueue: EnqueueDep,
    caller: CallerDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> JobAccepted:
    """Store a job of one of the kinds below and queue it; poll GET /jobs/{id} for its result."""
    kind, owner = KINDS[request.kind], caller.name
    tier = request.tier or kind.default_tier
    payload = request.payload.model_dump(mode="json")
    job = Job(
        id=uuid4() if idempotency_key is None else job_id_for(owner, idempotency_key),
        kind=kind.name,
        queue=tier,
        status=JobStatus.QUEUED,
        payload=payload,
        owner=owner,
        request_digest=None
        if idempotency_key is None
        else request_digest(kind.name, payload, tier),
    )
    # Stored before it is queued, so a worker never receives a job it cannot find.
    if (first := await store.add(job)) is not None:
        if first.request_digest != job.request_digest:
            raise HTTPException(
                status.HTTP_409_CONFLICT, detail="this Idempotency-Key was used with another body"
            )
        response.headers["Idempotent-Replayed"] = "true"
        return JobAccepted(id=first.id, status=first.status)
    await enqueue_or_503(enqueue, store, job)
    return JobAccepted(id=job.id, status=job.status)


@router.get("", responses=errors(404))
async def list_jobs(
    *,
    store: StoreDep,
    visible_to: VisibleToDep,
    job_status: Annotated[JobStatus | None, Query(alias="status")] = None,
    kind: Annotated[str | None, Query(max_length=64)] = None,
    tier: Annotated[str | None, Query(max_length=64)] = None,
    created_after: IsoDatetime | None = None,
    created_before: IsoDatetime | None = None,
    cursor: Annotated[
        UUID | None, Query(description="`next_cursor` of the previous page: its last job's id.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> JobPage:
    """Your jobs, newest first, a page at a time: pass `next_cursor` back as `cursor`."""
    after = None
    if cursor is not None:
        last = await store.get(cursor, visible_to)
        if last is None or last.created_at is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no job {cursor} to page after")
        after = (last.created_at, last.id)
    query = JobQuery(
        visible_to, job_status, kind, tier, created_after, created_before, after, limit
    )
    jobs = await store.list_jobs(query)
    next_cursor = jobs[-1].id if len(jobs) == limit else None
    return JobPage(jobs=[JobSummary.of(job) for job in jobs], next_cursor=next_cursor)


@router.get("/{job_id}", responses=errors(404))
async def read_job(job_id: UUID, store: StoreDep, visible_to: VisibleToDep) -> JobView:
    job = await store.get(job_id, visible_to)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no job {job_id}")
    total = job.children_total
    return JobView.of(job, None if total is None else await store.child_counts(job.id, total))
