"""Plain tasks that are not jobs: how a team writes its own, with a result the caller reads.

A job keeps its state in the job store and its caller polls the API. A plain task is for
work inside the service (a report, a maintenance step, a part of a chord) whose caller waits
for the return value: `job_counts.delay().get(timeout=10)`. That needs a result backend,
which is off unless RESULT_BACKEND_URL is set (see `result_backend_config`), and each such
task opts in with `ignore_result=False`.
"""

from ..jobs.model import JobStatus
from . import runtime
from .base import ProcessingTask
from .celery_app import INTERNAL_TASK_PREFIX, app


@app.task(
    name=f"{INTERNAL_TASK_PREFIX}job_counts", base=ProcessingTask, bind=True, ignore_result=False
)
def job_counts(self: ProcessingTask) -> dict[str, int]:
    """How many jobs there are in each status, read through the same bridge as every job."""

    async def count() -> dict[str, int]:
        async with runtime.current().database.store() as store:
            counts = await store.count_by_status()
        return {status.value: counts.get(status, 0) for status in JobStatus}

    return self.run_async(count())
