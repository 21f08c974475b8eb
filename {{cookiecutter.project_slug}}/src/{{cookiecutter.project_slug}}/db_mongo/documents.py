"""How a job is kept in MongoDB: one document per job, and the indexes its queries use."""

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from ..jobs.model import FINISHED, Job, JobStatus
from .clients import Document

COLLECTION = "jobs"
#: Part of every change: `updated_at` from the server's clock, as PostgreSQL's now() would be.
STAMP = {"updated_at": True}
#: The statuses of a job that has not finished.
UNFINISHED = frozenset(JobStatus) - FINISHED

#: The fields GET /jobs filters on, beside the owner; each has an index.
LIST_FILTERS = ("status", "kind", "queue")


def status_in(statuses: Iterable[JobStatus]) -> dict[str, list[str]]:
    """A filter on the job's status being one of `statuses`."""
    return {"$in": sorted(status.value for status in statuses)}


def document_id(job_id: UUID) -> str:
    """A job's `_id`: the UUID's canonical text.

    Text rather than a binary UUID: it reads the same in mongosh, the logs and the API, and
    every server that speaks the wire protocol can match it (the nx-27017 test server cannot
    match binary values).
    """
    return str(job_id)


def order_key(created_at: datetime, job_id: UUID) -> str:
    """What GET /jobs sorts on, newest first: the creation time, then the id, in one string.

    One indexed field rather than an index on (created_at, _id), and digits rather than ISO
    text: the nx-27017 test server cannot index `_id` beside other fields (its inserts then
    fail) and compares date-like strings wrongly. On MongoDB either form works; one field
    also keeps the keyset condition a plain `$lt`. BSON dates keep milliseconds, so does it.
    """
    return f"{_stamp(created_at)}/{job_id}"


def _stamp(moment: datetime) -> str:
    """The moment's UTC time as digits, to the millisecond (rounded down)."""
    return f"{moment.astimezone(UTC):%Y%m%d%H%M%S%f}"[:-3]


def key_bound(moment: datetime, *, after: bool) -> str:
    """The `order_key` bound of "created after `moment`" (or before it, `after=False`).

    Keys hold whole milliseconds, then "/" and the id: "/~" sorts after every id, "/" before.
    A moment between two milliseconds falls after every key of the one below it.
    """
    between_milliseconds = moment.microsecond % 1000 != 0
    return f"{_stamp(moment)}/" + ("~" if after or between_milliseconds else "")


def to_document(job: Job, now: datetime) -> Document:
    """The document a new job is inserted as."""
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # what BSON keeps
    return {
        "_id": document_id(job.id),
        "kind": job.kind,
        "queue": job.queue,
        "status": job.status.value,
        "payload": job.payload,
        "result": job.result,
        "error": job.error,
        "attempts": job.attempts,
        "parent_id": None if job.parent_id is None else document_id(job.parent_id),
        "children_total": job.children_total,
        "owner": job.owner,
        "request_digest": job.request_digest,
        "progress": job.progress,
        "progress_message": job.progress_message,
        "cancel_requested": job.cancel_requested,
        "created_at": now,
        "updated_at": now,
        "order_key": order_key(now, job.id),
    }


def to_job(document: Mapping[str, Any]) -> Job:
    """The job a stored document describes."""
    parent_id = document.get("parent_id")
    return Job(
        id=UUID(document["_id"]),
        # Documents written before kinds existed: the kind that did their queue's work then.
        kind=document.get("kind") or ("digest" if document["queue"] == "cpu" else "echo"),
        queue=document["queue"],
        status=JobStatus(document["status"]),
        payload=document.get("payload"),
        result=document.get("result"),
        error=document.get("error"),
        attempts=int(document.get("attempts", 0)),
        parent_id=None if parent_id is None else UUID(parent_id),
        children_total=document.get("children_total"),
        owner=document.get("owner"),
        request_digest=document.get("request_digest"),
        progress=document.get("progress"),
        progress_message=document.get("progress_message"),
        cancel_requested=bool(document.get("cancel_requested", False)),
        created_at=document.get("created_at"),
        updated_at=document.get("updated_at"),
    )


async def ensure_indexes(database: AsyncDatabase[Document]) -> None:
    """Create the indexes the store relies on. Idempotent: creating an existing index is a no-op."""
    jobs = database[COLLECTION]
    # The clean-up deletes by status and age; this index keeps it from scanning the collection.
    await jobs.create_index([("status", 1), ("updated_at", 1)], name="status_updated_at")
    # The fan-in asks "is any child of this parent unfinished?" after every child.
    await jobs.create_index([("parent_id", 1), ("status", 1)], name="parent_id_status")
    # GET /jobs: newest first, for everyone (an operator) or one owner, by one filter.
    newest = ("order_key", -1)
    await jobs.create_index([newest], name="order_key")
    await jobs.create_index([("owner", 1), newest], name="owner_order_key")
    for field in LIST_FILTERS:
        await jobs.create_index([("owner", 1), (field, 1), newest], name=f"owner_{field}")
