"""POST /jobs stores a job and queues it; GET /jobs/{id} reports on it."""

import logging
from uuid import UUID, uuid4

from fastapi import HTTPException, status

from ...jobs.model import Job, JobStatus
from ..deps import EnqueueDep, StoreDep
from ..responses import errors
from ..routing import keyed_router
from ..schemas import JobAccepted, JobRequest, JobView

log = logging.getLogger(__name__)
router = keyed_router(prefix="/jobs", tags=["jobs"])


@router.post("", status_code=status.HTTP_202_ACCEPTED)
async def create_job(request: JobRequest, store: StoreDep, enqueue: EnqueueDep) -> JobAccepted:
    job = Job(id=uuid4(), queue=request.tier, status=JobStatus.QUEUED, payload=request.payload)
    # Stored before it is queued, so a worker never receives a job it cannot find.
    await store.add(job)
    try:
        await enqueue(job.queue, job.id)
    except Exception as exc:
        log.exception("could not queue job %s", job.id)
        await store.fail(job.id, f"could not be queued: {type(exc).__name__}")
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, detail="the job queue is unavailable; retry later"
        ) from exc
    return JobAccepted(id=job.id, status=job.status)


@router.get("/{job_id}", responses=errors(404))
async def read_job(job_id: UUID, store: StoreDep) -> JobView:
    job = await store.get(job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no job {job_id}")
    return JobView.of(job)
