"""`JobStore` on MongoDB: one document per job, every state change one conditional update.

Each change is a single `find_one_and_update` whose filter names the status the job must be
in, so it is atomic on the server: a job delivered twice, or retried while another worker
holds it, cannot be finished twice.
"""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from pydantic import JsonValue
from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.asynchronous.mongo_client import AsyncMongoClient

from ..jobs.model import CLAIMABLE, FINISHED, Job, JobStatus
from .clients import Document

COLLECTION = "jobs"

#: Part of every change: `updated_at` from the server's clock, as PostgreSQL's now() would be.
_STAMP = {"updated_at": True}


def document_id(job_id: UUID) -> str:
    """A job's `_id`: the UUID's canonical text.

    Text rather than a binary UUID: it reads the same in mongosh, the logs and the API, and
    every server that speaks the wire protocol can match it (the nx-27017 test server cannot
    match binary values).
    """
    return str(job_id)


def to_document(job: Job, now: datetime) -> Document:
    """The document a new job is inserted as."""
    return {
        "_id": document_id(job.id),
        "queue": job.queue,
        "status": job.status.value,
        "payload": job.payload,
        "result": job.result,
        "error": job.error,
        "attempts": job.attempts,
        "created_at": now,
        "updated_at": now,
    }


def to_job(document: Mapping[str, Any]) -> Job:
    """The job a stored document describes."""
    return Job(
        id=UUID(document["_id"]),
        queue=document["queue"],
        status=JobStatus(document["status"]),
        payload=document.get("payload"),
        result=document.get("result"),
        error=document.get("error"),
        attempts=int(document.get("attempts", 0)),
        created_at=document.get("created_at"),
        updated_at=document.get("updated_at"),
    )


def _statuses(statuses: frozenset[JobStatus]) -> dict[str, list[str]]:
    return {"$in": sorted(status.value for status in statuses)}


async def ensure_indexes(database: AsyncDatabase[Document]) -> None:
    """Create the indexes the store relies on. Idempotent: creating an existing index is a no-op."""
    # The clean-up deletes by status and age; this index keeps it from scanning the collection.
    await database[COLLECTION].create_index(
        [("status", 1), ("updated_at", 1)], name="status_updated_at"
    )


class MongoJobStore:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self.database = database
        self.jobs: AsyncCollection[Document] = database[COLLECTION]

    @property
    def client(self) -> AsyncMongoClient[Document]:
        """The client this store's requests go through (for diagnostics and tests)."""
        return self.database.client

    async def add(self, job: Job) -> None:
        # Inserted with this process's clock; the server's clock stamps every later change.
        await self.jobs.insert_one(to_document(job, datetime.now(UTC)))

    async def get(self, job_id: UUID) -> Job | None:
        document = await self.jobs.find_one({"_id": document_id(job_id)})
        return None if document is None else to_job(document)

    async def claim(self, job_id: UUID) -> Job | None:
        document = await self.jobs.find_one_and_update(
            {"_id": document_id(job_id), "status": _statuses(CLAIMABLE)},
            {
                "$set": {"status": JobStatus.RUNNING.value},
                "$inc": {"attempts": 1},
                "$currentDate": _STAMP,
            },
            return_document=ReturnDocument.AFTER,
        )
        return None if document is None else to_job(document)

    async def succeed(self, job_id: UUID, result: JsonValue) -> bool:
        return await self._transition(
            job_id, frozenset({JobStatus.RUNNING}), status=JobStatus.SUCCEEDED.value, result=result
        )

    async def fail(self, job_id: UUID, reason: str) -> bool:
        return await self._transition(
            job_id, CLAIMABLE, status=JobStatus.FAILED.value, error=reason
        )

    async def take_stale(self, older_than: float, limit: int) -> list[Job]:
        # The cutoff from the server's clock (the one $currentDate stamps with), not this
        # process's. (An $expr on $$NOW would save the round trip; nx-27017 cannot run it.)
        hello = await self.database.client.admin.command("hello")
        before = hello["localTime"] - timedelta(seconds=older_than)
        # One find_one_and_update per job: each stamps the job it returns, so two sweeps at
        # once never take the same job. ($or of equalities, for the reason given below.)
        stale = {
            "$or": [
                {"status": status.value, "updated_at": {"$lt": before}}
                for status in sorted(CLAIMABLE)
            ]
        }
        taken: list[Job] = []
        while len(taken) < limit:
            document = await self.jobs.find_one_and_update(
                stale,
                {"$currentDate": _STAMP},
                sort=[("updated_at", 1)],
                return_document=ReturnDocument.AFTER,
            )
            if document is None:
                break
            taken.append(to_job(document))
        return taken

    async def delete_finished_before(self, cutoff: datetime) -> int:
        # One clause per status, each an equality and a range on the (status, updated_at)
        # index. (Not `$in` plus the range: the nx-27017 test server evaluates that wrongly.)
        clauses = [
            {"status": status.value, "updated_at": {"$lt": cutoff}} for status in sorted(FINISHED)
        ]
        outcome = await self.jobs.delete_many({"$or": clauses})
        return outcome.deleted_count

    async def ping(self) -> None:
        await self.database.command("ping")

    async def count(self) -> int:
        """How many jobs there are (for tests and diagnostics)."""
        return await self.jobs.count_documents({})

    async def _transition(
        self, job_id: UUID, allowed: frozenset[JobStatus], **values: object
    ) -> bool:
        document = await self.jobs.find_one_and_update(
            {"_id": document_id(job_id), "status": _statuses(allowed)},
            {"$set": values, "$currentDate": _STAMP},
            projection={"_id": True},
        )
        return document is not None
