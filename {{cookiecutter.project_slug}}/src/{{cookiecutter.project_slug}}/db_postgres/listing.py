"""GET /jobs on PostgreSQL: a statement built per page, since its filters vary.

Newest first and keyset-paginated on (created_at, id): the row comparison below walks the
(owner[, filter], created_at, id) indexes of migration 0003 backwards, whatever the page.
"""

from typing import Any

from sqlalchemy import Select, select, true, tuple_

from ..jobs.store import JobQuery
from .statements import jobs


def list_jobs(query: JobQuery) -> Select[Any]:
    """GET /jobs: newest first, keyset-paginated on (created_at, id), one index per filter."""
    statement = select(jobs).order_by(jobs.c.created_at.desc(), jobs.c.id.desc())
    conditions = [
        true() if query.visible_to is None else jobs.c.owner == query.visible_to,
        true() if query.status is None else jobs.c.status == query.status.value,
        true() if query.kind is None else jobs.c.kind == query.kind,
        true() if query.queue is None else jobs.c.queue == query.queue,
        true() if query.created_after is None else jobs.c.created_at > query.created_after,
        true() if query.created_before is None else jobs.c.created_at < query.created_before,
        true()
        if query.after is None
        else tuple_(jobs.c.created_at, jobs.c.id) < tuple_(*query.after),
    ]
    return statement.where(*conditions).limit(query.limit)
