"""Job control on MongoDB: what the API asks of a job (list, cancel, retry) and what a running
job's watcher reports (progress, and whether to stop). Mixed into `MongoJobStore`."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from ..jobs.model import RETRYABLE, Job, JobStatus
from ..jobs.store import EVERYONE, JobQuery
from .clients import Document
from .documents import STAMP, UNFINISHED, document_id, key_bound, order_key, status_in, to_job


def _one(job_id: UUID, visible_to: str | None, **conditions: Any) -> dict[str, Any]:
    owner = {} if visible_to is EVERYONE else {"owner": visible_to}
    return {"_id": document_id(job_id), **owner, **conditions}


def _page(query: JobQuery) -> dict[str, Any]:
    """The filter of one GET /jobs page (sorted on `order_key`, descending).

    The time bounds are bounds on `order_key` too, so a page is one range on one field:
    what an index serves best, and the only form the nx-27017 test server gets right when
    an equality and ranges on two fields meet.
    """
    conditions: dict[str, Any] = {}
    for field, value in (
        ("owner", query.visible_to),
        ("status", query.status and query.status.value),
        ("kind", query.kind),
        ("queue", query.queue),
    ):
        if value is not None:
            conditions[field] = value
    bounds: dict[str, str] = {}
    if query.created_after is not None:
        bounds["$gt"] = key_bound(query.created_after, after=True)
    if query.created_before is not None:
        bounds["$lt"] = key_bound(query.created_before, after=False)
    if query.after is not None:
        cursor = order_key(*query.after)
        bounds["$lt"] = min(bounds.get("$lt", cursor), cursor)
    if bounds:
        conditions["order_key"] = bounds
    return conditions


class MongoJobControl:
    jobs: AsyncCollection[Document]

    async def get(self, job_id: UUID, visible_to: str | None = EVERYONE) -> Job | None:
        document = await self.jobs.find_one(_one(job_id, visible_to))
        return None if document is None else to_job(document)

    async def list_jobs(self, query: JobQuery) -> list[Job]:
        cursor = self.jobs.find(_page(query), sort=[("order_key", -1)])
        return [to_job(document) async for document in cursor.limit(query.limit)]

    async def cancel(self, job_id: UUID, visible_to: str | None = EVERYONE) -> Job | None:
        # Nothing runs a QUEUED or WAITING job: it is cancelled now. A running one is asked to
        # stop, and its worker records it cancelled.
        stopped = {"status": JobStatus.CANCELLED.value, "cancel_requested": True}
        for statuses, changes in (
            (status_in({JobStatus.QUEUED, JobStatus.WAITING}), stopped),
            (status_in({JobStatus.RUNNING, JobStatus.COMPLETING}), {"cancel_requested": True}),
        ):
            document = await self.jobs.find_one_and_update(
                _one(job_id, visible_to, status=statuses),
                {"$set": changes, "$currentDate": STAMP},
                return_document=ReturnDocument.AFTER,
            )
            if document is not None:
                job = to_job(document)
                if job.children_total is not None:
                    await self._cancel_children(job_id)
                return job
        return None

    async def cancelled(self, job_id: UUID) -> bool:
        document = await self.jobs.find_one_and_update(
            _one(job_id, EVERYONE, status=status_in({JobStatus.RUNNING, JobStatus.COMPLETING})),
            {"$set": {"status": JobStatus.CANCELLED.value}, "$currentDate": STAMP},
            projection={"_id": True},
        )
        return document is not None

    async def retry(self, job_id: UUID, visible_to: str | None = EVERYONE) -> Job | None:
        fresh = {
            "status": JobStatus.QUEUED.value,
            "attempts": 0,
            "error": None,
            "result": None,
            "progress": None,
            "progress_message": None,
            "cancel_requested": False,
        }
        document = await self.jobs.find_one_and_update(
            _one(job_id, visible_to, status=status_in(RETRYABLE)),
            {"$set": fresh, "$currentDate": STAMP},
            return_document=ReturnDocument.AFTER,
        )
        return None if document is None else to_job(document)

    async def heartbeat(self, job_id: UUID, progress: float | None, message: str | None) -> bool:
        flag = {"cancel_requested": True}
        if progress is None:
            document = await self.jobs.find_one({"_id": document_id(job_id)}, projection=flag)
        else:
            document = await self.jobs.find_one_and_update(
                {"_id": document_id(job_id)},
                {"$set": {"progress": progress, "progress_message": message}},
                projection=flag,
            )
        return bool(document and document.get("cancel_requested"))

    async def _cancel_children(self, parent_id: UUID) -> None:
        children = {"parent_id": document_id(parent_id)}
        now = datetime.now(UTC)
        await self.jobs.update_many(
            children | {"status": JobStatus.QUEUED.value},
            {
                "$set": {
                    "status": JobStatus.CANCELLED.value,
                    "cancel_requested": True,
                    "updated_at": now,
                }
            },
        )
        await self.jobs.update_many(
            children | {"status": status_in(UNFINISHED)},
            {"$set": {"cancel_requested": True, "updated_at": now}},
        )
