"""`JobStore` on MongoDB: one document per job, every state change one conditional update.

Each change is a single `find_one_and_update` whose filter names the status the job must be
in, so it is atomic on the server: a job delivered twice, or retried while another worker
holds it, cannot be finished twice.
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID

from pydantic import JsonValue
from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.asynchronous.mongo_client import AsyncMongoClient
from pymongo.errors import BulkWriteError, DuplicateKeyError

from ..jobs.model import CLAIMABLE, FINISHED, ChildCounts, Job, JobStatus
from .clients import Document
from .control import MongoJobControl
from .documents import COLLECTION, STAMP, UNFINISHED, document_id, status_in, to_document, to_job

#: MongoDB's error code for a duplicate key: here, a child a re-run already stored.
DUPLICATE_KEY = 11000


class MongoJobStore(MongoJobControl):
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self.database = database
        self.jobs: AsyncCollection[Document] = database[COLLECTION]

    @property
    def client(self) -> AsyncMongoClient[Document]:
        """The client this store's requests go through (for diagnostics and tests)."""
        return self.database.client

    async def add(self, job: Job) -> Job | None:
        # Inserted with this process's clock; the server's clock stamps every later change.
        try:
            await self.jobs.insert_one(to_document(job, datetime.now(UTC)))
        except DuplicateKeyError:
            return await self.get(job.id)
        return None

    async def add_children(self, children: Sequence[Job]) -> None:
        if not children:
            return
        now = datetime.now(UTC)
        try:
            await self.jobs.insert_many([to_document(c, now) for c in children], ordered=False)
        except BulkWriteError as exc:
            # A re-run of the parent stores the same children again: those are duplicates.
            if any(e["code"] != DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
                raise

    async def claim(self, job_id: UUID) -> Job | None:
        # The work's claim first (the common case), then the completion step's.
        for allowed, status in (
            ({JobStatus.QUEUED, JobStatus.RUNNING}, JobStatus.RUNNING),
            ({JobStatus.COMPLETING}, JobStatus.COMPLETING),
        ):
            document = await self.jobs.find_one_and_update(
                {"_id": document_id(job_id), "status": status_in(allowed)},
                {"$set": {"status": status.value}, "$inc": {"attempts": 1}, "$currentDate": STAMP},
                return_document=ReturnDocument.AFTER,
            )
            if document is not None:
                return to_job(document)
        return None

    async def release(self, job_id: UUID) -> bool:
        document = await self.jobs.find_one_and_update(
            {"_id": document_id(job_id), "status": JobStatus.RUNNING.value},
            {
                "$set": {"status": JobStatus.QUEUED.value},
                "$inc": {"attempts": -1},
                "$currentDate": STAMP,
            },
            projection={"_id": True},
        )
        return document is not None

    async def succeed(self, job_id: UUID, result: JsonValue) -> bool:
        running = frozenset({JobStatus.RUNNING, JobStatus.COMPLETING})
        return await self._transition(
            job_id, running, status=JobStatus.SUCCEEDED.value, result=result
        )

    async def fail(self, job_id: UUID, reason: str) -> bool:
        return await self._transition(
            job_id, CLAIMABLE, status=JobStatus.FAILED.value, error=reason
        )

    async def wait_for_children(self, job_id: UUID, total: int) -> bool:
        running = frozenset({JobStatus.RUNNING})
        return await self._transition(
            job_id, running, status=JobStatus.WAITING.value, children_total=total
        )

    async def complete_if_children_done(self, job_id: UUID) -> Job | None:
        # Two steps, and still exactly one winner: each caller counts after its own child's
        # finish is written, so the last to finish sees none unfinished; the conditional
        # update below then lets only one of the callers that saw none move the parent.
        unfinished = {"parent_id": document_id(job_id), "status": status_in(UNFINISHED)}
        if await self.jobs.find_one(unfinished, projection={"_id": True}) is not None:
            return None
        document = await self.jobs.find_one_and_update(
            {"_id": document_id(job_id), "status": JobStatus.WAITING.value},
            {"$set": {"status": JobStatus.COMPLETING.value}, "$currentDate": STAMP},
            return_document=ReturnDocument.AFTER,
        )
        return None if document is None else to_job(document)

    async def children(self, job_id: UUID) -> list[Job]:
        return [to_job(d) async for d in self.jobs.find({"parent_id": document_id(job_id)})]

    async def child_counts(self, job_id: UUID, total: int) -> ChildCounts:
        counts = {
            status: await self.jobs.count_documents(
                {"parent_id": document_id(job_id), "status": status.value}
            )
            for status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
        }
        return ChildCounts(total, counts[JobStatus.SUCCEEDED], counts[JobStatus.FAILED])

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
                for status in sorted(CLAIMABLE | {JobStatus.WAITING})
            ]
        }
        taken: list[Job] = []
        while len(taken) < limit:
            document = await self.jobs.find_one_and_update(
                stale,
                {"$currentDate": STAMP},
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

    async def count_by_status(self) -> dict[JobStatus, int]:
        return {
            status: await self.jobs.count_documents({"status": status.value})
            for status in JobStatus
        }

    async def count(self) -> int:
        """How many jobs there are (for tests and diagnostics)."""
        return await self.jobs.count_documents({})

    async def _transition(
        self, job_id: UUID, allowed: frozenset[JobStatus], **values: object
    ) -> bool:
        document = await self.jobs.find_one_and_update(
            {"_id": document_id(job_id), "status": status_in(allowed)},
            {"$set": values, "$currentDate": STAMP},
            projection={"_id": True},
        )
        return document is not None
