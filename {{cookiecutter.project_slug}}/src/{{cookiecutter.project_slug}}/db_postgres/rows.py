"""A job and its row in the jobs table: the one place that maps the two."""

from asyncpg import Record
from sqlalchemy import RowMapping

from ..jobs.model import Job, JobStatus


def job_from(row: RowMapping | Record) -> Job:
    """The job in a row of the jobs table, as SQLAlchemy or asyncpg returns it."""
    return Job(
        id=row["id"],
        kind=row["kind"],
        queue=row["queue"],
        status=JobStatus(row["status"]),
        payload=row["payload"],
        result=row["result"],
        error=row["error"],
        attempts=row["attempts"],
        parent_id=row["parent_id"],
        children_total=row["children_total"],
        owner=row["owner"],
        request_digest=row["request_digest"],
        progress=row["progress"],
        progress_message=row["progress_message"],
        cancel_requested=row["cancel_requested"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


#: The columns `row_of` fills, in the order the driver's INSERT takes them (statements.py).
NEW_JOB_COLUMNS = (
    "id", "kind", "queue", "status", "payload", "attempts", "parent_id", "owner", "request_digest",
)  # fmt: skip


def row_of(job: Job) -> dict[str, object]:
    """A new job's columns (NEW_JOB_COLUMNS); the database fills in the rest."""
    return {
        "id": job.id,
        "kind": job.kind,
        "queue": job.queue,
        "status": job.status.value,
        "payload": job.payload,
        "attempts": job.attempts,
        "parent_id": job.parent_id,
        "owner": job.owner,
        "request_digest": job.request_digest,
    }
