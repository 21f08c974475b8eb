"""POST /jobs/{id}/cancel and POST /jobs/{id}/retry: what a client may do to its own job."""

from uuid import UUID

from fastapi import HTTPException, Response, status

from ...jobs.model import RETRYABLE, JobStatus
from ...jobs.store import JobStore
from ..deps import EnqueueDep, StoreDep, VisibleToDep
from ..enqueue import enqueue_or_503
from ..responses import errors
from ..routing import keyed_router
from ..schemas import JobAccepted, JobView

router = keyed_router(prefix="/jobs", tags=["jobs"])


@router.post("/{job_id}/cancel", responses={202: {"model": JobView}, **errors(404, 409)})
async def cancel_job(
    job_id: UUID, store: StoreDep, visible_to: VisibleToDep, response: Response
) -> JobView:
    """Cancel a job. Queued or waiting for its children: cancelled now (200). Running: its
    worker stops the work at its next await, within about a second (202; poll for
    `cancelled`). Finished: 409."""
    job = await store.cancel(job_id, visible_to)
    if job is None:
        raise await _why_not(store, job_id, visible_to, "it has already finished")
    if job.status is not JobStatus.CANCELLED:
        response.status_code = status.HTTP_202_ACCEPTED
    return JobView.of(job)


@router.post("/{job_id}/retry", status_code=status.HTTP_202_ACCEPTED, responses=errors(404, 409))
async def retry_job(
    job_id: UUID, store: StoreDep, visible_to: VisibleToDep, enqueue: EnqueueDep
) -> JobAccepted:
    """Send a failed or cancelled job again: the same job (same id), queued afresh."""
    job = await store.retry(job_id, visible_to)
    if job is None:
        raise await _why_not(
            store, job_id, visible_to, f"only {' or '.join(sorted(RETRYABLE))} jobs can be retried"
        )
    await enqueue_or_503(enqueue, store, job)
    return JobAccepted(id=job.id, status=job.status)


async def _why_not(
    store: JobStore, job_id: UUID, visible_to: str | None, conflict: str
) -> HTTPException:
    """404 for a job the caller cannot see, else 409 saying why."""
    if await store.get(job_id, visible_to) is None:
        return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no job {job_id}")
    return HTTPException(status.HTTP_409_CONFLICT, detail=f"job {job_id}: {conflict}")
