"""The store's statements, built once at import.

SQLAlchemy memoizes a statement's cache key, so running a prebuilt statement skips building
and keying it on every call, which had been about 40% of a worker's CPU per job
(benchmarks/README.md in the template). Parameters are named; the store binds them.
"""

from collections.abc import Collection

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Interval,
    bindparam,
    case,
    delete,
    exists,
    func,
    not_,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as upsert

from ..jobs.model import CLAIMABLE, FINISHED, RETRYABLE, JobStatus
from .driver import DriverStatement
from .rows import NEW_JOB_COLUMNS
from .tables import Base

jobs = Base.metadata.tables["jobs"]
children = jobs.alias("children")


def _status_in(statuses: Collection[JobStatus], table: FromClause = jobs) -> ColumnElement[bool]:
    # OR of equalities rather than IN: a fixed IN list is re-rendered on every execution.
    return or_(*(table.c.status == status.value for status in sorted(statuses)))


_JOB_ID = jobs.c.id == bindparam("job_id")
_RUNNING, _COMPLETING = JobStatus.RUNNING.value, JobStatus.COMPLETING.value

_OWNER = jobs.c.owner == bindparam("visible_to")
_UNFINISHED = not_(_status_in(FINISHED))

ADD_CHILDREN = upsert(jobs).on_conflict_do_nothing(index_elements=[jobs.c.id])
ADD = ADD_CHILDREN.returning(jobs.c.id)
GET = select(jobs).where(_JOB_ID)
GET_OWNED = GET.where(_OWNER)
CANCEL = (
    update(jobs)
    .where(_JOB_ID, _UNFINISHED)
    .values(
        # Nothing runs a QUEUED or WAITING job: it is cancelled now. A running one is asked to
        # stop, and its worker records it cancelled.
        status=case(
            (_status_in({JobStatus.QUEUED, JobStatus.WAITING}), JobStatus.CANCELLED.value),
            else_=jobs.c.status,
        ),
        cancel_requested=True,
        updated_at=func.now(),
    )
    .returning(*jobs.c)
)
CANCEL_OWNED = CANCEL.where(_OWNER)
CANCEL_CHILDREN = (
    update(jobs)
    .where(jobs.c.parent_id == bindparam("job_id"), _UNFINISHED)
    .values(
        status=case(
            (jobs.c.status == JobStatus.QUEUED.value, JobStatus.CANCELLED.value),
            else_=jobs.c.status,
        ),
        cancel_requested=True,
        updated_at=func.now(),
    )
)
CANCELLED = (
    update(jobs)
    .where(_JOB_ID, _status_in({JobStatus.RUNNING, JobStatus.COMPLETING}))
    .values(status=JobStatus.CANCELLED.value, updated_at=func.now())
    .returning(jobs.c.id)
)
RETRY = (
    update(jobs)
    .where(_JOB_ID, _status_in(RETRYABLE))
    .values(
        status=JobStatus.QUEUED.value,
        attempts=0,
        error=None,
        result=None,
        progress=None,
        progress_message=None,
        cancel_requested=False,
        updated_at=func.now(),
    )
    .returning(*jobs.c)
)
RETRY_OWNED = RETRY.where(_OWNER)
HEARTBEAT = (
    update(jobs)
    .where(_JOB_ID)
    .values(progress=bindparam("progress"), progress_message=bindparam("message"))
    .returning(jobs.c.cancel_requested)
)
CANCEL_REQUESTED = select(jobs.c.cancel_requested).where(_JOB_ID)
CLAIM = (
    update(jobs)
    .where(_JOB_ID, _status_in(CLAIMABLE))
    .values(
        # A job whose children are done is claimed for its completion step, not its work.
        status=case((jobs.c.status == _COMPLETING, _COMPLETING), else_=_RUNNING),
        attempts=jobs.c.attempts + 1,
        updated_at=func.now(),
    )
    .returning(*jobs.c)
)
RELEASE = (
    update(jobs)
    .where(_JOB_ID, jobs.c.status == _RUNNING)
    .values(status=JobStatus.QUEUED.value, attempts=jobs.c.attempts - 1, updated_at=func.now())
    .returning(jobs.c.id)
)
SUCCEED = (
    update(jobs)
    .where(_JOB_ID, _status_in({JobStatus.RUNNING, JobStatus.COMPLETING}))
    .values(status=JobStatus.SUCCEEDED.value, result=bindparam("result"), updated_at=func.now())
    .returning(jobs.c.id)
)
WAIT = (
    update(jobs)
    .where(_JOB_ID, jobs.c.status == _RUNNING)
    .values(
        status=JobStatus.WAITING.value,
        children_total=bindparam("total"),
        updated_at=func.now(),
    )
    .returning(jobs.c.id)
)
_UNFINISHED_CHILD = exists().where(
    children.c.parent_id == bindparam("job_id"), not_(_status_in(FINISHED, children))
)
COMPLETE_IF_DONE = (
    update(jobs)
    # The row lock on the parent decides between two workers finishing its last children at
    # once: the second re-reads the row, finds it COMPLETING, and matches nothing.
    .where(_JOB_ID, jobs.c.status == JobStatus.WAITING.value, not_(_UNFINISHED_CHILD))
    .values(status=_COMPLETING, updated_at=func.now())
    .returning(*jobs.c)
)
CHILDREN = select(jobs).where(jobs.c.parent_id == bindparam("job_id"))
CHILD_COUNTS = (
    select(jobs.c.status, func.count())
    .where(jobs.c.parent_id == bindparam("job_id"), _status_in(FINISHED))
    .group_by(jobs.c.status)
)
FAIL = (
    update(jobs)
    .where(_JOB_ID, _status_in(CLAIMABLE))
    .values(status=JobStatus.FAILED.value, error=bindparam("error"), updated_at=func.now())
    .returning(jobs.c.id)
)
_STALE = (
    select(jobs.c.id)
    .where(
        _status_in(CLAIMABLE | {JobStatus.WAITING}),
        # The cutoff from the database's clock, which stamped updated_at, not the caller's.
        jobs.c.updated_at < func.now() - bindparam("age", type_=Interval),
    )
    .order_by(jobs.c.updated_at)
    .limit(bindparam("limit"))
    # Two sweeps at once (two beats by mistake) each take different jobs, neither waits.
    .with_for_update(skip_locked=True)
)
TAKE_STALE = (
    update(jobs)
    .where(jobs.c.id.in_(_STALE.scalar_subquery()))
    .values(updated_at=func.now())
    .returning(*jobs.c)
)
DELETE_FINISHED = delete(jobs).where(_status_in(FINISHED), jobs.c.updated_at < bindparam("cutoff"))
COUNT = select(func.count()).select_from(jobs)
COUNT_BY_STATUS = select(jobs.c.status, func.count()).group_by(jobs.c.status)
PING = text("SELECT 1")


# The statements every job or every POST runs, also compiled for asyncpg itself (driver.py).
FAST_ADD = DriverStatement.compile(ADD, columns=NEW_JOB_COLUMNS)
FAST_CLAIM = DriverStatement.compile(CLAIM)
FAST_SUCCEED = DriverStatement.compile(SUCCEED)
