"""POST /jobs stores a job and queues it; GET /jobs/{id} reports on it."""

import logging
from typing import TYPE_CHECKING, Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Body, HTTPException, status

from ...jobs.kinds import KINDS
from ...jobs.model import Job, JobStatus
from ..deps import ApiKeyDep, EnqueueDep, StoreDep
from ..schemas import JobAccepted, JobRequestBase, JobView, job_request_type

log = logging.getLogger(__name__)
router = APIRouter(prefix="/jobs", tags=["jobs"], dependencies=[ApiKeyDep])

if TYPE_CHECKING:
    JobRequest = JobRequestBase
else:  # one model per kind, discriminated by `kind`: what FastAPI validates and documents
    JobRequest = job_request_type(dict(KINDS))


@router.post("", status_code=status.HTTP_202_ACCEPTED)
async def create_job(
    request: Annotated[JobRequest, Body()], store: StoreDep, enqueue: EnqueueDep
) -> JobAccepted:
    """Store a job of one of the kinds below and queue it; poll GET /jobs/{id} for its result."""
    kind = KINDS[request.kind]
    job = Job(
        id=uuid4(),
        kind=kind.name,
        queue=request.tier or kind.default_tier,
        status=JobStatus.QUEUED,
        payload=request.payload.model_dump(mode="json"),
    )
    # Stored before it is queued, so a worker never receives a job it cannot find.
    await store.add(job)
    try:
        await enqueue(job)
    except Exception as exc:
        log.exception("could not queue job %s", job.id)
        await store.fail(job.id, f"could not be queued: {type(exc).__name__}")
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, detail="the job queue is unavailable; retry later"
        ) from exc
    return JobAccepted(id=job.id, status=job.status)


@router.get("/{job_id}")
async def read_job(job_id: UUID, store: StoreDep) -> JobView:
    job = await store.get(job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no job {job_id}")
    total = job.children_total
    return JobView.of(job, None if total is None else await store.child_counts(job.id, total))
